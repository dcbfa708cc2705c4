using Citadel.Iam;

namespace Citadel.Server.Hosting;

/// <summary>
/// The authorization stage of the pipeline. Today only the account root exists, and it may do
/// everything; the policy engine (identity policies, key policies, grants) plugs in here.
/// </summary>
public interface IAuthorizer
{
    /// <summary>Returns null when allowed, else the AccessDenied message.</summary>
    string? Authorize(Principal principal, string action);
}

/// <summary>
/// Allows the account root; denies every other principal (IAM users start with no permissions, and
/// there are no policies yet), except sts:GetCallerIdentity, which AWS answers for anyone authenticated.
/// </summary>
public sealed class RootOnlyAuthorizer : IAuthorizer
{
    /// <inheritdoc />
    public string? Authorize(Principal principal, string action)
        => principal.IsRoot || action == "sts:GetCallerIdentity"
            ? null
            : $"User: {principal.Arn} is not authorized to perform: {action} because no identity-based policy allows the {action} action";
}
