using Citadel.Iam.Identity;
using Citadel.Iam.Policies;

namespace Citadel.Server.Services;

/// <summary>A context key given to a simulation.</summary>
public sealed class ContextEntry
{
    /// <summary>Key, for example aws:SourceIp.</summary>
    public string? ContextKeyName { get; init; }
    /// <summary>Values.</summary>
    public List<string>? ContextKeyValues { get; init; }
    /// <summary>Type (string, numeric, ...); values are compared by the operator, as in evaluation.</summary>
    public string? ContextKeyType { get; init; }
}

/// <summary>SimulatePrincipalPolicy request.</summary>
public sealed class SimulatePrincipalPolicyRequest
{
    /// <summary>The user or role whose policies to use.</summary>
    public required string PolicySourceArn { get; init; }
    /// <summary>Extra identity policies.</summary>
    public List<string>? PolicyInputList { get; init; }
    /// <summary>Actions.</summary>
    public required List<string> ActionNames { get; init; }
    /// <summary>Resources (default *).</summary>
    public List<string>? ResourceArns { get; init; }
    /// <summary>A resource policy.</summary>
    public string? ResourcePolicy { get; init; }
    /// <summary>The caller (default: the policy source).</summary>
    public string? CallerArn { get; init; }
    /// <summary>Condition keys.</summary>
    public List<ContextEntry>? ContextEntries { get; init; }
}

/// <summary>SimulateCustomPolicy request.</summary>
public sealed class SimulateCustomPolicyRequest
{
    /// <summary>Identity policies.</summary>
    public required List<string> PolicyInputList { get; init; }
    /// <summary>Actions.</summary>
    public required List<string> ActionNames { get; init; }
    /// <summary>Resources (default *).</summary>
    public List<string>? ResourceArns { get; init; }
    /// <summary>A resource policy.</summary>
    public string? ResourcePolicy { get; init; }
    /// <summary>The caller.</summary>
    public string? CallerArn { get; init; }
    /// <summary>Condition keys.</summary>
    public List<ContextEntry>? ContextEntries { get; init; }
}

/// <summary>Where a matched statement came from.</summary>
public sealed class SimulatedStatement
{
    /// <summary>The policy: its name, ARN or input index.</summary>
    public string? SourcePolicyId { get; init; }
    /// <summary>user, group, role, aws-managed, user-managed, resource, none.</summary>
    public string? SourcePolicyType { get; init; }
}

/// <summary>One action × resource decision.</summary>
public sealed class EvaluationResultView
{
    /// <summary>Action.</summary>
    public required string EvalActionName { get; init; }
    /// <summary>Resource.</summary>
    public required string EvalResourceName { get; init; }
    /// <summary>allowed, explicitDeny, implicitDeny.</summary>
    public required string EvalDecision { get; init; }
    /// <summary>The statements that made the decision.</summary>
    public required List<SimulatedStatement> MatchedStatements { get; init; }
    /// <summary>Condition keys the policies used that the simulation was not given.</summary>
    public required List<string> MissingContextValues { get; init; }
}

/// <summary>Simulate* response.</summary>
public sealed class SimulatePolicyResponse
{
    /// <summary>Results.</summary>
    public required List<EvaluationResultView> EvaluationResults { get; init; }
    /// <summary>Always false.</summary>
    public bool IsTruncated { get; init; }
}

/// <summary>
/// IAM SimulatePrincipalPolicy and SimulateCustomPolicy: the same evaluator the authorizer uses, answering
/// "would this be allowed, and by which statement" before anyone tries.
/// </summary>
public static class PolicySimulator
{
    /// <summary>Simulates a user's or role's policies (plus any given).</summary>
    public static async Task<SimulatePolicyResponse> PrincipalAsync(IamDirectory directory, SimulatePrincipalPolicyRequest request, CancellationToken cancellationToken)
    {
        var parts = request.PolicySourceArn.Split(':', 6);
        var resource = parts.Length == 6 ? parts[5] : "";
        var name = resource[(resource.LastIndexOf('/') + 1)..];
        IPolicyHolder holder = resource.StartsWith("user/", StringComparison.Ordinal) ? await directory.GetUserAsync(name, cancellationToken).ConfigureAwait(false)
            : resource.StartsWith("role/", StringComparison.Ordinal) ? await directory.GetRoleAsync(name, cancellationToken).ConfigureAwait(false)
            : resource.StartsWith("group/", StringComparison.Ordinal) ? await directory.GetGroupAsync(name, cancellationToken).ConfigureAwait(false)
            : throw new IamException(IamErrorCode.InvalidInputException, $"{request.PolicySourceArn} is not a user, group or role ARN.");
        var policies = (await directory.PoliciesOfAsync(holder, cancellationToken).ConfigureAwait(false))
            .Select(p => (p.Name, SourceType: p.Name.StartsWith("arn:", StringComparison.Ordinal) ? "user-managed" : resource.Split('/')[0], p.Document))
            .Concat((request.PolicyInputList ?? []).Select((d, i) => ($"PolicyInputList.{i + 1}", "none", d)))
            .ToList();
        return Simulate(policies, request.ActionNames, request.ResourceArns, request.ResourcePolicy, request.CallerArn ?? request.PolicySourceArn, directory.AccountId, request.ContextEntries);
    }

