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

    /// <summary>Decides every check and says why (what <see cref="AuthorizeAsync"/> enforces, for explanations).</summary>
    Task<IReadOnlyList<CheckDecision>> DecideAsync(Principal principal, IReadOnlyList<AuthorizationCheck> checks, IReadOnlyDictionary<string, IReadOnlyList<string>> requestKeys, CancellationToken cancellationToken);
}

/// <summary>
/// Decides requests with the IAM policy language, as AWS does within one account:
/// <list type="bullet">
/// <item>the account root (the administrator) may do everything;</item>
/// <item>sts:GetCallerIdentity needs no permission;</item>
/// <item>otherwise an explicit Deny in the user's policies or the resource policy wins; an Allow comes from the
/// resource policy naming the user, or from the user's identity policies — for KMS keys only where the key
/// policy delegates the action to the account (the default key policy does) — or from a KMS grant whose grantee
/// is the caller (its user ARN, its role's ARN or its assumed-role session ARN), or a grant to the account where
/// the identity policies allow the action;</item>
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
        => (await DecideAsync(principal, checks, requestKeys, cancellationToken).ConfigureAwait(false)).FirstOrDefault(d => !d.IsAllowed)?.DeniedMessage;

    /// <inheritdoc />
    public async Task<IReadOnlyList<CheckDecision>> DecideAsync(Principal principal, IReadOnlyList<AuthorizationCheck> checks, IReadOnlyDictionary<string, IReadOnlyList<string>> requestKeys, CancellationToken cancellationToken)
    {
        if (principal.IsRoot) return checks.Select(c => Allowed(c, "the account root (the administrator) may do everything", [])).ToList();
        if (checks.All(c => c.Action == "sts:GetCallerIdentity")) return checks.Select(c => Allowed(c, "sts:GetCallerIdentity needs no permission", [])).ToList();
        // The identity: an IAM user, or the role behind an assumed-role session.
        IPolicyHolder? holder = principal.UserName is not null
            ? await directory.FindUserAsync(principal.UserName, cancellationToken).ConfigureAwait(false)
            : principal.Type == "AssumedRole" && SessionTokens.RoleNameOf(principal.Arn) is { } roleName
                ? await directory.FindRoleAsync(roleName, cancellationToken).ConfigureAwait(false)
                : null;
        // A session belongs to the role with its unique id, not to whichever role has the name now: authentication refuses
        // sessions of deleted roles, and this refuses one whose role was deleted (and perhaps created again, wider) since.
        if (principal.Type == "AssumedRole" && (holder is not IamRoleRecord sessionRole || sessionRole.RoleId != principal.RoleId))
        {
            var message = $"User: {principal.Arn} is not authorized: the role of the session no longer exists";
            return checks.Select(c => new CheckDecision(c, Decision.ImplicitDeny, "the role of the session no longer exists", [], null, message)).ToList();
        }
        var identityPolicies = new List<PolicyDocument>();
        foreach (var (name, text) in holder is null ? [] : await directory.PoliciesOfAsync(holder, cancellationToken).ConfigureAwait(false))
        {
            // An identity policy that cannot be evaluated could hold a Deny: refuse rather than ignore it.
            if (Parse(text) is not { } document)
            {
                var message = $"User: {principal.Arn} is not authorized: its policy {name} cannot be evaluated";
                return checks.Select(c => new CheckDecision(c, Decision.ImplicitDeny, $"the identity policy {name} cannot be evaluated", [], null, message)).ToList();
            }
            identityPolicies.Add(document with { Id = name });
        }
        // A grant names its grantee by ARN: the caller's own, or for an assumed-role session also its role's.
        var callerArns = holder is IamRoleRecord role ? new[] { principal.Arn, role.Arn } : [principal.Arn];
        var accountRoot = $"arn:{partition}:iam::{principal.AccountId}:root";
        // aws:PrincipalTag/*: the user's or role's tags, and a session's tags over the role's of the same key (tag keys are
        // case-insensitive, as condition keys are), as in AWS; the role's other tags stay principal tags of the session.
        var principalTags = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (k, v) in holder?.Tags ?? []) principalTags[k] = v;
        foreach (var (k, v) in principal.SessionTags ?? new Dictionary<string, string>()) principalTags[k] = v;
        var decisions = new List<CheckDecision>();
        foreach (var check in checks)
        {
            var keys = new Dictionary<string, IReadOnlyList<string>>(requestKeys, StringComparer.OrdinalIgnoreCase);
            foreach (var (k, v) in check.ConditionKeys) keys[k] = v;
            foreach (var (k, v) in principalTags) keys[$"aws:PrincipalTag/{k}"] = [v];
            var context = new RequestContext(check.Action, check.Resource, principal.Arn, principal.AccountId, keys);
            var resourcePolicy = Parse(check.ResourcePolicy);
            decisions.Add(Decide(check, principal, context, identityPolicies, resourcePolicy, callerArns, accountRoot, keys));
        }
        return decisions;
    }

    private static CheckDecision Decide(AuthorizationCheck check, Principal principal, RequestContext context, List<PolicyDocument> identityPolicies,
        PolicyDocument? resourcePolicy, string[] callerArns, string accountRoot, Dictionary<string, IReadOnlyList<string>> keys)
    {
        var result = PolicyEvaluator.Evaluate(context, identityPolicies, resourcePolicy);
        var denied = $"User: {principal.Arn} is not authorized to perform: {check.Action} on resource: {check.Resource}";
        if (result.Decision == Decision.ExplicitDeny)
        {
            var where = result.Statements[0].IsResourcePolicy ? "a resource-based" : "an identity-based";
            return new CheckDecision(check, Decision.ExplicitDeny, $"explicitly denied by {where} policy", result.Statements, null, $"{denied} with an explicit deny in {where} policy");
        }
        var identityAllows = result.Decision == Decision.Allow;
        if (identityAllows && result.Statements.Any(s => s.IsResourcePolicy))
            return Allowed(check, "allowed by the resource policy, which names the caller", result.Statements);
        if (identityAllows && !check.ResourcePolicyIsAuthoritative)
            return Allowed(check, "allowed by identity-based policies", result.Statements);
        // Allowed by identity policies only: KMS honours them only where the key policy lets the account's IAM policies decide.
        if (identityAllows && PolicyEvaluator.Evaluate(new RequestContext(check.Action, check.Resource, accountRoot, principal.AccountId, keys), [], resourcePolicy).IsAllowed)
            return Allowed(check, "allowed by identity-based policies, which the resource policy lets decide (it allows the account)", result.Statements);
        if (check.Grants.FirstOrDefault(g => callerArns.Contains(g.Principal, StringComparer.Ordinal)) is { } grant)
            return new CheckDecision(check, Decision.Allow, $"allowed by grant {grant.GrantId} to {grant.Principal}", [], grant.GrantId, null);
        // A grant to the account lets the account's IAM policies decide, as a key policy statement naming the account does.
        if (identityAllows && check.Grants.FirstOrDefault(g => g.Principal == accountRoot) is { } accountGrant)
            return new CheckDecision(check, Decision.Allow, $"allowed by identity-based policies, which grant {accountGrant.GrantId} to the account lets decide", result.Statements, accountGrant.GrantId, null);
        if (identityAllows)
            return new CheckDecision(check, Decision.ImplicitDeny, "identity-based policies allow it, but the resource policy does not let them decide and no grant allows it", result.Statements, null,
                $"{denied} because no resource-based policy allows the {check.Action} action");
        return new CheckDecision(check, Decision.ImplicitDeny, "no policy or grant allows it", [], null, $"{denied} because no identity-based policy allows the {check.Action} action");
    }

    private static CheckDecision Allowed(AuthorizationCheck check, string reason, IReadOnlyList<MatchedStatement> statements)
        => new(check, Decision.Allow, reason, statements, null, null);

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
        // Only temporary credentials have these, as in AWS: a Deny on aws:TokenIssueTime (DateLessThan) revokes the sessions
        // issued before a time and not the later ones.
        if (principal.TokenIssueTime is { } issued) keys["aws:TokenIssueTime"] = [issued.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)];
        if (principal.SourceIdentity is not null) keys["aws:SourceIdentity"] = [principal.SourceIdentity];
        return keys;
    }
}
