using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;

namespace Citadel.Iam;

/// <summary>
/// Verifies AWS Signature Version 4 (<c>AWS4-HMAC-SHA256</c>) in the Authorization header form and
/// the presigned query form: credential scope, signed headers, payload hash, a 15-minute clock skew
/// and presigned expiry, with the signature compared in constant time.
/// </summary>
public sealed class SigV4Verifier(ICredentialStore credentials, TimeProvider time, ISessionCredentials? sessions = null)
{
    /// <summary>The allowed difference between the request time and the server clock.</summary>
    public static readonly TimeSpan MaxClockSkew = TimeSpan.FromMinutes(15);

    private const string AmzDateFormat = "yyyyMMdd'T'HHmmss'Z'";

    /// <summary>
    /// The region this deployment serves; a credential scope for another is refused (<see cref="AuthenticationErrorKind.WrongRegion"/>),
    /// as AWS refuses a request signed for another region's endpoint. IAM and STS also take <c>us-east-1</c>, the signing region
    /// of their global endpoints. Null accepts any region (unit tests of the signature arithmetic).
    /// </summary>
    public string? Region { get; init; }
    private readonly ConcurrentDictionary<(string, string, string, string, string), byte[]> _signingKeys = new();

    /// <summary>Returns the credential scope without verifying, to route a request before its protocol is parsed; null when absent.</summary>
    public static CredentialScope? PeekScope(SigV4Request request)
    {
        try
        {
            var parts = ParseAuthorization(request, out _);
            return parts?.Scope;
        }
        catch (AuthenticationException)
        {
            return null;
        }
    }

    /// <summary>Verifies the request; throws <see cref="AuthenticationException"/> when it does not authenticate.</summary>
    public AuthenticatedRequest Verify(SigV4Request request)
    {
        var parts = ParseAuthorization(request, out var presigned)
            ?? throw new AuthenticationException(AuthenticationErrorKind.MissingAuthentication, "Missing Authentication Token");

        var requestTime = ParseTime(parts.AmzDate);
        if (!parts.AmzDate.AsSpan(0, 8).SequenceEqual(parts.Scope.Date))
            throw new AuthenticationException(AuthenticationErrorKind.SignatureMismatch,
                $"Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '{parts.Scope.Date}' != '{parts.AmzDate[..8]}', from '{parts.AmzDate}'.");
        CheckTime(parts, requestTime, presigned);
        CheckRegion(parts.Scope, presigned);

        var token = request.Headers.TryGetValue("x-amz-security-token", out var tokens) && tokens.Length > 0 ? tokens[0]
            : presigned && ParseQuery(request.RawQuery).TryGetValue("X-Amz-Security-Token", out var queryToken) ? queryToken : null;
        var credential = (token is not null
                ? sessions?.Resolve(parts.Scope.AccessKeyId, token)
                : credentials.Find(parts.Scope.AccessKeyId))
            ?? throw new AuthenticationException(AuthenticationErrorKind.UnknownAccessKey, "The security token included in the request is invalid.");

        var payloadHash = PayloadHash(request, parts.Scope.Service, presigned);
        Span<byte> canonicalHash = stackalloc byte[32];
        SigV4Canonical.HashCanonicalRequest(request.Method, request.RawPath, request.RawQuery, request.Headers,
            parts.SignedHeaders, payloadHash, parts.Scope.Service, excludeSignatureParameter: presigned, canonicalHash);
        var keyOf = (credential.AccessKeyId, credential.SecretAccessKey, parts.Scope.Date, parts.Scope.Region, parts.Scope.Service);
        if (!_signingKeys.TryGetValue(keyOf, out var key))
        {
            // Counted on a miss only: a ConcurrentDictionary's Count takes all its locks, and this runs on every request.
            key = SigV4Canonical.SigningKey(credential.SecretAccessKey, parts.Scope.Date, parts.Scope.Region, parts.Scope.Service);
            if (_signingKeys.Count >= 10_000) _signingKeys.Clear();
            _signingKeys[keyOf] = key;
        }
        Span<byte> expected = stackalloc byte[32];
        SigV4Canonical.Sign(key, parts.AmzDate, parts.Scope, canonicalHash, expected);

        // A signature that is not 64 hex digits fails too, after the same constant-time comparison.
        Span<byte> provided = stackalloc byte[32];
        var wellFormed = parts.Signature.Length == 64 && Convert.FromHexString(parts.Signature, provided, out _, out _) == System.Buffers.OperationStatus.Done;
        if (!CryptographicOperations.FixedTimeEquals(expected, provided) | !wellFormed)
            throw new AuthenticationException(AuthenticationErrorKind.SignatureMismatch,
                "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.");

        CheckAllAmzHeadersSigned(request, parts.SignedHeaders);
        return new AuthenticatedRequest(credential.Principal, parts.Scope, presigned, requestTime)
        {
            Signature = parts.Signature.ToLowerInvariant(),
            AmzDate = parts.AmzDate,
            SigningKey = key,
        };
    }

