using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Citadel.Iam;

/// <summary>Signs requests with SigV4 (header form); used by the load generator and tests.</summary>
public static class SigV4Signer
{
    /// <summary>
    /// Returns the headers to add (x-amz-date, authorization, and x-amz-security-token when a session token is given)
    /// for a request with the given host, path, query and body.
    /// </summary>
    /// <param name="payloadHash">
    /// The payload hash to sign instead of the body's SHA-256: S3's x-amz-content-sha256 value, such as
    /// UNSIGNED-PAYLOAD (the caller sends that header too), or a precomputed hash of a large body.
    /// </param>
    public static IReadOnlyDictionary<string, string> Sign(string method, string host, string rawPath, string rawQuery,
        IReadOnlyDictionary<string, string> extraHeaders, ReadOnlySpan<byte> body, string accessKeyId, string secret,
        string region, string service, DateTimeOffset now, string? sessionToken = null, string? payloadHash = null)
    {
        var amzDate = now.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        var date = amzDate[..8];
        var headers = new SortedDictionary<string, string[]>(StringComparer.Ordinal) { ["host"] = [host], ["x-amz-date"] = [amzDate] };
        foreach (var (name, value) in extraHeaders) headers[name.ToLowerInvariant()] = [value];
        if (sessionToken is not null) headers["x-amz-security-token"] = [sessionToken];
        var signed = headers.Keys.ToList();
        payloadHash ??= Convert.ToHexStringLower(SHA256.HashData(body));
        var canonical = SigV4Canonical.CanonicalRequest(method, rawPath, rawQuery, headers, signed, payloadHash, service, false);
        var scope = $"{date}/{region}/{service}/aws4_request";
        var signature = Convert.ToHexStringLower(HMACSHA256.HashData(SigV4Canonical.SigningKey(secret, date, region, service),
            Encoding.UTF8.GetBytes(SigV4Canonical.StringToSign(amzDate, scope, canonical))));
        var result = new Dictionary<string, string>
        {
            ["x-amz-date"] = amzDate,
            ["authorization"] = $"{SigV4Canonical.Algorithm} Credential={accessKeyId}/{scope}, SignedHeaders={string.Join(';', signed)}, Signature={signature}",
        };
        if (sessionToken is not null) result["x-amz-security-token"] = sessionToken;
        return result;
    }
}
