using Citadel.Iam.Policies;

namespace Citadel.Server.Hosting;

/// <summary>How the authorizer decided one check, and why: what the pipeline enforces and <c>citadel iam explain</c> shows.</summary>
/// <param name="Check">The question.</param>
/// <param name="Decision">Allow, ExplicitDeny or ImplicitDeny.</param>
/// <param name="Reason">In words: which policy, delegation or grant decided.</param>
/// <param name="Statements">The statements that applied: the Deny statements of an explicit deny, the Allow statements of an allow.</param>
/// <param name="GrantId">The KMS grant that allowed it, if a grant did.</param>
/// <param name="DeniedMessage">The AccessDenied message the caller gets (AWS's wording), when denied.</param>
public sealed record CheckDecision(AuthorizationCheck Check, Decision Decision, string Reason, IReadOnlyList<MatchedStatement> Statements, string? GrantId, string? DeniedMessage)
{
    /// <summary>Whether the check is allowed.</summary>
    public bool IsAllowed => Decision == Decision.Allow;
}
