using System.Security.Cryptography;
using System.Text;

namespace Citadel.Iam;

/// <summary>The canonical request and string-to-sign of AWS Signature Version 4, shared by the verifier and the signer.</summary>
public static class SigV4Canonical
{
    /// <summary>The only algorithm accepted.</summary>
    public const string Algorithm = "AWS4-HMAC-SHA256";

    /// <summary>The hex SHA-256 of an empty body.</summary>
    public const string EmptyPayloadSha256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    /// <summary>Builds the canonical request.</summary>
    /// <param name="service">S3 keeps the path as sent; every other service encodes it once more.</param>
    public static string CanonicalRequest(string method, string rawPath, string rawQuery, IReadOnlyDictionary<string, string[]> headers,
        IReadOnlyList<string> signedHeaders, string payloadHash, string service, bool excludeSignatureParameter)
    {
        var path = string.IsNullOrEmpty(rawPath) ? "/" : rawPath;
        var canonicalPath = service == "s3" ? path : UriEncode(path, encodeSlash: false);
        var builder = new StringBuilder(256);
        builder.Append(method).Append('\n');
        builder.Append(canonicalPath).Append('\n');
        builder.Append(CanonicalQuery(rawQuery, excludeSignatureParameter)).Append('\n');
        foreach (var name in signedHeaders)
        {
            builder.Append(name).Append(':');
            if (headers.TryGetValue(name, out var values))
                builder.Append(string.Join(',', values.Select(TrimAll)));
            builder.Append('\n');
        }
        builder.Append('\n');
        builder.Append(string.Join(';', signedHeaders)).Append('\n');
        builder.Append(payloadHash);
        return builder.ToString();
    }

    /// <summary>Builds the string to sign from the canonical request.</summary>
    public static string StringToSign(string amzDate, string scope, string canonicalRequest)
        => $"{Algorithm}\n{amzDate}\n{scope}\n{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonicalRequest)))}";

    /// <summary>Derives the signing key: HMAC chain over date, region, service and "aws4_request".</summary>
    public static byte[] SigningKey(string secret, string date, string region, string service)
    {
        var key = HMACSHA256.HashData(Encoding.UTF8.GetBytes("AWS4" + secret), Encoding.UTF8.GetBytes(date));
        key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(region));
        key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(service));
        return HMACSHA256.HashData(key, "aws4_request"u8);
    }

    /// <summary>The canonical query string: decoded and re-encoded pairs, sorted by name then value.</summary>
    public static string CanonicalQuery(string rawQuery, bool excludeSignatureParameter)
    {
        if (string.IsNullOrEmpty(rawQuery)) return "";
        var pairs = new List<(string Key, string Value)>();
        foreach (var part in rawQuery.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = part.IndexOf('=', StringComparison.Ordinal);
            var key = Uri.UnescapeDataString(eq < 0 ? part : part[..eq]);
            var value = eq < 0 ? "" : Uri.UnescapeDataString(part[(eq + 1)..]);
            if (excludeSignatureParameter && key == "X-Amz-Signature") continue;
            pairs.Add((UriEncode(key, true), UriEncode(value, true)));
        }
        pairs.Sort((a, b) =>
        {
            var c = string.CompareOrdinal(a.Key, b.Key);
            return c != 0 ? c : string.CompareOrdinal(a.Value, b.Value);
        });
        return string.Join('&', pairs.Select(p => p.Key + "=" + p.Value));
    }

    /// <summary>RFC 3986 encoding as SigV4 defines it: everything but unreserved characters, upper-case hex.</summary>
    public static string UriEncode(string value, bool encodeSlash)
    {
        var builder = new StringBuilder(value.Length);
        foreach (var b in Encoding.UTF8.GetBytes(value))
        {
            var c = (char)b;
            if (c is (>= 'A' and <= 'Z') or (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-' or '_' or '.' or '~' || (c == '/' && !encodeSlash))
                builder.Append(c);
            else
                builder.Append('%').Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
        }
        return builder.ToString();
    }

    private static string TrimAll(string value)
    {
        var trimmed = value.Trim();
        if (!trimmed.Contains("  ", StringComparison.Ordinal)) return trimmed;
        var builder = new StringBuilder(trimmed.Length);
        var previousSpace = false;
        foreach (var c in trimmed)
        {
            if (c == ' ' && previousSpace) continue;
            previousSpace = c == ' ';
            builder.Append(c);
        }
        return builder.ToString();
    }
}
