using System.Diagnostics;
using System.Text.Json.Nodes;
using Citadel.Audit;
using Citadel.Iam;
using Citadel.Iam.Policies;
using Citadel.Kms;
using Citadel.Kms.Keys;
using Citadel.ObjectStore;
using Citadel.Server.Hosting;
using Citadel.Server.Observability;
using Citadel.Server.Protocols.S3;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;

namespace Citadel.Server.Services.S3;

/// <summary>
/// The S3 (rest-xml) path of the request pipeline: address (path-style or virtual-host-style) → refuse while
/// sealed → authenticate (SigV4 header or presigned; the body's declared hash or aws-chunked signatures are
/// checked as it streams) → route to an operation → authorize (identity policies, the bucket policy, and the
/// KMS key policy for SSE-KMS) → run → record the audit event durably (no record, no answer) → answer in
/// S3's shape. Bodies stream: objects are never buffered whole.
/// </summary>
public sealed class S3Endpoint(S3Operations operations, SigV4Verifier verifier, IAuthorizer authorizer, IAuditStore audit, RootKeyHolder root,
    CitadelMetrics metrics, CitadelOptions options, TimeProvider time, ILogger<S3Endpoint> logger)
{
    /// <summary>Whether a request is for S3: signed for the s3 service, or unsigned and shaped like S3 (not JSON, not a query form).</summary>
    public static bool Claims(HttpContext http, CredentialScope? scope)
    {
        if (scope is not null) return scope.Service == "s3";
        var request = http.Request;
        if (request.Headers.ContainsKey("X-Amz-Target")) return false;
        if (HttpMethods.IsPost(request.Method) && (request.ContentType ?? "").StartsWith("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase)) return false;
        return (request.Path.Value ?? "/") != "/" || !HttpMethods.IsPost(request.Method);
    }

    /// <summary>Handles one S3 request.</summary>
    public async Task HandleAsync(HttpContext http, SigV4Request signed, string requestId)
    {
        var started = Stopwatch.GetTimestamp();
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
            limit.MaxRequestBodySize = ObjectLayer.MaxPutSize + (64L << 20);
        string? bucket, key;
        Dictionary<string, string> query;
        try
        {
            // Before anything else, as S3's front end does: a URI that does not decode names nothing.
            (bucket, key) = Address(http, signed.RawPath);
            query = ParseQuery(signed.RawQuery);
        }
        catch (ObjectStoreException e)
        {
            var refused = S3Errors.From(e);
            logger.LogInformation("s3 request refused before authentication: {Code} {Message}", refused.Code, refused.Message);
            metrics.Request("s3", "unknown", "client_error", Stopwatch.GetElapsedTime(started), []);
            await WriteErrorAsync(http, refused, requestId, null, null).ConfigureAwait(false);
            return;
        }
        var operationName = "Unknown";
        S3Error? error = null;
        S3Response? response = null;
        AuthenticatedRequest? authenticated = null;
        S3Operation? operation = null;
        S3Request? request = null;
        var resources = new List<AuditResource>();
        try
        {
            if (root.IsSealed)
            {
                await WriteErrorAsync(http, new S3Error(503, "ServiceUnavailable", "Citadel is sealed: an operator must unseal it (citadel operator unseal) before it can serve this request."), requestId, bucket, key).ConfigureAwait(false);
                return;
            }
            authenticated = verifier.Verify(signed);
        }
        catch (AuthenticationException e)
        {
            error = S3Errors.From(e);
        }
        if (error is not null)
        {
            logger.LogInformation("s3 request refused before authentication: {Code} {Message}", error.Code, error.Message);
            metrics.Request("s3", "unknown", "auth_error", Stopwatch.GetElapsedTime(started), []);
            await WriteErrorAsync(http, error, requestId, bucket, key).ConfigureAwait(false);
            return;
        }

        var principal = authenticated!.Principal;
        try
        {
            var (body, trailers) = DecodeBody(http, signed, authenticated);
            if (query.TryGetValue("versionId", out var versionId)) VersionIds.Validate(versionId);
            request = new S3Request
            {
                Http = http,
                RequestId = requestId,
                Bucket = bucket,
                Key = key,
                Query = query,
                Principal = principal,
                Authentication = authenticated,
                Body = body,
                Trailers = trailers,
            };
            request.Authorize = (checks, cancellationToken) => DeniedAsync(request, checks, cancellationToken);
            operation = operations.Route(request);
            operationName = operation.Name;
            CheckPayloadEncoding(signed, operation);
            if (bucket is not null) resources.Add(new AuditResource("AWS::S3::Bucket", request.BucketArn(options.Partition), options.AccountId));
            if (key is not null) resources.Add(new AuditResource("AWS::S3::Object", request.ObjectArn(options.Partition), options.AccountId));
            var checks = await operation.Checks(request, http.RequestAborted).ConfigureAwait(false);
            if (await DeniedAsync(request, checks, http.RequestAborted).ConfigureAwait(false) is { } denied)
                throw new S3AccessDeniedException(denied);
            response = await operation.Execute(request, http.RequestAborted).ConfigureAwait(false);
        }
        catch (ObjectStoreException e)
        {
            error = S3Errors.From(e);
        }
        catch (KmsException e)
        {
            error = S3Errors.From(e);
        }
        catch (S3AccessDeniedException e)
        {
            error = new S3Error(403, "AccessDenied", e.Message);
        }
        catch (BadHttpRequestException e)
        {
            error = new S3Error(e.StatusCode == 413 ? 400 : 400, e.StatusCode == 413 ? "EntityTooLarge" : "IncompleteBody", e.Message);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogError(e, "s3.{Operation} failed unexpectedly", operationName);
            error = new S3Error(500, "InternalError", "We encountered an internal error. Please try again. The request id is " + requestId + ".");
        }

        try
        {
            await RecordAsync(http, requestId, principal, operationName, operation?.ReadOnly ?? true, bucket, key, resources, response, error).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            logger.LogError(e, "s3.{Operation} could not be audited; answering with an error", operationName);
            response?.Content?.Dispose();
            response = null;
            error = new S3Error(500, "InternalError", "The request could not be recorded in the audit trail, so it was not answered. The request id is " + requestId + ".");
        }

        var outcome = error is null ? "success" : error.Status >= 500 ? "server_error" : "client_error";
        metrics.Request("s3", operation?.Name ?? "unknown", outcome, Stopwatch.GetElapsedTime(started), []);
        logger.LogInformation("s3.{Operation} {Outcome} {ErrorType} by {Principal} in {ElapsedMs:F1} ms",
            operationName, outcome, error?.Code ?? "-", principal.Arn, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        if (error is not null)
        {
            await WriteErrorAsync(http, error, requestId, bucket, key).ConfigureAwait(false);
            return;
        }
        await WriteAsync(http, response!).ConfigureAwait(false);
    }

    /// <summary>Null when the caller may do everything <paramref name="checks"/> asks, else the reason it may not.</summary>
    private async Task<string?> DeniedAsync(S3Request request, IReadOnlyList<AuthorizationCheck> checks, CancellationToken cancellationToken)
    {
        if (request.Principal.IsRoot)
        {
            // The account root passes identity checks, but an explicit Deny in a bucket policy binds it too, as in
            // AWS; it can always manage the policy itself, so it cannot lock itself out.
            foreach (var check in checks)
            {
                if (check.ResourcePolicy is null || check.Action.EndsWith("BucketPolicy", StringComparison.Ordinal)) continue;
                PolicyDocument document;
                try { document = PolicyDocument.Parse(check.ResourcePolicy); }
                catch (MalformedPolicyDocumentException) { continue; }
                var keys = PolicyAuthorizer.GlobalKeys(request.Principal, SourceIp(request.Http), request.Http.Request.IsHttps, time.GetUtcNow());
                foreach (var (k, v) in check.ConditionKeys) keys[k] = v;
                var context = new RequestContext(check.Action, check.Resource, request.Principal.Arn, request.Principal.AccountId, keys);
                if (PolicyEvaluator.Evaluate(context, [], document).Decision == Decision.ExplicitDeny)
                    return $"User: {request.Principal.Arn} is not authorized to perform: {check.Action} on resource: \"{check.Resource}\" with an explicit deny in a resource-based policy";
            }
            return null;
        }
        var globalKeys = PolicyAuthorizer.GlobalKeys(request.Principal, SourceIp(request.Http), request.Http.Request.IsHttps, time.GetUtcNow());
        return await authorizer.AuthorizeAsync(request.Principal, checks, globalKeys, cancellationToken).ConfigureAwait(false);
    }

    private static string SourceIp(HttpContext http) => http.Connection.RemoteIpAddress?.ToString() ?? "unknown";

    private async Task RecordAsync(HttpContext http, string requestId, Principal principal, string operationName, bool readOnly, string? bucket, string? key,
        List<AuditResource> resources, S3Response? response, S3Error? error)
    {
        var parameters = new JsonObject { ["Host"] = http.Request.Host.Value };
        if (bucket is not null) parameters["bucketName"] = bucket;
        if (key is not null) parameters["key"] = key;
        var auditEvent = new AuditEvent
        {
            EventId = Guid.CreateVersion7().ToString(), // time-ordered, for the audit index
            EventTime = time.GetUtcNow(),
            EventSource = "s3.amazonaws.com",
            EventName = operationName,
            AwsRegion = options.Region,
            SourceIpAddress = SourceIp(http),
            UserAgent = http.Request.Headers.UserAgent.ToString(),
            UserIdentity = new AuditIdentity(principal.Type, principal.PrincipalId, principal.Arn, principal.AccountId, principal.AccessKeyId,
                principal.UserName ?? (principal.IsRoot ? "root" : null)),
            RequestParameters = parameters,
            ResponseElements = error is null && !readOnly && response?.AuditResponse is { } elements ? ToJson(elements) : null,
            ErrorCode = error?.Code,
            ErrorMessage = error?.Message,
            RequestId = requestId,
            ReadOnly = readOnly,
            Resources = resources,
            RecipientAccountId = options.AccountId,
        };
        var auditStarted = Stopwatch.GetTimestamp();
        await audit.AppendAsync(auditEvent, CancellationToken.None).ConfigureAwait(false);
        metrics.AuditAppend(Stopwatch.GetElapsedTime(auditStarted));
    }

    private static JsonObject ToJson(Dictionary<string, object?> elements)
    {
        var node = new JsonObject();
        foreach (var (name, value) in elements) node[name] = value is null ? null : JsonValue.Create(value.ToString());
        return node;
    }

    private const string UnsignedTrailer = "STREAMING-UNSIGNED-PAYLOAD-TRAILER";

    private static string? Header(SigV4Request signed, string name) => signed.Headers.TryGetValue(name, out var values) && values.Length > 0 ? values[0] : null;

    /// <summary>
    /// Unsigned chunks are for object data only, as in S3: their trailing checksum is all that protects them, and only
    /// the uploads (PutObject, UploadPart) check it against the data.
    /// </summary>
    private static void CheckPayloadEncoding(SigV4Request signed, S3Operation operation)
    {
        if (Header(signed, "x-amz-content-sha256") == UnsignedTrailer && operation.Name is not ("PutObject" or "UploadPart"))
            throw new ObjectStoreException(ObjectStoreError.InvalidRequest, "The value of x-amz-content-sha256 header is invalid.");
    }

    /// <summary>
    /// The body as the operation reads it, checked as it streams by the encoding x-amz-content-sha256 declares (a hash,
    /// signed chunks, unsigned chunks with trailers the x-amz-trailer header names), and its trailers once read.
    /// </summary>
    private (Stream Body, Func<IReadOnlyDictionary<string, string>> Trailers) DecodeBody(HttpContext http, SigV4Request signed, AuthenticatedRequest authenticated)
    {
        var declared = Header(signed, "x-amz-content-sha256");
        var raw = new RequestBodyStream(http.Request.Body);
        var decodedLength = long.TryParse(Header(signed, "x-amz-decoded-content-length"), out var n) ? n : -1;
        IReadOnlyDictionary<string, string> none = new Dictionary<string, string>();
        switch (declared)
        {
            case null when authenticated.Presigned:
            case "UNSIGNED-PAYLOAD":
                return (raw, () => none);
            case null:
                throw new ObjectStoreException(ObjectStoreError.InvalidRequest, "Missing required header for this request: x-amz-content-sha256");
            case "STREAMING-AWS4-HMAC-SHA256-PAYLOAD" or "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER":
                {
                    var chunked = new AwsChunkedStream(raw, authenticated, decodedLength, RequestChecksums.TrailerNames(Header(signed, "x-amz-trailer")));
                    return (chunked, () => chunked.Trailers);
                }
            case UnsignedTrailer:
                {
                    var chunked = new AwsChunkedStream(raw, null, decodedLength, RequestChecksums.TrailerNames(Header(signed, "x-amz-trailer")));
                    return (chunked, () => chunked.Trailers);
                }
            default:
                if (declared.Length == 64 && declared.All(Uri.IsHexDigit))
                    return (new Sha256CheckingStream(raw, Convert.FromHexString(declared)), () => none);
                throw new ObjectStoreException(ObjectStoreError.InvalidArgument, "x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-UNSIGNED-PAYLOAD-TRAILER, STREAMING-AWS4-HMAC-SHA256-PAYLOAD, STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER, or a valid sha256 value.");
        }
    }

    /// <summary>
    /// Bucket and key from virtual-host-style (bucket.&lt;domain&gt;) or path-style (/bucket/key) addressing; InvalidURI
    /// when the path does not decode to UTF-8.
    /// </summary>
    private (string? Bucket, string? Key) Address(HttpContext http, string rawPath)
    {
        var path = PercentDecoding.TryDecode(rawPath.Length == 0 ? "/" : rawPath) ?? throw InvalidUri();
        var host = http.Request.Host.Host;
        // A host that is itself a configured domain is path-style; otherwise the longest matching domain wins,
        // so bucket.s3.localhost names "bucket" even though "localhost" is also configured.
        if (!options.S3VirtualHostDomains.Any(d => host.Equals(d, StringComparison.OrdinalIgnoreCase)))
        {
            foreach (var domain in options.S3VirtualHostDomains.OrderByDescending(d => d.Length))
            {
                if (host.Length > domain.Length + 1 && host.EndsWith("." + domain, StringComparison.OrdinalIgnoreCase))
                    return (host[..^(domain.Length + 1)], path.Length > 1 ? path[1..] : null);
            }
        }
        var trimmed = path.TrimStart('/');
        if (trimmed.Length == 0) return (null, null);
        var slash = trimmed.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0) return (trimmed, null);
        var key = trimmed[(slash + 1)..];
        return (trimmed[..slash], key.Length == 0 ? null : key);
    }

    /// <summary>The query parameters, decoded; InvalidURI when one does not decode to UTF-8 (a prefix or marker names keys too).</summary>
    private static Dictionary<string, string> ParseQuery(string rawQuery)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var part in rawQuery.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = part.IndexOf('=', StringComparison.Ordinal);
            var name = PercentDecoding.TryDecode(eq < 0 ? part : part[..eq], plusIsSpace: true) ?? throw InvalidUri();
            result[name] = eq < 0 ? "" : PercentDecoding.TryDecode(part[(eq + 1)..], plusIsSpace: true) ?? throw InvalidUri();
        }
        return result;
    }

    private static ObjectStoreException InvalidUri() => new(ObjectStoreError.InvalidUri, "Couldn't parse the specified URI.");

    private static async Task WriteAsync(HttpContext http, S3Response response)
    {
        http.Response.StatusCode = response.Status;
        foreach (var (name, value) in response.Headers) http.Response.Headers[name] = value;
        if (response.Content is { } content)
        {
            await using (content.ConfigureAwait(false))
            {
                http.Response.ContentLength = response.ContentLength;
                if (HttpMethods.IsHead(http.Request.Method)) return;
                try
                {
                    await CopyToResponseAsync(content, http.Response, http.RequestAborted).ConfigureAwait(false);
                }
                catch (ObjectStoreException)
                {
                    // The headers went out with the first bytes; a later chunk that fails to authenticate aborts the
                    // connection, so a client never takes a truncated body for a whole one.
                    http.Abort();
                }
            }
            return;
        }
        if (response.Body is { } body)
        {
            // XML unless the operation said otherwise (GetBucketPolicy answers the policy's JSON).
            if (!response.Headers.ContainsKey("Content-Type")) http.Response.ContentType = "application/xml";
            http.Response.ContentLength = body.Length;
            if (!HttpMethods.IsHead(http.Request.Method)) await http.Response.Body.WriteAsync(body).ConfigureAwait(false);
        }
        else if (!response.Headers.ContainsKey("Content-Length"))
        {
            http.Response.ContentLength = 0;
        }
    }

    // 16 chunks of Cobblestone: the object store decrypts whole chunks straight into the memory it is given.
    private const int ResponseWriteSize = 256 * 1024;

    /// <summary>
    /// Reads the content straight into the response's output pipe (the transport's buffers), so an object's
    /// plaintext is written once, by the decryption, instead of into a buffer of its own and then copied into the
    /// pipe. A read that fails has advanced nothing: no byte of a batch that did not authenticate is sent.
    /// </summary>
    private static async Task CopyToResponseAsync(Stream content, HttpResponse response, CancellationToken cancellationToken)
    {
        // Started first: memory taken before the headers are written is a buffer of Kestrel's own, copied into the pipe later.
        await response.StartAsync(cancellationToken).ConfigureAwait(false);
        var output = response.BodyWriter;
        while (true)
        {
            var memory = output.GetMemory(ResponseWriteSize);
            var read = await content.ReadAsync(memory, cancellationToken).ConfigureAwait(false);
            if (read == 0) return;
            output.Advance(read);
            var flushed = await output.FlushAsync(cancellationToken).ConfigureAwait(false);
            if (flushed.IsCompleted || flushed.IsCanceled) return;
        }
    }

    private static async Task WriteErrorAsync(HttpContext http, S3Error error, string requestId, string? bucket, string? key)
    {
        http.Response.StatusCode = error.Status;
        http.Response.Headers["x-amz-request-id"] = requestId;
        foreach (var (name, value) in error.Headers) http.Response.Headers[name] = value;
        if (HttpMethods.IsHead(http.Request.Method) || error.Status == 304)
        {
            http.Response.ContentLength = 0;
            return;
        }
        var xml = S3Xml.Error(error, requestId, bucket, key);
        http.Response.ContentType = "application/xml";
        http.Response.ContentLength = xml.Length;
        await http.Response.Body.WriteAsync(xml).ConfigureAwait(false);
    }
}

/// <summary>A request the policy engine denied.</summary>
public sealed class S3AccessDeniedException(string message) : Exception(message);
