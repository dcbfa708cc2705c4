using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Citadel.Audit;
using Citadel.Iam;
using Citadel.Kms.Keys;
using Citadel.Server.Observability;
using Citadel.Server.Protocols;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Citadel.Server.Hosting;

/// <summary>
/// The one request path of every API call: route by the SigV4 scope's service → refuse while sealed
/// → authenticate → parse and validate against the service model → authorize → dispatch → record
/// the audit event durably (no record, no answer) → answer in the protocol's shape.
/// </summary>
public sealed class RequestPipeline(
    IReadOnlyDictionary<string, IApiService> services,
    SigV4Verifier verifier,
    IAuthorizer authorizer,
    IAuditStore audit,
    RootKeyHolder root,
    CitadelMetrics metrics,
    CitadelOptions options,
    TimeProvider time,
    ILogger<RequestPipeline> logger)
{
    private const int MaxBodyBytes = 1 << 20;

    /// <summary>The SigV4 verifier (shared with the S3 path).</summary>
    public SigV4Verifier Verifier => verifier;

    /// <summary>The policy engine (shared with the S3 path).</summary>
    public IAuthorizer Authorizer => authorizer;
    private const string JsonContentType = "application/x-amz-json-1.1";

    /// <summary>Handles one API request; <paramref name="routed"/> is the request as routing saw it (before the body was read).</summary>
    public async Task HandleAsync(HttpContext http, string requestId, SigV4Request routed)
    {
        var started = Stopwatch.GetTimestamp();
        var target = http.Request.Headers["X-Amz-Target"].ToString();
        // The scope comes from the headers and query alone, so a body that could not be read is refused in the shape of
        // the protocol the request is for (an IAM request carrying an X-Amz-Target is still answered in query XML).
        var scope = SigV4Verifier.PeekScope(routed);
        var service = scope is not null
            ? services.GetValueOrDefault(scope.Service)
            : services.Values.FirstOrDefault(s => s.Model.TargetPrefix.Length > 0 && target.StartsWith(s.Model.TargetPrefix + ".", StringComparison.Ordinal));
        byte[] body;
        try
        {
            body = await RequestBodies.ReadAsync(http.Request, MaxBodyBytes, http.RequestAborted).ConfigureAwait(false);
        }
        catch (RequestBodyException e)
        {
            var unread = new ServiceError(e.Status, e.Status == 413 ? "RequestEntityTooLargeException" : "SerializationException", e.Message);
            await WriteErrorAsync(http, service, unread, requestId, service is null ? target.Length == 0 : service.Model.Protocol == "query").ConfigureAwait(false);
            return;
        }

        var sigRequest = routed.WithPayloadHash(Convert.ToHexStringLower(SHA256.HashData(body)));
        var serviceName = service?.ScopeName ?? scope?.Service ?? "unknown";
        Dictionary<string, string>? queryParameters = null;
        string operationName;
        if (service?.Model.Protocol == "query")
        {
            queryParameters = QueryProtocol.Parameters(sigRequest.RawQuery, body, http.Request.ContentType);
            operationName = queryParameters.GetValueOrDefault("Action") ?? "";
        }
        else
        {
            operationName = service is not null && target.StartsWith(service.Model.TargetPrefix + ".", StringComparison.Ordinal)
                ? target[(service.Model.TargetPrefix.Length + 1)..] : "";
        }

        ServiceError? early = null;
        AuthenticatedRequest? authenticated = null;
        if (service is null && scope is not null)
            early = new ServiceError(400, "UnrecognizedClientException", $"Citadel does not serve the '{scope.Service}' service on this endpoint.");
        else if (service is not null && service.NeedsUnsealed && root.IsSealed)
            early = new ServiceError(503, "ServiceUnavailableException", "Citadel is sealed: an operator must unseal it (citadel operator unseal) before it can serve this request.");
        else
        {
            try
            {
                authenticated = verifier.Verify(sigRequest);
            }
            catch (AuthenticationException e)
            {
                early = e.Kind switch
                {
                    AuthenticationErrorKind.MissingAuthentication => new ServiceError(400, "MissingAuthenticationTokenException", e.Message),
                    AuthenticationErrorKind.IncompleteSignature => new ServiceError(400, "IncompleteSignatureException", e.Message),
                    AuthenticationErrorKind.UnknownAccessKey or AuthenticationErrorKind.InvalidToken => new ServiceError(400, "UnrecognizedClientException", e.Message),
                    AuthenticationErrorKind.ExpiredToken => new ServiceError(400, "ExpiredTokenException", e.Message),
                    AuthenticationErrorKind.HeadersNotSigned => new ServiceError(400, "AccessDeniedException", e.Message + ": " + string.Join(", ", e.HeadersNotSigned)),
                    _ => new ServiceError(400, "InvalidSignatureException", e.Message),
                };
            }
        }
        if (early is null && service is null)
            early = new ServiceError(400, "UnknownOperationException", "The request does not name a service Citadel serves.");
        if (early is not null)
        {
            logger.LogInformation("{Service}.{Operation} refused before authentication: {ErrorType} {Message}", serviceName, operationName, early.Type, early.Message);
            // Metric labels come only from known names, so a client cannot grow them without bound.
            var metricOperation = service is not null && service.Find(operationName) is { } known ? known.Name : "unknown";
            metrics.Request(service?.ScopeName ?? "unknown", metricOperation, "auth_error", Stopwatch.GetElapsedTime(started), []);
            await WriteErrorAsync(http, service, early, requestId, queryStyle: service is null ? target.Length == 0 : service.Model.Protocol == "query").ConfigureAwait(false);
            return;
        }

        var call = new ApiCall(requestId, authenticated!.Principal, http.Connection.RemoteIpAddress?.ToString() ?? "unknown", http.Request.Headers.UserAgent.ToString());
        await DispatchAsync(http, service!, operationName, call, body, queryParameters, started).ConfigureAwait(false);
    }

    private async Task DispatchAsync(HttpContext http, IApiService service, string operationName, ApiCall call, byte[] body, Dictionary<string, string>? queryParameters, long started)
    {
        var operation = operationName.Length > 0 ? service.Find(operationName) : null;
        var eventName = operation?.Name ?? (operationName.Length > 0 ? operationName : "Unknown");
        var collector = new ResourceCollector();
        object? request = null;
        object? response = null;
        ServiceError? error = null;
        try
        {
            if (operation is null || !service.Model.HasOperation(operation.Name))
                throw new ProtocolError(new ServiceError(400, "UnknownOperationException", $"Unknown operation '{operationName}'."));
            request = queryParameters is null
                ? Parse(service, operation, body)
                : Parse(service, operation, JsonSerializer.SerializeToUtf8Bytes(QueryProtocol.ToJson(service.Model, service.Model.InputShape(operation.Name), queryParameters)));
            if (!call.Principal.IsRoot)
            {
                var checks = await service.ChecksAsync(operation, request, call, collector, http.RequestAborted).ConfigureAwait(false);
                var keys = PolicyAuthorizer.GlobalKeys(call.Principal, call.SourceIp, http.Request.IsHttps, time.GetUtcNow());
                if (await authorizer.AuthorizeAsync(call.Principal, checks, keys, http.RequestAborted).ConfigureAwait(false) is { } denied)
                    throw new ProtocolError(new ServiceError(400, "AccessDeniedException", denied));
            }
            response = await operation.Execute(call, request, collector, http.RequestAborted).ConfigureAwait(false);
        }
        catch (ProtocolError e)
        {
            error = e.Error;
        }
        catch (Exception e) when (service.MapError(e) is { } mapped)
        {
            error = mapped;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogError(e, "{Service}.{Operation} failed unexpectedly", service.ScopeName, eventName);
            error = new ServiceError(500, service.ScopeName == "kms" ? "KMSInternalException" : "InternalFailure", "An internal error occurred. The request id is " + call.RequestId + ".");
        }

        var auditEvent = new AuditEvent
        {
            EventId = Guid.CreateVersion7().ToString(), // time-ordered, for the audit index
            EventTime = time.GetUtcNow(),
            EventSource = service.EventSource,
            EventName = eventName,
            AwsRegion = options.Region,
            SourceIpAddress = call.SourceIp,
            UserAgent = call.UserAgent,
            UserIdentity = new AuditIdentity(call.Principal.Type, call.Principal.PrincipalId, call.Principal.Arn, call.Principal.AccountId,
                call.Principal.AccessKeyId, call.Principal.UserName ?? (call.Principal.IsRoot ? "root" : null)),
            RequestParameters = WireJson.ForAudit(request),
            ResponseElements = error is null && operation is { ReadOnly: false } ? WireJson.ForAudit(response) : null,
            ErrorCode = error?.Type,
            ErrorMessage = error?.Message,
            RequestId = call.RequestId,
            ReadOnly = operation?.ReadOnly ?? true,
            Resources = collector.DistinctResources(),
            RecipientAccountId = options.AccountId,
        };
        try
        {
            var auditStarted = Stopwatch.GetTimestamp();
            await audit.AppendAsync(auditEvent, CancellationToken.None).ConfigureAwait(false);
            metrics.AuditAppend(Stopwatch.GetElapsedTime(auditStarted));
        }
        catch (Exception e)
        {
            // Fail closed: nothing is answered without a record.
            logger.LogError(e, "{Service}.{Operation} could not be audited; answering with an error", service.ScopeName, eventName);
            error = new ServiceError(500, service.ScopeName == "kms" ? "KMSInternalException" : "InternalFailure",
                "The request could not be recorded in the audit trail, so it was not answered. The request id is " + call.RequestId + ".");
            response = null;
        }

        var outcome = error is null ? "success" : error.Status >= 500 ? "server_error" : "client_error";
        metrics.Request(service.ScopeName, operation?.Name ?? "unknown", outcome, Stopwatch.GetElapsedTime(started), collector.KeySpecs);
        // Guarded: the arguments (boxed, in an array) would be built for every request even when the level is off.
        if (logger.IsEnabled(LogLevel.Information))
            logger.LogInformation("{Service}.{Operation} {Outcome} {ErrorType} by {Principal} in {ElapsedMs:F1} ms",
            service.ScopeName, eventName, outcome, error?.Type ?? "-", call.Principal.Arn, Stopwatch.GetElapsedTime(started).TotalMilliseconds);

        var query = service.Model.Protocol == "query";
        if (error is not null)
        {
            await WriteErrorAsync(http, service, error, call.RequestId, query).ConfigureAwait(false);
            return;
        }
        http.Response.StatusCode = 200;
        byte[] payload;
        if (query)
        {
            http.Response.ContentType = "text/xml";
            var node = response is null or Citadel.Kms.EmptyResponse ? null : JsonSerializer.SerializeToNode(response, response.GetType(), WireJson.Options);
            payload = Encoding.UTF8.GetBytes(QueryProtocol.ToXml(service.Model, operation!.Name, node, call.RequestId));
        }
        else
        {
            http.Response.ContentType = JsonContentType;
            payload = response is null or Citadel.Kms.EmptyResponse ? "{}"u8.ToArray() : JsonSerializer.SerializeToUtf8Bytes(response, response.GetType(), WireJson.Options);
        }
        http.Response.ContentLength = payload.Length;
        await http.Response.Body.WriteAsync(payload).ConfigureAwait(false);
    }

    private static object Parse(IApiService service, ApiOperation operation, byte[] body)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body.Length == 0 ? "{}"u8.ToArray() : body);
        }
        catch (JsonException)
        {
            throw new ProtocolError(new ServiceError(400, "SerializationException", "The request body is not valid JSON."));
        }
        using (document)
        {
            try
            {
                if (service.Model.Validate(operation.Name, document.RootElement) is { } invalid)
                    throw new ProtocolError(new ServiceError(400, invalid.Type, invalid.Message));
                return document.RootElement.Deserialize(operation.RequestType, WireJson.Options)
                    ?? throw new ProtocolError(new ServiceError(400, "SerializationException", "The request body is empty."));
            }
            catch (JsonException e)
            {
                throw new ProtocolError(new ServiceError(400, "SerializationException", e.Message));
            }
            catch (InvalidOperationException)
            {
                // JsonDocument checks structure, not the text of strings: a string that is not valid UTF-8, or an escaped lone
                // surrogate (\ud800), fails only when it is read (GetString), in the validation or the binding.
                throw new ProtocolError(new ServiceError(400, "SerializationException", "The request body contains a string that is not valid Unicode text."));
            }
        }
    }

    /// <summary>Writes an error in the protocol's shape: awsJson (<c>__type</c>, <c>message</c>, x-amzn-ErrorType) or query XML.</summary>
    public static async Task WriteErrorAsync(HttpContext http, IApiService? service, ServiceError error, string requestId, bool queryStyle)
    {
        if (queryStyle)
        {
            var (status, code) = QueryErrors.Translate(error);
            http.Response.StatusCode = status;
            http.Response.ContentType = "text/xml";
            var xml = Encoding.UTF8.GetBytes(QueryProtocol.ErrorXml(service?.Model, code, error.Message, status < 500, requestId));
            http.Response.ContentLength = xml.Length;
            await http.Response.Body.WriteAsync(xml).ConfigureAwait(false);
            return;
        }
        http.Response.StatusCode = error.Status;
        http.Response.ContentType = JsonContentType;
        http.Response.Headers["x-amzn-ErrorType"] = error.Type;
        var payload = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string> { ["__type"] = error.Type, ["message"] = error.Message });
        http.Response.ContentLength = payload.Length;
        await http.Response.Body.WriteAsync(payload).ConfigureAwait(false);
    }

    private sealed class ProtocolError(ServiceError error) : Exception(error.Message)
    {
        public ServiceError Error { get; } = error;
    }

}
