using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Citadel.Iam;

namespace Citadel.Server.Tests.Fuzzing;

/// <summary>
/// Signs fuzz cases the way a client does, with the repository's own SigV4 code: the Authorization header form through
/// <see cref="SigV4Signer"/>, presigned URLs through <see cref="SigV4Canonical"/>. Every header the case carries is
/// signed (values of a repeated header joined by commas, as the server canonicalizes them), except the transport's own
/// headers and the ones a case leaves out on purpose.
/// </summary>
internal static class FuzzSigner
{
    private static readonly HashSet<string> NeverSigned = new(StringComparer.OrdinalIgnoreCase)
    {
        "authorization", "content-length", "transfer-encoding", "expect", "connection", "user-agent", "host",
        // The signer writes these itself.
        "x-amz-date", "x-amz-security-token",
    };

    public static void Sign(FuzzRequest request, FuzzCredentials credentials, DateTimeOffset now)
    {
        var region = request.SigningRegion ?? FuzzFixtures.Region;
        var isS3 = request.Service == "s3";
        var declared = request.Header("x-amz-content-sha256");
        if (request.Presign)
        {
            Presign(request, credentials, now, region, declared);
        }
        else
        {
            var extra = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var (name, value) in request.Headers)
            {
                if (NeverSigned.Contains(name) || request.Unsigned.Contains(name)) continue;
                var lower = name.ToLowerInvariant();
                extra[lower] = extra.TryGetValue(lower, out var earlier) ? earlier + "," + value.Trim() : value;
            }
            var payloadHash = declared ?? (isS3 && request.BodyAfterSigning is not null ? "UNSIGNED-PAYLOAD" : null);
            var signed = SigV4Signer.Sign(request.Method, request.Host!, request.Path, request.Query, extra, request.Body,
                credentials.AccessKeyId, credentials.Secret, region, request.Service, now, credentials.SessionToken, payloadHash);
            foreach (var (name, value) in signed)
            {
                // The signer's own headers replace any the case carried under the same name.
                request.RemoveHeader(name);
                request.Headers.Add(new(name, value));
            }
        }
        if (request.BodyAfterSigning is { } body)
        {
            var date = now.UtcDateTime.ToString("yyyyMMdd", CultureInfo.InvariantCulture);
            var amzDate = now.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
            var signature = SignatureOf(request);
            request.Body = body(new SignatureContext(signature, amzDate, $"{date}/{region}/{request.Service}/aws4_request",
                SigV4Canonical.SigningKey(credentials.Secret, date, region, request.Service)));
        }
    }

    /// <summary>The signature the request carries (header or presigned query), or "" when it has none.</summary>
    public static string SignatureOf(FuzzRequest request)
    {
        var authorization = request.Header("authorization");
        if (authorization is not null)
        {
            var at = authorization.IndexOf("Signature=", StringComparison.Ordinal);
            return at < 0 ? "" : authorization[(at + "Signature=".Length)..].Split(',')[0].Trim();
        }
        foreach (var part in request.Query.Split('&'))
            if (part.StartsWith("X-Amz-Signature=", StringComparison.Ordinal)) return part["X-Amz-Signature=".Length..];
        return "";
    }

    private static void Presign(FuzzRequest request, FuzzCredentials credentials, DateTimeOffset now, string region, string? declared)
    {
        var amzDate = now.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        var date = amzDate[..8];
        var scope = $"{date}/{region}/{request.Service}/aws4_request";
        var headers = new SortedDictionary<string, string[]>(StringComparer.Ordinal);
        if (!request.PresignWithoutHost) headers["host"] = [request.Host!];
        foreach (var (name, value) in request.Headers)
        {
            if (NeverSigned.Contains(name) || request.Unsigned.Contains(name)) continue;
            var lower = name.ToLowerInvariant();
            headers[lower] = headers.TryGetValue(lower, out var earlier) ? [earlier[0] + "," + value.Trim()] : [value];
        }
        var signedHeaders = headers.Keys.ToList();
        var parameters = new List<string>
        {
            "X-Amz-Algorithm=" + SigV4Canonical.Algorithm,
            "X-Amz-Credential=" + SigV4Canonical.UriEncode($"{credentials.AccessKeyId}/{scope}", true),
            "X-Amz-Date=" + amzDate,
            "X-Amz-Expires=300",
            "X-Amz-SignedHeaders=" + SigV4Canonical.UriEncode(string.Join(';', signedHeaders), true),
        };
        if (credentials.SessionToken is not null) parameters.Add("X-Amz-Security-Token=" + SigV4Canonical.UriEncode(credentials.SessionToken, true));
        request.Query = request.Query.Length == 0 ? string.Join('&', parameters) : request.Query + "&" + string.Join('&', parameters);
        var payloadHash = declared ?? (request.Service == "s3" ? "UNSIGNED-PAYLOAD" : Convert.ToHexStringLower(SHA256.HashData(request.Body)));
        var canonical = SigV4Canonical.CanonicalRequest(request.Method, request.Path, request.Query, headers, signedHeaders, payloadHash, request.Service, excludeSignatureParameter: true);
        var signature = Convert.ToHexStringLower(HMACSHA256.HashData(SigV4Canonical.SigningKey(credentials.Secret, date, region, request.Service),
            Encoding.UTF8.GetBytes(SigV4Canonical.StringToSign(amzDate, scope, canonical))));
        request.Query += "&X-Amz-Signature=" + signature;
    }

    /// <summary>The signature of one aws-chunked chunk, chained from the previous one.</summary>
    public static string ChunkSignature(SignatureContext context, string previous, ReadOnlySpan<byte> chunk)
    {
        var stringToSign = $"AWS4-HMAC-SHA256-PAYLOAD\n{context.AmzDate}\n{context.Scope}\n{previous}\n{SigV4Canonical.EmptyPayloadSha256}\n{Convert.ToHexStringLower(SHA256.HashData(chunk))}";
        return Convert.ToHexStringLower(HMACSHA256.HashData(context.SigningKey, Encoding.UTF8.GetBytes(stringToSign)));
    }

    /// <summary>The trailer signature of an aws-chunked body: over the canonical trailers ("name:value\n" each).</summary>
    public static string TrailerSignature(SignatureContext context, string previous, string canonicalTrailers)
    {
        var stringToSign = $"AWS4-HMAC-SHA256-TRAILER\n{context.AmzDate}\n{context.Scope}\n{previous}\n{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonicalTrailers)))}";
        return Convert.ToHexStringLower(HMACSHA256.HashData(context.SigningKey, Encoding.UTF8.GetBytes(stringToSign)));
    }
}
