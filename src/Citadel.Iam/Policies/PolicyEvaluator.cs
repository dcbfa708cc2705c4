namespace Citadel.Iam.Policies;

/// <summary>The outcome of evaluating a request against policies.</summary>
public enum Decision
{
    /// <summary>An applicable Allow statement and no applicable Deny.</summary>
    Allow,
    /// <summary>An applicable Deny statement; it overrides every Allow.</summary>
    ExplicitDeny,
    /// <summary>No applicable statement allows the request (the default).</summary>
    ImplicitDeny,
}

/// <summary>A statement that applied to a request, to explain a decision.</summary>
/// <param name="Policy">The policy holding the statement.</param>
/// <param name="PolicyIndex">The index of the policy among the identity policies, or -1 for the resource policy.</param>
/// <param name="StatementIndex">The index of the statement in the policy.</param>
/// <param name="Statement">The statement.</param>
public sealed record MatchedStatement(PolicyDocument Policy, int PolicyIndex, int StatementIndex, Statement Statement)
{
    /// <summary>The policy's <c>Id</c>, if any.</summary>
    public string? PolicyId => Policy.Id;

    /// <summary>The statement's <c>Sid</c>, if any.</summary>
    public string? Sid => Statement.Sid;

    /// <summary>True when the statement is in the resource policy.</summary>
    public bool IsResourcePolicy => PolicyIndex < 0;

    /// <summary>A human-readable label, e.g. <c>identity policy 0 'allow-kms' statement 1 (Sid AllowKms)</c>.</summary>
    public string Describe()
    {
        var policy = IsResourcePolicy ? "resource policy" : $"identity policy {PolicyIndex}";
        var id = PolicyId is null ? string.Empty : $" '{PolicyId}'";
        var sid = Sid is null ? string.Empty : $" (Sid {Sid})";
        return $"{policy}{id} statement {StatementIndex}{sid}";
    }
}

/// <summary>A decision and the statements that made it: the applicable Deny statements for
/// <see cref="Decision.ExplicitDeny"/>, the applicable Allow statements for <see cref="Decision.Allow"/>, none otherwise.</summary>
/// <param name="Decision">The decision.</param>
/// <param name="Statements">The statements that made it.</param>
public sealed record EvaluationResult(Decision Decision, IReadOnlyList<MatchedStatement> Statements)
{
    /// <summary>True when the request is allowed.</summary>
    public bool IsAllowed => Decision == Decision.Allow;
}

/// <summary>
/// Evaluates a request against identity policies and an optional resource policy as IAM does within one account:
/// an explicit Deny in any applicable policy wins; else an Allow from any identity policy or from the resource policy
/// allows; else the request is implicitly denied. A resource-policy Allow must name the principal itself (or
/// <c>*</c>): an Allow to the principal's account only delegates to the identity policies, as AWS documents for
/// key and bucket policies; a Deny to the account applies to everyone in it.
/// </summary>
public static class PolicyEvaluator
{
    /// <summary>Evaluates the request.</summary>
    public static EvaluationResult Evaluate(RequestContext context, IEnumerable<PolicyDocument> identityPolicies, PolicyDocument? resourcePolicy)
    {
        var allows = new List<MatchedStatement>();
        var denies = new List<MatchedStatement>();
        var policyIndex = 0;
        foreach (var policy in identityPolicies)
        {
            Collect(policy, policyIndex++, context, allows, denies, isResourcePolicy: false);
        }
        if (resourcePolicy is not null)
        {
            Collect(resourcePolicy, -1, context, allows, denies, isResourcePolicy: true);
        }
        if (denies.Count > 0)
        {
            return new EvaluationResult(Decision.ExplicitDeny, denies);
        }
        return allows.Count > 0 ? new EvaluationResult(Decision.Allow, allows) : new EvaluationResult(Decision.ImplicitDeny, []);
    }

    /// <summary>Whether a statement applies to the request: principal (resource policies only), action, resource and conditions.</summary>
    public static bool Applies(Statement statement, PolicyDocument policy, RequestContext context, bool isResourcePolicy)
    {
        if (isResourcePolicy && !PrincipalMatches(statement, context, statement.Effect == Effect.Allow))
        {
            return false;
        }
        if (statement.Actions is { } actions ? !MatchesAction(actions, context.Action) : MatchesAction(statement.NotActions ?? [], context.Action))
        {
            return false;
        }
        var variables = policy.SupportsVariables;
        if (statement.Resources is { } resources)
        {
            if (MatchesResource(resources, context, variables) != true)
            {
                return false;
            }
        }
        else if (statement.NotResources is { } notResources && MatchesResource(notResources, context, variables) != false)
        {
            return false;
        }
        return statement.Conditions.All(c => ConditionOperators.Evaluate(c, context, variables));
    }

    private static void Collect(PolicyDocument policy, int policyIndex, RequestContext context,
        List<MatchedStatement> allows, List<MatchedStatement> denies, bool isResourcePolicy)
    {
        for (var i = 0; i < policy.Statements.Count; i++)
        {
            var statement = policy.Statements[i];
            if (Applies(statement, policy, context, isResourcePolicy))
            {
                (statement.Effect == Effect.Deny ? denies : allows).Add(new MatchedStatement(policy, policyIndex, i, statement));
            }
        }
    }

    private static bool PrincipalMatches(Statement statement, RequestContext context, bool mustNameDirectly)
    {
        if (statement.Principal is { } principal)
        {
            return mustNameDirectly ? principal.NamesDirectly(context.PrincipalArn) : principal.Matches(context.PrincipalArn, context.PrincipalAccount);
        }
        return statement.NotPrincipal is { } notPrincipal && !notPrincipal.Matches(context.PrincipalArn, context.PrincipalAccount);
    }

    private static bool MatchesAction(IReadOnlyList<string> patterns, string action) =>
        patterns.Any(pattern => Wildcard.Match(pattern, action, ignoreCase: true));

    /// <summary>True if a pattern matches, false if none does, null if a policy variable could not be resolved.</summary>
    private static bool? MatchesResource(IReadOnlyList<string> patterns, RequestContext context, bool variables)
    {
        var matched = false;
        foreach (var pattern in patterns)
        {
            if (pattern == "*")
            {
                matched = true;
                continue;
            }
            if (!variables)
            {
                matched |= Wildcard.MatchArn(pattern, context.Resource);
                continue;
            }
            if (!PolicyVariables.TrySubstitute(pattern, context, out var substituted, out var literal))
            {
                return null;
            }
            matched |= Wildcard.MatchArn(substituted, context.Resource, literal);
        }
        return matched;
    }
}
