using Citadel.Kms.Grants;

namespace Citadel.Server.Hosting;

/// <summary>
/// One authorization question a request asks: may the caller perform <paramref name="Action"/> on
/// <paramref name="Resource"/>? A KMS key brings its key policy, which is authoritative: identity policies
/// count only where it delegates to the account; and the grants that would allow this very request.
/// </summary>
/// <param name="Action">For example kms:Encrypt.</param>
/// <param name="Resource">The resource ARN, or * when the action has no resource.</param>
/// <param name="ResourcePolicy">The resource's policy document, if it has one.</param>
/// <param name="ResourcePolicyIsAuthoritative">True for KMS key policies: without delegation to the account, identity policies do not count.</param>
/// <param name="ConditionKeys">Request-specific condition keys (kms:EncryptionContext:..., aws:ResourceTag/..., ...).</param>
public sealed record AuthorizationCheck(string Action, string Resource, string? ResourcePolicy, bool ResourcePolicyIsAuthoritative,
    IReadOnlyDictionary<string, IReadOnlyList<string>> ConditionKeys)
{
    /// <summary>
    /// KMS grants that allow this request (operation, encryption context, and for CreateGrant the grant asked for
    /// already checked), each with the principal it lets act; the authorizer matches them against the caller.
    /// An explicit deny in any policy still wins over them.
    /// </summary>
    public IReadOnlyList<GrantAllowance> Grants { get; init; } = [];

    /// <summary>A check on an action with no resource-level permissions.</summary>
    public static AuthorizationCheck OnAnyResource(string action) => new(action, "*", null, false, new Dictionary<string, IReadOnlyList<string>>());
}
