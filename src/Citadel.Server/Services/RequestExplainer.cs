using System.Text.Json;
using System.Text.Json.Nodes;
using Citadel.Audit;
using Citadel.Iam;
using Citadel.Server.Hosting;
using Citadel.Server.Protocols;

namespace Citadel.Server.Services;

/// <summary>A logged request as <c>citadel iam explain</c> shows it.</summary>
public sealed class ExplainedRequest
{
    /// <summary>The request id.</summary>
    public required string RequestId { get; init; }
    /// <summary>The audit event id.</summary>
    public required string EventId { get; init; }
    /// <summary>When the request was made.</summary>
    public required DateTimeOffset EventTime { get; init; }
    /// <summary>The service, for example kms.amazonaws.com.</summary>
    public required string EventSource { get; init; }
    /// <summary>The operation.</summary>
    public required string EventName { get; init; }
    /// <summary>The caller's ARN.</summary>
    public string? Principal { get; init; }
    /// <summary>Root, IAMUser, AssumedRole or Unknown.</summary>
    public required string IdentityType { get; init; }
    /// <summary>The access key that signed it.</summary>
    public string? AccessKeyId { get; init; }
    /// <summary>The caller's address.</summary>
    public required string SourceIpAddress { get; init; }
    /// <summary>The resources the record names.</summary>
    public required List<string> Resources { get; init; }
    /// <summary>"success", or the error code the caller got.</summary>
    public required string Outcome { get; init; }
    /// <summary>The error message the caller got.</summary>
    public string? ErrorMessage { get; init; }
}

/// <summary>One authorization question of the request, decided again.</summary>
public sealed class ExplainedCheck
{
    /// <summary>The decision in the simulators' shape: action, resource, allowed / explicitDeny / implicitDeny, matched statements.</summary>
    public required EvaluationResultView Evaluation { get; init; }
    /// <summary>Why, in words.</summary>
    public required string Reason { get; init; }
    /// <summary>Each matched statement: which policy, which statement, its Sid.</summary>
    public required List<string> Statements { get; init; }
    /// <summary>The KMS grant that allowed it, if one did.</summary>
    public string? GrantId { get; init; }
    /// <summary>The AccessDenied message the caller would get now.</summary>
    public string? DeniedMessage { get; init; }
}

/// <summary>The answer of an explanation.</summary>
public sealed class ExplainResponse
{
    /// <summary>What the audit trail recorded.</summary>
    public required ExplainedRequest Request { get; init; }
    /// <summary>Says what the decision is evaluated against: the policies, grants and keys as they are now.</summary>
    public required string EvaluatedAgainst { get; init; }
    /// <summary>The decisions, one per authorization question.</summary>
    public required List<ExplainedCheck> Checks { get; init; }
    /// <summary>Why there is nothing (more) to evaluate, when that is so.</summary>
    public string? Note { get; init; }
}

/// <summary>
/// Explains a logged request: finds its audit record by request id, rebuilds the request from the record's
/// parameters, asks its service the same authorization questions the pipeline asks, and decides them with the
/// same authorizer — against the policies, grants and keys as they are now, which the answer says. Values the
/// audit copy leaves out (plaintexts, ciphertexts, grant tokens, session tags) are absent from the re-evaluation;
/// the key a ciphertext named is taken from the record's resources.
/// </summary>
public sealed class RequestExplainer(IReadOnlyDictionary<string, IApiService> services, IAuditStore audit, IAuthorizer authorizer, bool secureTransport)
{
    /// <summary>What every answer says it was evaluated against.</summary>
    public const string CurrentPolicies = "current policies, grants and keys: the decision is made again now, and may differ from the one the request got if they changed since";