    private void CheckRegion(CredentialScope scope, bool presigned)
    {
        if (Region is null || scope.Region == Region || (scope.Service is "iam" or "sts" && scope.Region == "us-east-1")) return;
        // KMS and the other awsJson services answer this text; S3 names the expected region (S3Errors).
        throw new AuthenticationException(AuthenticationErrorKind.WrongRegion, presigned
            ? $"Error parsing the X-Amz-Credential parameter; the region '{scope.Region}' is wrong; expecting '{Region}'"
            : $"Credential should be scoped to a valid region, not '{scope.Region}'.")
        { ExpectedRegion = Region, RequestRegion = scope.Region };
    }

    /// <summary>
    /// Every <c>x-amz-*</c> header the request carries must be covered by the signature, for header and presigned signatures
    /// alike: the operations read these headers (x-amz-copy-source turns a PUT into a copy, x-amz-server-side-encryption picks
    /// the key), so one added to a presigned URL or left out of SignedHeaders would let its sender change what the signer
    /// authorized. <c>x-amz-content-sha256</c> is exempt, as in S3: its value is the canonical request's last line, so it is
    /// covered whether listed or not. (<c>x-amzn-*</c>, which SDKs leave unsigned for tracing, is another prefix.)
    /// </summary>
    private static void CheckAllAmzHeadersSigned(SigV4Request request, IReadOnlyList<string> signedHeaders)
    {
        List<string>? unsigned = null;
        foreach (var name in request.Headers.Keys)
        {
            if (!name.StartsWith("x-amz-", StringComparison.Ordinal) || name == "x-amz-content-sha256") continue;
            if (!signedHeaders.Contains(name)) (unsigned ??= []).Add(name);
        }
        if (unsigned is not null)
            throw new AuthenticationException(AuthenticationErrorKind.HeadersNotSigned, "There were headers present in the request which were not signed")
            { HeadersNotSigned = unsigned };
    }

    private static string PayloadHash(SigV4Request request, string service, bool presigned)
    {
        if (request.Headers.TryGetValue("x-amz-content-sha256", out var declared) && declared.Length > 0)
        {
            // S3 streams bodies and checks the declared hash (or chunk signatures) as the body arrives. Every
            // other service reads the whole body first, so a declared value that is not the body's hash could
            // only be an attempt to sign something else than what is sent.
            if (service != "s3" && !string.Equals(declared[0], request.PayloadSha256Hex, StringComparison.OrdinalIgnoreCase))
                throw new AuthenticationException(AuthenticationErrorKind.SignatureMismatch, "The provided 'x-amz-content-sha256' header does not match what was computed.");
            return declared[0];
        }
        return presigned && service == "s3" ? "UNSIGNED-PAYLOAD" : request.PayloadSha256Hex;
    }

    private void CheckTime(AuthorizationParts parts, DateTimeOffset requestTime, bool presigned)
    {
        var now = time.GetUtcNow();
        if (presigned)
        {
            if (requestTime - now > MaxClockSkew)
                throw new AuthenticationException(AuthenticationErrorKind.Expired, "Request is not yet valid");
            if (now > requestTime.AddSeconds(parts.ExpiresSeconds))
                throw new AuthenticationException(AuthenticationErrorKind.Expired, "Request has expired");
            return;
        }
        // The messages are formatted only on failure: this runs on every request.
        if (now - requestTime > MaxClockSkew)
            throw new AuthenticationException(AuthenticationErrorKind.Expired,
                $"Signature expired: {parts.AmzDate} is now earlier than {Format(now - MaxClockSkew)} ({Format(now)} - 15 min.)");
        if (requestTime - now > MaxClockSkew)
            throw new AuthenticationException(AuthenticationErrorKind.Expired,
                $"Signature not yet current: {parts.AmzDate} is still later than {Format(now + MaxClockSkew)} ({Format(now)} + 15 min.)");
    }