    /// <summary>Simulates the given policies.</summary>
    public static SimulatePolicyResponse Custom(IamDirectory directory, SimulateCustomPolicyRequest request)
        => Simulate(request.PolicyInputList.Select((d, i) => ($"PolicyInputList.{i + 1}", "none", d)).ToList(), request.ActionNames, request.ResourceArns,
            request.ResourcePolicy, request.CallerArn ?? $"arn:{directory.Partition}:iam::{directory.AccountId}:root", directory.AccountId, request.ContextEntries);

    /// <summary>
    /// One decision as the simulators show it (also what <c>citadel iam explain</c> shows for a logged request):
    /// allowed / explicitDeny / implicitDeny, and the statements that made it with their source policy.
    /// </summary>
    public static EvaluationResultView ViewOf(string action, string resource, Decision decision, IEnumerable<MatchedStatement> statements,
        Func<MatchedStatement, string> identitySourceType, List<string>? missingContextValues = null) => new()
        {
            EvalActionName = action,
            EvalResourceName = resource,
            EvalDecision = decision switch { Decision.Allow => "allowed", Decision.ExplicitDeny => "explicitDeny", _ => "implicitDeny" },
            MatchedStatements = statements.Select(s => new SimulatedStatement
            {
                SourcePolicyId = s.IsResourcePolicy ? "ResourcePolicy" : s.PolicyId,
                SourcePolicyType = s.IsResourcePolicy ? "resource" : identitySourceType(s),
            }).ToList(),
            MissingContextValues = missingContextValues ?? [],
        };

    private static SimulatePolicyResponse Simulate(List<(string Name, string SourceType, string Document)> sources, List<string> actions, List<string>? resources,
        string? resourcePolicyText, string callerArn, string account, List<ContextEntry>? entries)
    {
        PolicyDocument Parse(string text, PolicyKind kind, string name)
        {
            try { return PolicyDocument.Parse(text, kind) with { Id = name }; }
            catch (MalformedPolicyDocumentException e) { throw new IamException(IamErrorCode.MalformedPolicyDocumentException, $"{name}: {e.Message}"); }
        }
        var identity = sources.Select(s => Parse(s.Document, PolicyKind.Any, s.Name)).ToList();
        var resourcePolicy = resourcePolicyText is null ? null : Parse(resourcePolicyText, PolicyKind.Any, "ResourcePolicy");
        var keys = (entries ?? []).Where(e => e.ContextKeyName is not null)
            .ToDictionary(e => e.ContextKeyName!, e => (IReadOnlyList<string>)(e.ContextKeyValues ?? []), StringComparer.OrdinalIgnoreCase);
        var used = identity.Append(resourcePolicy).Where(p => p is not null).SelectMany(p => p!.Statements).SelectMany(s => s.Conditions).Select(c => c.Key)
            .Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        var results = new List<EvaluationResultView>();
        foreach (var action in actions)
        {
            foreach (var resource in resources is { Count: > 0 } ? resources : ["*"])
            {
                var context = new RequestContext(action, resource, callerArn, account, keys);
                var result = PolicyEvaluator.Evaluate(context, identity, resourcePolicy);
                results.Add(ViewOf(action, resource, result.Decision, result.Statements, s => sources[s.PolicyIndex].SourceType,
                    used.Where(k => !context.TryGetValues(k, out _)).ToList()));
            }
        }
        return new SimulatePolicyResponse { EvaluationResults = results };
    }
}