    /// <summary>The explanation, or null when no audit record has this request id.</summary>
    public async Task<ExplainResponse?> ExplainAsync(string requestId, CancellationToken cancellationToken)
    {
        if (await audit.FindByRequestIdAsync(requestId, cancellationToken).ConfigureAwait(false) is not { } stored) return null;
        var record = JsonNode.Parse(stored.CloudTrailEvent)!.AsObject();
        var identity = record["userIdentity"]!.AsObject();
        string? Text(JsonObject o, string name) => o[name]?.GetValue<string>();
        var logged = new ExplainedRequest
        {
            RequestId = requestId,
            EventId = stored.EventId,
            EventTime = stored.EventTime,
            EventSource = stored.EventSource,
            EventName = stored.EventName,
            Principal = Text(identity, "arn"),
            IdentityType = Text(identity, "type") ?? "Unknown",
            AccessKeyId = Text(identity, "accessKeyId"),
            SourceIpAddress = Text(record, "sourceIPAddress") ?? "unknown",
            Resources = stored.Resources.Select(r => r.Arn).ToList(),
            Outcome = Text(record, "errorCode") ?? "success",
            ErrorMessage = Text(record, "errorMessage"),
        };
        ExplainResponse Answer(List<ExplainedCheck> checks, string? note = null) => new() { Request = logged, EvaluatedAgainst = CurrentPolicies, Checks = checks, Note = note };

        if (logged.IdentityType is not ("Root" or "IAMUser" or "AssumedRole") || logged.Principal is null)
            return Answer([], "The request was not authenticated, so it was never authorized: it was refused before the authorization stage.");
        var principal = new Principal(logged.IdentityType, Text(identity, "principalId") ?? "", logged.Principal, Text(identity, "accountId") ?? "",
            Text(identity, "userName") is { } user && logged.IdentityType == "IAMUser" ? user : null, logged.AccessKeyId ?? "");
        var service = services.Values.FirstOrDefault(s => s.EventSource == stored.EventSource);
        var operation = service?.Find(stored.EventName);
        if (service is null || operation is null)
            return Answer([], $"{stored.EventSource} has no operation {stored.EventName}: the request was refused before the authorization stage.");

        var parameters = record["requestParameters"] as JsonObject ?? [];
        RestoreKeysOfCiphertexts(stored, parameters);
        var call = new ApiCall(requestId, principal, logged.SourceIpAddress, Text(record, "userAgent"));
        IReadOnlyList<AuthorizationCheck> checks;
        try
        {
            var request = WireJson.FromAudit(parameters, operation.RequestType)!;
            checks = principal.IsRoot
                ? [AuthorizationCheck.OnAnyResource($"{service.ScopeName}:{operation.Name}")]
                : await service.ChecksAsync(operation, request, call, new ResourceCollector(), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (service.MapError(e) is { } error)
        {
            return Answer([], $"The request cannot be evaluated against the current state: {error.Type}: {error.Message}");
        }
        catch (JsonException e)
        {
            return Answer([], $"The logged parameters cannot be read back into a {operation.Name} request: {e.Message}");
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The audit copy lacks a member this operation's questions need: say so rather than fail the explanation.
            return Answer([], $"The request cannot be evaluated from its audit record: {e.Message}");
        }
        var keys = PolicyAuthorizer.GlobalKeys(principal, logged.SourceIpAddress, secureTransport, stored.EventTime);
        var decisions = await authorizer.DecideAsync(principal, checks, keys, cancellationToken).ConfigureAwait(false);
        var identityType = principal.Type == "AssumedRole" ? "role" : "user";
        return Answer(decisions.Select(d => new ExplainedCheck
        {
            Evaluation = PolicySimulator.ViewOf(d.Check.Action, d.Check.Resource, d.Decision, d.Statements,
                s => s.PolicyId?.StartsWith("arn:", StringComparison.Ordinal) == true ? "user-managed" : identityType),
            Reason = d.Reason,
            Statements = d.Statements.Select(s => $"{s.Statement.Effect} in {Describe(s)}").ToList(),
            GrantId = d.GrantId,
            DeniedMessage = d.DeniedMessage,
        }).ToList(), principal.Type == "AssumedRole"
            ? "Session tags, the token's issue time and the source identity are not in the audit record; aws:PrincipalTag/* comes from the role's tags, and aws:TokenIssueTime and aws:SourceIdentity are absent in this evaluation."
            : null);
    }

    private static string Describe(Iam.Policies.MatchedStatement statement)
    {
        var policy = statement.IsResourcePolicy ? "the resource policy" : $"identity policy '{statement.PolicyId}'";
        var sid = statement.Sid is null ? "" : $" (Sid {statement.Sid})";
        return $"{policy}, statement {statement.StatementIndex}{sid}";
    }

    // Decrypt and ReEncrypt find their key in the ciphertext, which the audit record leaves out; the record names that
    // key as its first resource, so the re-evaluation asks about the same key.
    private static void RestoreKeysOfCiphertexts(StoredEvent stored, JsonObject parameters)
    {
        var key = stored.Resources.FirstOrDefault(r => r.Type == "AWS::KMS::Key")?.Arn;
        if (key is null || stored.EventSource != "kms.amazonaws.com") return;
        if (stored.EventName == "Decrypt" && parameters["keyId"] is null) parameters["keyId"] = key;
        if (stored.EventName == "ReEncrypt" && parameters["sourceKeyId"] is null) parameters["sourceKeyId"] = key;
    }
}
