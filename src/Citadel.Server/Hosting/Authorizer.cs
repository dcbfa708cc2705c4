using System.Globalization;
using Citadel.Iam;
using Citadel.Iam.Identity;
using Citadel.Iam.Policies;

namespace Citadel.Server.Hosting;

/// <summary>The authorization stage of the pipeline.</summary>
public interface IAuthorizer
{
    /// <summary>Returns null when every check is allowed, else the AccessDenied message of the first that is not.</summary>
    Task<string?> AuthorizeAsync(Principal principal, IReadOnlyList<AuthorizationCheck> checks, IReadOnlyDictionary<string, IReadOnlyList<string>> requestKeys, CancellationToken cancellationToken);
}

/// <summary>
/// Decides requests with the IAM policy language, as AWS does within one account:
/// <list type="bullet">
/// <item>the account root (the administrator) may do everything;</item>
/// <item>sts:GetCallerIdentity needs no permission;</item>
/// <item>otherwise an explicit Deny in the user's policies or the resource policy wins; an Allow comes from the
/// resource policy naming the user, or from the user's identity policies — for KMS keys only where the key
/// policy delegates the action to the account (the default key policy does);</item>
/// <item>everything else is implicitly denied.</item>
/// </list>
/// </summary>
public sealed class PolicyAuthorizer(IamDirectory directory, string partition) : IAuthorizer
{
    // Parsed documents by their exact text: parsing costs ~6 times an evaluation (docs/benchmarks.md), and
    // a document's text fully determines its parse, so the cache can never be stale.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, PolicyDocument?> _parsed = new(StringComparer.Ordinal);

    private PolicyDocument? Parse(string? text)
    {
        if (text is null) return null;
        if (_parsed.TryGetValue(text, out var cached)) return cached;
        if (_parsed.Count > 10_000) _parsed.Clear();
        PolicyDocument? document;
        try
        {
            document = PolicyDocument.Parse(text);
        }
        catch (MalformedPolicyDocumentException)
        {
            // A stored policy the parser refuses (KMS accepted it with lighter checks) grants nothing: fail closed.
            document = null;
        }
        return _parsed[text] = document;
    }

    /// <inheritdoc />
    public async Task<string?> AuthorizeAsync(Principal principal, IReadOnlyList<AuthorizationCheck> checks, IReadOnlyDictionary<string, IReadOnlyList<string>> requestKeys, CancellationToken cancellationToken)
    {
        if (principal.IsRoot) return null;
        if (checks.All(c => c.Action == "sts:GetCallerIdentity")) return null;
        // The identity: an IAM user, or the role behind an assumed-role session.
        IPolicyHolder? holder = principal.UserName is not null
            ? await directory.FindUserAsync(principal.UserName, cancellationToken).ConfigureAwait(false)
            : principal.Type == "AssumedRole" && SessionTokens.RoleNameOf(principal.Arn) is { } roleName
                ? await directory.FindRoleAsync(roleName, cancellationToken).ConfigureAwait(false)
                : null;
        var identityPolicies = new List<PolicyDocument>();
        foreach (var (name, text) in holder is null ? [] : await directory.PoliciesOfAsync(holder, cancellationToken).ConfigureAwait(false))
        {
            // An identity policy that cannot be evaluated could hold a Deny: refuse rather than ignore it.
            if (Parse(text) is not { } document)
                return $"User: {principal.Arn} is not authorized: its policy {name} cannot be evaluated";
            identityPolicies.Add(document with { Id = name });
        }
        var principalTags = principal.SessionTags ?? (IReadOnlyDictionary<string, string>?)holder?.Tags ?? new Dictionary<string, string>();
        foreach (var check in checks)
        {
            var keys = new Dictionary<string, IReadOnlyList<string>>(requestKeys, StringComparer.OrdinalIgnoreCase);
            foreach (var (k, v) in check.ConditionKeys) keys[k] = v;
            foreach (var (k, v) in principalTags) keys[$"aws:PrincipalTag/{k}"] = [v];
            var context = new RequestContext(check.Action, check.Resource, principal.Arn, principal.AccountId, keys);
            var resourcePolicy = Parse(check.ResourcePolicy);
            var result = PolicyEvaluator.Evaluate(context, identityPolicies, resourcePolicy);
            if (result.Decision == Decision.ExplicitDeny)
            {
                var where = result.Statements[0].IsResourcePolicy ? "a resource-based" : "an identity-based";
                return $"User: {principal.Arn} is not authorized to perform: {check.Action} on resource: {check.Resource} with an explicit deny in {where} policy";
            }
            if (result.Decision == Decision.Allow && check.ResourcePolicyIsAuthoritative && !result.Statements.Any(s => s.IsResourcePolicy))
            {
                // Allowed by identity policies only: KMS honours them only where the key policy lets the account's IAM policies decide.
                var root = new RequestContext(check.Action, check.Resource, $"arn:{partition}:iam::{principal.AccountId}:root", principal.AccountId, keys);
                if (!PolicyEvaluator.Evaluate(root, [], resourcePolicy).IsAllowed)
                    return $"User: {principal.Arn} is not authorized to perform: {check.Action} on resource: {check.Resource} because no resource-based policy allows the {check.Action} action";
            }
            if (result.Decision != Decision.Allow)
                return $"User: {principal.Arn} is not authorized to perform: {check.Action} on resource: {check.Resource} because no identity-based policy allows the {check.Action} action";
        }
        return null;
    }

    /// <summary>The global condition keys of a request.</summary>
    public static Dictionary<string, IReadOnlyList<string>> GlobalKeys(Principal principal, string sourceIp, bool secureTransport, DateTimeOffset now)
    {
        var keys = new Dictionary<string, IReadOnlyList<string>>(StringComparer.OrdinalIgnoreCase)
        {
            ["aws:SourceIp"] = [sourceIp],
            ["aws:SecureTransport"] = [secureTransport ? "true" : "false"],
            ["aws:CurrentTime"] = [now.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)],
            ["aws:EpochTime"] = [now.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)],
            ["aws:PrincipalType"] = [principal.Type == "IAMUser" ? "User" : principal.Type],
            ["aws:userid"] = [principal.PrincipalId],
            ["aws:MultiFactorAuthPresent"] = ["false"],
        };
        if (principal.UserName is not null) keys["aws:username"] = [principal.UserName];
        return keys;
    }
}
