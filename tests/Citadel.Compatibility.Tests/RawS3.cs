using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Citadel.Iam;

namespace Citadel.Compatibility.Tests;

/// <summary>
/// Hand-built S3 requests signed with SigV4 as the administrator, sent with the path and query exactly as written
/// (no client re-encodes them): for what the SDKs will not send, such as bytes that are not UTF-8 or a trailer that
/// does not match its declaration.
/// </summary>
public sealed class RawS3(CitadelProcess server)
{
    /// <summary>What came back.</summary>
    public sealed record Answer(HttpStatusCode Status, string Body, IReadOnlyDictionary<string, string> Headers)
    {
        /// <summary>The S3 error code of the body, or null.</summary>
        public string? Code => Element("Code");

        /// <summary>The text of the first element of that name, as written (character references not resolved).</summary>
        public string? Element(string name)
        {
            var start = Body.IndexOf($"<{name}>", StringComparison.Ordinal);
            if (start < 0) return null;
            start += name.Length + 2;
            return Body[start..Body.IndexOf($"</{name}>", start, StringComparison.Ordinal)];
        }

        public override string ToString() => $"{(int)Status} {Body}";
    }

    /// <summary>Sends a request; <paramref name="payloadHash"/> is the x-amz-content-sha256 it declares.</summary>
    public async Task<Answer> SendAsync(string method, string pathAndQuery, byte[]? body = null, IReadOnlyDictionary<string, string>? headers = null,
        string payloadHash = "UNSIGNED-PAYLOAD")
    {
        var (path, query) = Split(pathAndQuery);
        var (amzDate, scope, key) = Scope();
        var signed = SignedHeaders(amzDate, payloadHash, headers);
        var seed = Sign(key, SigV4Canonical.StringToSign(amzDate, scope, SigV4Canonical.CanonicalRequest(method, path, query, signed, signed.Keys.ToList(), payloadHash, "s3", false)));
        return await SendSignedAsync(method, pathAndQuery, body ?? [], signed, scope, seed);
    }

    /// <summary>
    /// Sends a body as signed aws-chunked (STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER): the chunks and the trailing
    /// headers given, each signed as the SDKs sign them.
    /// </summary>
    public async Task<Answer> SendSignedChunksAsync(string method, string pathAndQuery, byte[] data, IReadOnlyList<(string Name, string Value)> trailers,
        IReadOnlyDictionary<string, string>? headers = null)
    {
        const string payloadHash = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER";
        var (path, query) = Split(pathAndQuery);
        var (amzDate, scope, key) = Scope();
        var all = new Dictionary<string, string>(headers ?? new Dictionary<string, string>(), StringComparer.Ordinal)
        {
            ["content-encoding"] = "aws-chunked",
            ["x-amz-decoded-content-length"] = data.Length.ToString(CultureInfo.InvariantCulture),
        };
        var signed = SignedHeaders(amzDate, payloadHash, all);
        var previous = Sign(key, SigV4Canonical.StringToSign(amzDate, scope, SigV4Canonical.CanonicalRequest(method, path, query, signed, signed.Keys.ToList(), payloadHash, "s3", false)));
        var seed = previous;
        using var body = new MemoryStream();
        foreach (var chunk in new[] { data, [] })
        {
            var signature = Sign(key, $"AWS4-HMAC-SHA256-PAYLOAD\n{amzDate}\n{scope}\n{previous}\n{SigV4Canonical.EmptyPayloadSha256}\n{Hex(SHA256.HashData(chunk))}");
            previous = signature;
            body.Write(Encoding.ASCII.GetBytes($"{chunk.Length:x};chunk-signature={signature}\r\n"));
            body.Write(chunk);
            if (chunk.Length > 0) body.Write("\r\n"u8);
        }
        var canonicalTrailers = string.Concat(trailers.Select(t => $"{t.Name}:{t.Value}\n"));
        body.Write(Encoding.ASCII.GetBytes(canonicalTrailers.Replace("\n", "\r\n", StringComparison.Ordinal)));
        var trailerSignature = Sign(key, $"AWS4-HMAC-SHA256-TRAILER\n{amzDate}\n{scope}\n{previous}\n{Hex(SHA256.HashData(Encoding.UTF8.GetBytes(canonicalTrailers)))}");
        body.Write(Encoding.ASCII.GetBytes($"x-amz-trailer-signature:{trailerSignature}\r\n\r\n"));
        return await SendSignedAsync(method, pathAndQuery, body.ToArray(), signed, scope, seed);
    }