    private static string Format(DateTimeOffset time) => time.ToString(AmzDateFormat, CultureInfo.InvariantCulture);

    private static DateTimeOffset ParseTime(string amzDate)
    {
        if (DateTimeOffset.TryParseExact(amzDate, AmzDateFormat, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var parsed))
            return parsed;
        throw new AuthenticationException(AuthenticationErrorKind.IncompleteSignature, $"Date must be in ISO-8601 'basic format'. Got '{amzDate}'. See http://en.wikipedia.org/wiki/ISO_8601");
    }

    private sealed record AuthorizationParts(CredentialScope Scope, IReadOnlyList<string> SignedHeaders, string Signature, string AmzDate, long ExpiresSeconds);

    private static AuthorizationParts? ParseAuthorization(SigV4Request request, out bool presigned)
    {
        if (request.Parsed is { } known)
        {
            presigned = known.Presigned;
            return (AuthorizationParts?)known.Parts;
        }
        var parts = ParseAuthorizationOnce(request, out presigned);
        request.Parsed = (parts, presigned);
        return parts;
    }

    private static AuthorizationParts? ParseAuthorizationOnce(SigV4Request request, out bool presigned)
    {
        presigned = false;
        if (request.Headers.TryGetValue("authorization", out var auth) && auth.Length > 0)
            return ParseHeader(auth[0], request);
        var query = ParseQuery(request.RawQuery);
        if (query.ContainsKey("X-Amz-Algorithm") || query.ContainsKey("X-Amz-Signature") || query.ContainsKey("X-Amz-Credential"))
        {
            presigned = true;
            return ParsePresigned(query);
        }
        return null;
    }

    private static AuthorizationParts ParseHeader(string header, SigV4Request request)
    {
        var space = header.IndexOf(' ', StringComparison.Ordinal);
        var algorithm = space < 0 ? header : header[..space];
        if (algorithm != SigV4Canonical.Algorithm)
            throw new AuthenticationException(AuthenticationErrorKind.IncompleteSignature,
                $"Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. Authorization=" + algorithm);
        // Fields are read in place (the last of a name wins); only the signature becomes a new string, the scope and the
        // signed-header list come from caches, since a client sends the same ones request after request.
        var fields = header.AsSpan(space + 1);
        ReadOnlySpan<char> credential = default, signature = default, signedHeaderList = default;
        bool hasCredential = false, hasSignature = false, hasSignedHeaders = false;
        foreach (var range in fields.Split(','))
        {
            var item = fields[range].Trim();
            var eq = item.IndexOf('=');
            if (eq <= 0) continue;
            var name = item[..eq];
            var value = item[(eq + 1)..];
            if (name.SequenceEqual("Credential"))
            {
                credential = value;
                hasCredential = true;
            }
            else if (name.SequenceEqual("Signature"))
            {
                signature = value;
                hasSignature = true;
            }
            else if (name.SequenceEqual("SignedHeaders"))
            {
                signedHeaderList = value;
                hasSignedHeaders = true;
            }
        }
        if (!hasCredential || !hasSignature || !hasSignedHeaders)
        {
            var missing = new[] { ("Credential", hasCredential), ("Signature", hasSignature), ("SignedHeaders", hasSignedHeaders) }.Where(f => !f.Item2);
            throw new AuthenticationException(AuthenticationErrorKind.IncompleteSignature,
                string.Concat(missing.Select(m => $"Authorization header requires '{m.Item1}' parameter. ")) + "Authorization=" + header);
        }

        string amzDate;
        if (request.Headers.TryGetValue("x-amz-date", out var amz) && amz.Length > 0) amzDate = amz[0];
        else if (request.Headers.TryGetValue("date", out var date) && date.Length > 0 && DateTimeOffset.TryParse(date[0], CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed))
            amzDate = parsed.UtcDateTime.ToString(AmzDateFormat, CultureInfo.InvariantCulture);
        else
            throw new AuthenticationException(AuthenticationErrorKind.IncompleteSignature,
                "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization=" + header);

        var signedHeaders = Cached(SignedHeaderLists, signedHeaderList, list => list.Split(';'));
        if (!signedHeaders.Contains("host"))
            throw new AuthenticationException(AuthenticationErrorKind.SignatureMismatch, "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.");
        return new AuthorizationParts(Cached(Scopes, credential, ParseScope), signedHeaders, signature.ToString(), amzDate, 0);
    }

