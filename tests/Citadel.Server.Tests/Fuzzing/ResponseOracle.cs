using System.Text;
using System.Text.Json;
using System.Xml;
using System.Xml.Linq;
using Citadel.Iam;

namespace Citadel.Server.Tests.Fuzzing;

/// <summary>A case the server answered wrongly: its class (for grouping), what was wrong, the case and the answer.</summary>
internal sealed record FuzzFailure(int Index, string Class, string Detail, FuzzRequest Request, FuzzResponse? Response);

/// <summary>
/// What every answer must be: never a 5xx (S3's 501 NotImplemented for a feature Citadel does not serve aside), never
/// a dropped connection for well-formed HTTP, an answer from the application (x-amzn-RequestId) unless the HTTP itself
/// was malformed, the error shape of the protocol the server routes the request to, a body a client can parse on
/// success, and a refusal where a correct server must refuse.
/// </summary>
internal static class ResponseOracle
{
    public static string? Check(FuzzRequest request, FuzzResponse response, out string failureClass)
    {
        var target = request.Generator;
        var protocol = ExpectedProtocol(request);
        request.ExpectedShapeName = protocol.ToString();
        failureClass = "";
        if (response.Error is not null)
        {
            if (request.MalformedHttp || KestrelRefuses(request)) return null;
            failureClass = $"no answer ({response.Error.GetType().Name}) {target}";
            return $"The connection ended without an answer to a well-formed request: {response.Error.GetType().Name}: {response.Error.Message}" +
                (response.Error.InnerException is { } inner ? $" ({inner.GetType().Name}: {inner.Message})" : "");
        }
        if (request.BodyLimit is { } limit && response.BodyBytesSent > limit + (16L << 20))
        {
            failureClass = $"body read past its limit {target}";
            return $"The server took {response.BodyBytesSent} bytes of the body before answering; its limit is {limit} bytes.";
        }
        var status = response.Status;
        var fromApplication = response.Header("x-amzn-RequestId") is not null;
        if (!fromApplication)
        {
            // Kestrel's own refusals of what it does not take (malformed HTTP, NUL in the path, past its size limits).
            if ((request.MalformedHttp || KestrelRefuses(request)) && status is (>= 400 and < 500) or 505) return null;
            failureClass = status >= 500 ? $"{status} {target} unhandled (no x-amzn-RequestId)" : $"answer not from the application {status} {target}";
            return $"Status {status} without x-amzn-RequestId: the answer did not come from Citadel's request handling (Kestrel answered, or the handler threw).";
        }
        var body = response.Body;
        if (status >= 500)
        {
            var notImplemented = protocol == FuzzProtocol.S3 && status == 501 && (request.Method == "HEAD" || ErrorCode(body) == "NotImplemented");
            if (!notImplemented)
            {
                failureClass = $"{status} {target} {ErrorType(protocol, response)}";
                return $"Status {status}: the server failed on this request.";
            }
            return null;
        }
        if (status is >= 200 and < 400)
        {
            if (request.MustReject is { } reason)
            {
                failureClass = $"accepted {reason.Split(' ').Take(6).Aggregate((a, b) => a + " " + b)} {ServiceOf(target)}";
                return $"Status {status}: the server accepted {reason}; it must refuse it.";
            }
            return SuccessBody(request, protocol, response, out failureClass);
        }
        return ErrorShape(request, protocol, response, out failureClass);
    }

    /// <summary>
    /// Requests Kestrel itself answers 400/414/431 before the application sees them: a NUL in the decoded path, a request
    /// line past 8 KiB, headers past 32 KiB or more than 100 of them.
    /// </summary>
    private static bool KestrelRefuses(FuzzRequest request)
        => request.Path.Contains("%00", StringComparison.Ordinal) || request.Target.Length + request.Method.Length + 10 > 8192
            || request.Headers.Sum(h => h.Key.Length + h.Value.Length + 4) + (request.Host?.Length ?? 0) > 32 * 1024 - 512 || request.Headers.Count > 95;

    private static string ServiceOf(string generator) => generator.Split('.')[0];

