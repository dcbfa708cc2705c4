namespace Citadel.Iam;

/// <summary>What SigV4 needs of an HTTP request, independent of the web stack.</summary>
/// <param name="Method">The HTTP method.</param>
/// <param name="RawPath">The path exactly as sent (still percent-encoded).</param>
/// <param name="RawQuery">The query string as sent, without the leading '?'.</param>
/// <param name="Headers">Header values by lower-case name.</param>
/// <param name="PayloadSha256Hex">The hex SHA-256 of the body, or the literal the client declared in x-amz-content-sha256.</param>
public sealed record SigV4Request(string Method, string RawPath, string RawQuery, IReadOnlyDictionary<string, string[]> Headers, string PayloadSha256Hex)
{
    /// <summary>
    /// The signature parts once parsed, so that routing (<see cref="SigV4Verifier.PeekScope"/>) and verifying parse a
    /// request's Authorization once. Only a successful parse is kept.
    /// </summary>
    internal (object? Parts, bool Presigned)? Parsed { get; set; }

    /// <summary>
    /// This request with the body's hash filled in (routing saw the request before its body was read). What was parsed
    /// of the signature carries over: it comes from the headers and query, never from the payload.
    /// </summary>
    public SigV4Request WithPayloadHash(string payloadSha256Hex) => new(Method, RawPath, RawQuery, Headers, payloadSha256Hex) { Parsed = Parsed };

    // A `with` copy may change what was parsed, so it starts without the parsed parts.
    private SigV4Request(SigV4Request original)
    {
        Method = original.Method;
        RawPath = original.RawPath;
        RawQuery = original.RawQuery;
        Headers = original.Headers;
        PayloadSha256Hex = original.PayloadSha256Hex;
    }
}

/// <summary>The credential scope of a signed request.</summary>
/// <param name="AccessKeyId">The access key id.</param>
/// <param name="Date">The scope date (yyyyMMdd).</param>
/// <param name="Region">The scope region.</param>
/// <param name="Service">The scope service name, which routes the request.</param>
public sealed record CredentialScope(string AccessKeyId, string Date, string Region, string Service);

/// <summary>A request that authenticated.</summary>
/// <param name="Principal">Who signed it.</param>
/// <param name="Scope">The credential scope.</param>
/// <param name="Presigned">Whether it came as a presigned URL.</param>
/// <param name="RequestTime">The signing time.</param>
public sealed record AuthenticatedRequest(Principal Principal, CredentialScope Scope, bool Presigned, DateTimeOffset RequestTime)
{
    /// <summary>The request's signature (the seed of aws-chunked chunk signatures).</summary>
    public string Signature { get; init; } = "";
    /// <summary>The x-amz-date the request was signed with.</summary>
    public string AmzDate { get; init; } = "";
    /// <summary>The derived SigV4 signing key, to verify aws-chunked chunk signatures; never logged.</summary>
    public byte[] SigningKey { get; init; } = [];
}