    private static readonly ConcurrentDictionary<string, CredentialScope> Scopes = new(StringComparer.Ordinal);
    private static readonly ConcurrentDictionary<string, string[]> SignedHeaderLists = new(StringComparer.Ordinal);

    /// <summary>
    /// The parsed form of <paramref name="text"/> from <paramref name="cache"/>, parsing (and keeping) it when absent. Only
    /// successful parses are kept (a parse that fails throws), and a cache that grew past 10,000 entries (many clients,
    /// or someone sending made-up values) starts over.
    /// </summary>
    private static T Cached<T>(ConcurrentDictionary<string, T> cache, ReadOnlySpan<char> text, Func<string, T> parse)
    {
        if (cache.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(text, out var known)) return known;
        var key = text.ToString();
        var parsed = parse(key);
        if (cache.Count >= 10_000) cache.Clear();
        cache[key] = parsed;
        return parsed;
    }

    private static AuthorizationParts ParsePresigned(Dictionary<string, string> query)
    {
        var missing = new[] { "X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Signature", "X-Amz-SignedHeaders", "X-Amz-Date" }
            .Where(k => !query.ContainsKey(k)).ToList();
        if (missing.Count > 0)
            throw new AuthenticationException(AuthenticationErrorKind.IncompleteSignature,
                "AWS query-string parameters must include " + string.Join(", ", missing.Select(m => $"'{m}'")) + ". Re-examine the query-string parameters.");
        if (query["X-Amz-Algorithm"] != SigV4Canonical.Algorithm)
            throw new AuthenticationException(AuthenticationErrorKind.IncompleteSignature, "X-Amz-Algorithm only supports \"AWS4-HMAC-SHA256\"");
        long expires = 604800;
        if (query.TryGetValue("X-Amz-Expires", out var expiresText))
        {
            if (!long.TryParse(expiresText, NumberStyles.None, CultureInfo.InvariantCulture, out expires) || expires < 1 || expires > 604800)
                throw new AuthenticationException(AuthenticationErrorKind.IncompleteSignature, "X-Amz-Expires must be between 1 and 604800 seconds.");
        }
        // As for header signatures: without host, a URL signed for one virtual-host bucket would verify for any other.
        var signedHeaders = query["X-Amz-SignedHeaders"].Split(';');
        if (!signedHeaders.Contains("host"))
            throw new AuthenticationException(AuthenticationErrorKind.IncompleteSignature, "Query-string authentication requires 'host' in X-Amz-SignedHeaders.");
        return new AuthorizationParts(ParseScope(query["X-Amz-Credential"]), signedHeaders, query["X-Amz-Signature"], query["X-Amz-Date"], expires);
    }

    private static CredentialScope ParseScope(string credential)
    {
        var parts = credential.Split('/');
        if (parts.Length != 5 || parts[4] != "aws4_request" || parts[1].Length != 8 || parts.Any(string.IsNullOrEmpty))
            throw new AuthenticationException(AuthenticationErrorKind.IncompleteSignature,
                $"Credential should be scoped to a valid region, not '{(parts.Length > 2 ? parts[2] : "")}'. Credential should be scoped to correct service. Credential should be scoped with a valid terminator: 'aws4_request', not '{parts[^1]}'.");
        return new CredentialScope(parts[0], parts[1], parts[2], parts[3]);
    }

    private static Dictionary<string, string> ParseQuery(string rawQuery)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        if (string.IsNullOrEmpty(rawQuery)) return result;
        foreach (var part in rawQuery.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = part.IndexOf('=', StringComparison.Ordinal);
            var key = Uri.UnescapeDataString(eq < 0 ? part : part[..eq]);
            result[key] = eq < 0 ? "" : Uri.UnescapeDataString(part[(eq + 1)..]);
        }
        return result;
    }
}
