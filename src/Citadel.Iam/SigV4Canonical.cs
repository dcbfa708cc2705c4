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
        => Encoding.UTF8.GetString(WriteCanonicalRequest(method, rawPath, rawQuery, headers, signedHeaders, payloadHash, service, excludeSignatureParameter).Written);

    /// <summary>
    /// The SHA-256 of the canonical request (what the string to sign carries), written to <paramref name="sha256"/>: the
    /// same bytes as <see cref="CanonicalRequest"/>, hashed where they were built, without a string of them.
    /// </summary>
    public static void HashCanonicalRequest(string method, string rawPath, string rawQuery, IReadOnlyDictionary<string, string[]> headers,
        IReadOnlyList<string> signedHeaders, string payloadHash, string service, bool excludeSignatureParameter, Span<byte> sha256)
        => SHA256.HashData(WriteCanonicalRequest(method, rawPath, rawQuery, headers, signedHeaders, payloadHash, service, excludeSignatureParameter).Written, sha256);

    private static Utf8Text WriteCanonicalRequest(string method, string rawPath, string rawQuery, IReadOnlyDictionary<string, string[]> headers,
        IReadOnlyList<string> signedHeaders, string payloadHash, string service, bool excludeSignatureParameter)
    {
        var text = Utf8Text.Rent();
        text.Append(method).Append('\n');
        var path = string.IsNullOrEmpty(rawPath) ? "/" : rawPath;
        if (service == "s3") text.Append(path);
        else AppendUriEncoded(text, path, encodeSlash: false);
        text.Append('\n');
        text.Append(CanonicalQuery(rawQuery, excludeSignatureParameter)).Append('\n');
        foreach (var name in signedHeaders)
        {
            text.Append(name).Append(':');
            if (headers.TryGetValue(name, out var values))
            {
                for (var i = 0; i < values.Length; i++)
                {
                    if (i > 0) text.Append(',');
                    AppendTrimmed(text, values[i]);
                }
            }
            text.Append('\n');
        }
        text.Append('\n');
        for (var i = 0; i < signedHeaders.Count; i++)
        {
            if (i > 0) text.Append(';');
            text.Append(signedHeaders[i]);
        }
        text.Append('\n').Append(payloadHash);
        return text;
    }

    /// <summary>Builds the string to sign from the canonical request.</summary>
    public static string StringToSign(string amzDate, string scope, string canonicalRequest)
        => $"{Algorithm}\n{amzDate}\n{scope}\n{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonicalRequest)))}";

    /// <summary>
    /// The signature (HMAC-SHA256 under <paramref name="signingKey"/> of the string to sign) of a request whose canonical
    /// request hashes to <paramref name="canonicalRequestSha256"/>, written to <paramref name="signature"/> (32 bytes).
    /// </summary>
    public static void Sign(ReadOnlySpan<byte> signingKey, string amzDate, CredentialScope scope, ReadOnlySpan<byte> canonicalRequestSha256, Span<byte> signature)
    {
        var text = Utf8Text.Rent();
        text.Append(Algorithm).Append('\n').Append(amzDate).Append('\n')
            .Append(scope.Date).Append('/').Append(scope.Region).Append('/').Append(scope.Service).Append("/aws4_request\n")
            .AppendHex(canonicalRequestSha256);
        HMACSHA256.HashData(signingKey, text.Written, signature);
    }

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
        if (!NeedsEncoding(value, encodeSlash)) return value;
        var text = new Utf8Text(value.Length * 3); // not the thread's buffer: the canonical query is encoded while a canonical request is built in it
        AppendPercentEncoded(text, value, encodeSlash);
        return Encoding.UTF8.GetString(text.Written);
    }

    private static bool IsUnreserved(char c, bool encodeSlash)
        => c is (>= 'A' and <= 'Z') or (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-' or '_' or '.' or '~' || (c == '/' && !encodeSlash);

    private static bool NeedsEncoding(string value, bool encodeSlash)
    {
        foreach (var c in value)
            if (!IsUnreserved(c, encodeSlash)) return true;
        return false;
    }

    private static void AppendUriEncoded(Utf8Text text, string value, bool encodeSlash)
    {
        if (NeedsEncoding(value, encodeSlash)) AppendPercentEncoded(text, value, encodeSlash);
        else text.Append(value); // all ASCII, one byte each
    }

    private static void AppendPercentEncoded(Utf8Text text, string value, bool encodeSlash)
    {
        Span<byte> percent = [(byte)'%', 0, 0];
        foreach (var b in Encoding.UTF8.GetBytes(value))
        {
            if (IsUnreserved((char)b, encodeSlash))
            {
                text.Append((char)b);
                continue;
            }
            percent[1] = (byte)"0123456789ABCDEF"[b >> 4];
            percent[2] = (byte)"0123456789ABCDEF"[b & 0xF];
            text.Append(percent);
        }
    }

    /// <summary>A header value as SigV4 canonicalizes it: trimmed, and every run of spaces inside made one space.</summary>
    private static void AppendTrimmed(Utf8Text text, string value)
    {
        var trimmed = value.AsSpan().Trim();
        while (trimmed.Length > 0)
        {
            var doubled = trimmed.IndexOf("  ", StringComparison.Ordinal);
            if (doubled < 0)
            {
                text.Append(trimmed);
                return;
            }
            text.Append(trimmed[..(doubled + 1)]);
            trimmed = trimmed[(doubled + 1)..].TrimStart(' ');
        }
    }
}