    /// <summary>An unsigned aws-chunked body (STREAMING-UNSIGNED-PAYLOAD-TRAILER): one chunk of data, then the trailing lines given.</summary>
    public static byte[] UnsignedChunks(byte[] data, IEnumerable<string> trailerLines)
    {
        using var body = new MemoryStream();
        body.Write(Encoding.ASCII.GetBytes($"{data.Length:x}\r\n"));
        body.Write(data);
        body.Write("\r\n0\r\n"u8);
        foreach (var line in trailerLines) body.Write(Encoding.ASCII.GetBytes(line + "\r\n"));
        body.Write("\r\n"u8);
        return body.ToArray();
    }

    private async Task<Answer> SendSignedAsync(string method, string pathAndQuery, byte[] body, SortedDictionary<string, string[]> signed, string scope, string signature)
    {
        // The path and query go out byte for byte as written: no canonicalization of percent escapes.
        var uri = new Uri(server.Endpoint + pathAndQuery, new UriCreationOptions { DangerousDisablePathAndQueryCanonicalization = true });
        using var request = new HttpRequestMessage(new HttpMethod(method), uri) { Content = new ByteArrayContent(body) };
        foreach (var (name, values) in signed)
        {
            if (name == "host") continue;
            if (name.StartsWith("content-", StringComparison.Ordinal)) request.Content.Headers.TryAddWithoutValidation(name, values[0]);
            else request.Headers.TryAddWithoutValidation(name, values[0]);
        }
        request.Headers.TryAddWithoutValidation("Authorization",
            $"{SigV4Canonical.Algorithm} Credential={CitadelProcess.AccessKeyId}/{scope}, SignedHeaders={string.Join(';', signed.Keys)}, Signature={signature}");
        using var http = server.HttpClient();
        using var response = await http.SendAsync(request);
        var headers = response.Headers.Concat(response.Content.Headers).ToDictionary(h => h.Key.ToLowerInvariant(), h => string.Join(",", h.Value));
        return new Answer(response.StatusCode, await response.Content.ReadAsStringAsync(), headers);
    }

    private SortedDictionary<string, string[]> SignedHeaders(string amzDate, string payloadHash, IReadOnlyDictionary<string, string>? headers)
    {
        var signed = new SortedDictionary<string, string[]>(StringComparer.Ordinal)
        {
            ["host"] = [$"localhost:{server.Port}"],
            ["x-amz-content-sha256"] = [payloadHash],
            ["x-amz-date"] = [amzDate],
        };
        foreach (var (name, value) in headers ?? new Dictionary<string, string>()) signed[name.ToLowerInvariant()] = [value];
        return signed;
    }

    private static (string AmzDate, string Scope, byte[] Key) Scope()
    {
        var amzDate = DateTimeOffset.UtcNow.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        var date = amzDate[..8];
        return (amzDate, $"{date}/us-east-1/s3/aws4_request", SigV4Canonical.SigningKey(CitadelProcess.SecretAccessKey, date, "us-east-1", "s3"));
    }

    private static (string Path, string Query) Split(string pathAndQuery)
    {
        var q = pathAndQuery.IndexOf('?', StringComparison.Ordinal);
        return q < 0 ? (pathAndQuery, "") : (pathAndQuery[..q], pathAndQuery[(q + 1)..]);
    }

    private static string Sign(byte[] key, string stringToSign) => Hex(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(stringToSign)));

    private static string Hex(byte[] bytes) => Convert.ToHexStringLower(bytes);
}
