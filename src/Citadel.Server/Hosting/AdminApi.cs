using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Citadel.Audit;
using Citadel.Iam;
using Citadel.ObjectStore;
using Citadel.Server.Services;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Citadel.Server.Hosting;

/// <summary>
/// The administrator's endpoints beside the AWS APIs, under <c>/citadel/admin/</c>, signed with SigV4 by the
/// administrator (scope service <c>citadel</c>), as <c>citadel operator seal</c> is. Each call is audited (event
/// source <c>admin.citadel</c>) before it is answered, like every API call.
/// <list type="bullet">
/// <item><c>POST /citadel/admin/explain</c> <c>{"requestId": "..."}</c>: the logged request and its authorization
/// decided again against current policies (<see cref="RequestExplainer"/>); 404 when no record has the id.</item>
/// <item><c>POST /citadel/admin/s3/rekey</c> <c>{"bucket": "...", "rewrapOnly": false, "batch": 200}</c>: runs the next
/// batch of the bucket's rekey job (<see cref="ObjectLayer.RekeyAsync"/>) and answers its progress; the job's state is
/// stored after each batch, so an interrupted rekey resumes where it stopped.</item>
/// </list>
/// </summary>
public sealed class AdminApi(RequestExplainer explainer, ObjectLayer objects, SigV4Verifier verifier, IAuditStore audit, CitadelOptions options, TimeProvider time, ILogger<AdminApi> logger)
{
    private const int MaxBodyBytes = 64 << 10;

    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        PropertyNameCaseInsensitive = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    private sealed record ExplainRequest(string? RequestId);

    private sealed record RekeyRequest(string? Bucket, bool RewrapOnly, int? Batch);

    /// <summary>Handles /citadel/admin/*.</summary>
    public async Task HandleAsync(HttpContext http, string requestId)
    {
        var path = http.Request.Path.Value!["/citadel/admin/".Length..];
        byte[] body;
        try
        {
            body = await RequestBodies.ReadAsync(http.Request, MaxBodyBytes, http.RequestAborted).ConfigureAwait(false);
        }
        catch (RequestBodyException e)
        {
            await WriteAsync(http, e.Status, new { error = e.Message }).ConfigureAwait(false);
            return;
        }
        Principal administrator;
        try
        {
            administrator = Authenticate(http, body);
        }
        catch (AuthenticationException e)
        {
            await WriteAsync(http, 403, new { error = e.Message }).ConfigureAwait(false);
            return;
        }

        int status;
        object answer;
        JsonNode? parameters = null;
        try
        {
            (status, answer, parameters) = (http.Request.Method, path) switch
            {
                ("POST", "explain") => await ExplainAsync(body, http.RequestAborted).ConfigureAwait(false),
                ("POST", "s3/rekey") => await RekeyAsync(body, http.RequestAborted).ConfigureAwait(false),
                _ => (404, new { error = "Unknown admin endpoint." }, null),
            };
        }
        catch (JsonException)
        {
            (status, answer) = (400, new { error = "The request body is not valid JSON." });
        }
        catch (ObjectStoreException e)
        {
            (status, answer) = (e.Error == ObjectStoreError.NoSuchBucket ? 404 : 400, new { error = e.Message });
        }
        catch (Kms.KmsException e)
        {
            (status, answer) = (400, new { error = $"{e.AwsType}: {e.Message}" });
        }

        var auditEvent = new AuditEvent
        {
            EventId = Guid.CreateVersion7().ToString(), // time-ordered, for the audit index
            EventTime = time.GetUtcNow(),
            EventSource = "admin.citadel",
            EventName = path switch { "explain" => "ExplainRequest", "s3/rekey" => "RekeyBucket", _ => "Unknown" },
            AwsRegion = options.Region,
            SourceIpAddress = http.Connection.RemoteIpAddress?.ToString() ?? "unknown",
            UserAgent = http.Request.Headers.UserAgent.ToString(),
            UserIdentity = new AuditIdentity(administrator.Type, administrator.PrincipalId, administrator.Arn, administrator.AccountId, administrator.AccessKeyId, "root"),
            RequestParameters = parameters,
            ErrorCode = status == 200 ? null : status.ToString(System.Globalization.CultureInfo.InvariantCulture),
            RequestId = requestId,
            ReadOnly = path != "s3/rekey",
            RecipientAccountId = options.AccountId,
        };
        try
        {
            await audit.AppendAsync(auditEvent, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            // Fail closed, as the pipeline does: nothing is answered without a record.
            logger.LogError(e, "admin.{Endpoint} could not be audited; answering with an error", path);
            (status, answer) = (500, new { error = "The request could not be recorded in the audit trail, so it was not answered. The request id is " + requestId + "." });
        }
        await WriteAsync(http, status, answer).ConfigureAwait(false);
    }

    private async Task<(int Status, object Answer, JsonNode? Parameters)> ExplainAsync(byte[] body, CancellationToken cancellationToken)
    {
        var request = JsonSerializer.Deserialize<ExplainRequest>(body, JsonOptions);
        if (request?.RequestId is not { Length: > 0 } id) return (400, new { error = "requestId is required." }, null);
        var parameters = new JsonObject { ["requestId"] = id };
        var explanation = await explainer.ExplainAsync(id, cancellationToken).ConfigureAwait(false);
        return explanation is null
            ? (404, new { error = $"No audit record has the request id {id}." }, parameters)
            : (200, explanation, parameters);
    }

    private async Task<(int Status, object Answer, JsonNode? Parameters)> RekeyAsync(byte[] body, CancellationToken cancellationToken)
    {
        var request = JsonSerializer.Deserialize<RekeyRequest>(body, JsonOptions);
        if (request?.Bucket is not { Length: > 0 } bucket) return (400, new { error = "bucket is required." }, null);
        var parameters = new JsonObject { ["bucket"] = bucket, ["rewrapOnly"] = request.RewrapOnly };
        var job = await objects.RekeyAsync(bucket, request.RewrapOnly, Math.Clamp(request.Batch ?? 200, 1, 10_000), cancellationToken).ConfigureAwait(false);
        return (200, job, parameters);
    }

    private Principal Authenticate(HttpContext http, byte[] body)
    {
        var headers = http.Request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.Select(v => v ?? "").ToArray());
        var authenticated = verifier.Verify(new SigV4Request(http.Request.Method, http.Request.Path.Value!, http.Request.QueryString.Value?.TrimStart('?') ?? "", headers,
            Convert.ToHexStringLower(SHA256.HashData(body))));
        if (!authenticated.Principal.IsRoot || authenticated.Scope.Service != "citadel")
            throw new AuthenticationException(AuthenticationErrorKind.SignatureMismatch, "Only the administrator may use the admin endpoints (SigV4, service citadel).");
        return authenticated.Principal;
    }

    private static async Task WriteAsync(HttpContext http, int status, object answer)
    {
        http.Response.StatusCode = status;
        http.Response.ContentType = "application/json";
        await http.Response.WriteAsync(JsonSerializer.Serialize(answer, answer.GetType(), JsonOptions)).ConfigureAwait(false);
    }
}