    private static string? SuccessBody(FuzzRequest request, FuzzProtocol protocol, FuzzResponse response, out string failureClass)
    {
        failureClass = "";
        var body = response.Body;
        try
        {
            switch (protocol)
            {
                case FuzzProtocol.AwsJson when body.Length > 0:
                case FuzzProtocol.Citadel when body.Length > 0:
                    using (JsonDocument.Parse(body)) { }
                    break;
                case FuzzProtocol.Query:
                    XDocument.Parse(Encoding.UTF8.GetString(body));
                    break;
                case FuzzProtocol.S3 when body.Length > 0 && request.Method != "HEAD" && request.Generator is not ("s3.GetObject" or "s3.HeadObject")
                    && (response.Header("content-type") ?? "").Contains("xml", StringComparison.Ordinal):
                    using (var reader = XmlReader.Create(new MemoryStream(body), S3ReaderSettings))
                        while (reader.Read()) { }
                    break;
                default:
                    break;
            }
        }
        catch (Exception e) when (e is JsonException or XmlException)
        {
            failureClass = $"unparsable success body {request.Generator}";
            return $"Status {response.Status} with a body its protocol's clients cannot parse: {e.Message}";
        }
        return null;
    }

    private static string? ErrorShape(FuzzRequest request, FuzzProtocol protocol, FuzzResponse response, out string failureClass)
    {
        failureClass = $"error shape {protocol} {response.Status} {request.Generator}";
        var body = response.Body;
        if (request.Method == "HEAD")
        {
            // No body answers a HEAD: only awsJson's header can say what went wrong.
            return protocol == FuzzProtocol.AwsJson && string.IsNullOrEmpty(response.Header("x-amzn-ErrorType")) ? "awsJson error to a HEAD without x-amzn-ErrorType." : null;
        }
        switch (protocol)
        {
            case FuzzProtocol.AwsJson:
                {
                    if (!(response.Header("content-type") ?? "").StartsWith("application/x-amz-json-1.1", StringComparison.Ordinal))
                        return $"awsJson error without Content-Type application/x-amz-json-1.1 (got '{response.Header("content-type")}').";
                    try
                    {
                        using var document = JsonDocument.Parse(body);
                        var root = document.RootElement;
                        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("__type", out var type) || type.ValueKind != JsonValueKind.String || type.GetString()!.Length == 0)
                            return "awsJson error without a __type string.";
                        if (!root.TryGetProperty("message", out var message) || message.ValueKind != JsonValueKind.String)
                            return "awsJson error without a message string.";
                        if (response.Header("x-amzn-ErrorType") != type.GetString())
                            return $"x-amzn-ErrorType '{response.Header("x-amzn-ErrorType")}' is not the body's __type '{type.GetString()}'.";
                    }
                    catch (JsonException e)
                    {
                        return "awsJson error body is not JSON: " + e.Message;
                    }
                    return null;
                }
            case FuzzProtocol.Query:
                {
                    try
                    {
                        var root = XDocument.Parse(Encoding.UTF8.GetString(body)).Root!;
                        if (root.Name.LocalName != "ErrorResponse") return $"query error root is <{root.Name.LocalName}>, not <ErrorResponse>.";
                        var code = root.Elements().FirstOrDefault(e => e.Name.LocalName == "Error")?.Elements().FirstOrDefault(e => e.Name.LocalName == "Code")?.Value;
                        if (string.IsNullOrEmpty(code)) return "query error without <Error><Code>.";
                    }
                    catch (XmlException e)
                    {
                        return "query error body is not XML: " + e.Message;
                    }
                    return null;
                }
            case FuzzProtocol.S3:
                {
                    if (request.Method == "HEAD" || response.Status == 304) return body.Length == 0 ? null : "S3 HEAD/304 error with a body.";
                    var code = ErrorCode(body);
                    return code is null ? "S3 error without <Error><Code>: " + FuzzRequest.Escape(body, 200) : null;
                }
            case FuzzProtocol.Citadel:
                {
                    if (request.Method == "HEAD") return null;
                    try
                    {
                        using var document = JsonDocument.Parse(body);
                        if (document.RootElement.ValueKind != JsonValueKind.Object || !document.RootElement.TryGetProperty("error", out var error) || error.ValueKind != JsonValueKind.String)
                            return "Citadel API error without an \"error\" string.";
                    }
                    catch (JsonException e)
                    {
                        return "Citadel API error body is not JSON: " + e.Message;
                    }
                    return null;
                }
            default:
                return null;
        }
    }

    /// <summary>
    /// How S3's XML is read: as S3 writes them, characters XML 1.0 cannot carry in a key or name come as numeric character
    /// references (&amp;#1;, S3's "XML related object key constraints"), which a strict parser refuses and a lenient one
    /// (CheckCharacters off) reads back unaltered; clients that want strict XML list with encoding-type=url, as botocore
    /// does. Anything else that is not well-formed still fails.
    /// </summary>
    private static readonly XmlReaderSettings S3ReaderSettings = new() { DtdProcessing = DtdProcessing.Prohibit, CheckCharacters = false };

    /// <summary>The Code of an S3 XML error body, or null when the body is not one.</summary>
    private static string? ErrorCode(byte[] body)
    {
        try
        {
            using var reader = XmlReader.Create(new MemoryStream(body), S3ReaderSettings);
            var root = XDocument.Load(reader).Root!;
            return root.Name.LocalName == "Error" ? root.Elements().FirstOrDefault(e => e.Name.LocalName == "Code")?.Value is { Length: > 0 } code ? code : null : null;
        }
        catch (XmlException)
        {
            return null;
        }
    }

    private static string ErrorType(FuzzProtocol protocol, FuzzResponse response)
    {
        try
        {
            return protocol switch
            {
                FuzzProtocol.AwsJson => response.Header("x-amzn-ErrorType") ?? "",
                FuzzProtocol.S3 => ErrorCode(response.Body) ?? "",
                FuzzProtocol.Query => XDocument.Parse(Encoding.UTF8.GetString(response.Body)).Descendants().FirstOrDefault(e => e.Name.LocalName == "Code")?.Value ?? "",
                _ => "",
            };
        }
        catch (XmlException)
        {
            return "";
        }
    }

    /// <summary>The path as Kestrel gives it to the application: percent-decoded (but %2F), dot segments removed.</summary>
    private static string KestrelPath(string raw)
    {
        var decoded = Uri.UnescapeDataString(raw.Replace("%2F", "%252F", StringComparison.OrdinalIgnoreCase));
        var segments = new List<string>();
        foreach (var segment in decoded.Split('/').Skip(1))
        {
            if (segment == ".") continue;
            if (segment == "..")
            {
                if (segments.Count > 0) segments.RemoveAt(segments.Count - 1);
                continue;
            }
            segments.Add(segment);
        }
        var path = "/" + string.Join('/', segments);
        return decoded.EndsWith("/.", StringComparison.Ordinal) || decoded.EndsWith("/..", StringComparison.Ordinal) ? path.TrimEnd('/') + "/" : path;
    }

    /// <summary>
    /// The protocol whose shape the answer must have, by the server's routing (CitadelServer): the SigV4 scope's service
    /// (as <see cref="SigV4Verifier.PeekScope"/> reads it), else the request's shape.
    /// </summary>
    public static FuzzProtocol ExpectedProtocol(FuzzRequest request)
    {
        var headers = new Dictionary<string, string[]>(StringComparer.Ordinal);
        foreach (var group in request.Headers.GroupBy(h => h.Key.ToLowerInvariant()))
            headers[group.Key] = group.Select(h => h.Value).ToArray();
        headers["host"] = [request.Host ?? ""];
        var scope = SigV4Verifier.PeekScope(new SigV4Request(request.Method, request.Path, request.Query, headers, "UNSIGNED-PAYLOAD"));
        var path = KestrelPath(request.Path);
        if (scope is null && request.Method == "GET" && path is "/health" or "/health/live" or "/health/ready" or "/metrics") return FuzzProtocol.Plain;
        if (scope?.Service is null or "citadel" && (path.StartsWith("/citadel/operator/", StringComparison.Ordinal) || path.StartsWith("/citadel/admin/", StringComparison.Ordinal)))
            return FuzzProtocol.Citadel;
        var target = request.Header("X-Amz-Target");
        if (scope is not null)
        {
            if (scope.Service == "s3") return FuzzProtocol.S3;
            return scope.Service switch
            {
                "kms" or "cloudtrail" => FuzzProtocol.AwsJson,
                "iam" or "sts" => FuzzProtocol.Query,
                _ => string.IsNullOrEmpty(target) ? FuzzProtocol.Query : FuzzProtocol.AwsJson,
            };
        }
        var contentType = request.Header("Content-Type") ?? "";
        var s3 = target is null && !(request.Method == "POST" && contentType.StartsWith("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase))
            && (path != "/" || request.Method != "POST");
        if (s3) return FuzzProtocol.S3;
        return string.IsNullOrEmpty(target) ? FuzzProtocol.Query : FuzzProtocol.AwsJson;
    }
}
