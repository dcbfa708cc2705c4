using Citadel.Kms.Model;

namespace Citadel.Kms.Grants;

/// <summary>A grant that lets <see cref="Principal"/> do what a request asks.</summary>
/// <param name="GrantId">The grant.</param>
/// <param name="Principal">The principal ARN it lets act (the grantee, or for RetireGrant the retiring principal).</param>
public sealed record GrantAllowance(string GrantId, string Principal);

/// <summary>
/// What grants allow, as pure rules (the server's authorizer matches the principals against the caller):
/// <list type="bullet">
/// <item>a grant lets its grantee perform its operations; for operations that take an encryption context, only
/// when the request's context satisfies the grant's constraints;</item>
/// <item>CreateGrant from a grant creates only grants with a subset of its operations and constraints at least as strict;</item>
/// <item>a grant may be retired by its retiring principal, and by its grantee when it allows RetireGrant (the account
/// may always retire, and may delegate that to IAM principals with kms:RetireGrant in their IAM policies).</item>
/// </list>
/// </summary>
public static class GrantAuthority
{
    /// <summary>The grants among <paramref name="grants"/> that allow <paramref name="operation"/> with this encryption context.</summary>
    public static IReadOnlyList<GrantAllowance> ForOperation(IEnumerable<GrantRecord> grants, string operation, IReadOnlyDictionary<string, string>? encryptionContext)
        => grants
            .Where(g => g.Operations.Contains(operation, StringComparer.Ordinal))
            .Where(g => !GrantOperations.TakingEncryptionContext.Contains(operation) || GrantConstraintRules.Satisfies(g.Constraints, encryptionContext))
            .Select(g => new GrantAllowance(g.GrantId, g.GranteePrincipal))
            .ToList();

    /// <summary>The grants that allow their grantee to create a grant with these operations and constraints.</summary>
    public static IReadOnlyList<GrantAllowance> ForCreateGrant(IEnumerable<GrantRecord> grants, IReadOnlyList<string> operations, GrantConstraints? constraints)
        => grants
            .Where(g => g.Operations.Contains("CreateGrant", StringComparer.Ordinal))
            .Where(g => operations.All(o => g.Operations.Contains(o, StringComparer.Ordinal)))
            .Where(g => GrantConstraintRules.AtLeastAsStrict(constraints, g.Constraints))
            .Select(g => new GrantAllowance(g.GrantId, g.GranteePrincipal))
            .ToList();

    /// <summary>The principals the grant itself lets retire it.</summary>
    public static IReadOnlyList<GrantAllowance> ForRetirement(GrantRecord grant)
    {
        var result = new List<GrantAllowance>();
        if (grant.RetiringPrincipal is { } retiring) result.Add(new GrantAllowance(grant.GrantId, retiring));
        if (grant.Operations.Contains("RetireGrant", StringComparer.Ordinal)) result.Add(new GrantAllowance(grant.GrantId, grant.GranteePrincipal));
        return result;
    }
}
