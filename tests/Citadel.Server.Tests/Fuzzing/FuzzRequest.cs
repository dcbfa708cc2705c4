using System.Globalization;
using System.Text;

namespace Citadel.Server.Tests.Fuzzing;

/// <summary>The error shape a response must have, by the protocol the server routes the request to.</summary>
internal enum FuzzProtocol
{
    /// <summary>awsJson1_1 (KMS, CloudTrail): JSON with __type and message, x-amzn-ErrorType.</summary>
    AwsJson,
    /// <summary>The query protocol (IAM, STS): XML ErrorResponse with a Code.</summary>
    Query,
    /// <summary>rest-xml (S3): XML Error with a Code, no body for HEAD.</summary>
    S3,
    /// <summary>/citadel/admin/* and /citadel/operator/*: JSON {"error": ...}.</summary>
    Citadel,
    /// <summary>/health and /metrics: no error shape, just never a 5xx other than a sealed server's readiness.</summary>
    Plain,
}

/// <summary>How the body goes on the wire.</summary>
internal enum BodyFraming
{
    /// <summary>With Content-Length (or none at all when the body is empty and the method has none).</summary>
    ContentLength,
    /// <summary>Transfer-Encoding: chunked (HTTP/1.1 chunks; unrelated to aws-chunked, which may travel either way).</summary>
    Chunked,
}

/// <summary>Who signs a case, and how.</summary>
internal enum FuzzSigning
{
    Admin,
    User,
    Session,
    /// <summary>Sent as generated: unsigned, or with the broken signature a mutation put in.</summary>
    AsIs,
}

/// <summary>
/// One fuzz case: an HTTP request as it goes on the wire (method, raw target, headers in order, body and framing), what
/// produced it (generator and mutations, for the failure message), and what the answer must be.
/// </summary>
internal sealed class FuzzRequest
{
    public required string Generator { get; set; }
    public List<string> Mutations { get; } = [];
    public string Method { get; set; } = "POST";
    /// <summary>The raw path as sent (percent-encoded by the generator).</summary>
    public string Path { get; set; } = "/";
    /// <summary>The raw query as sent, without '?'.</summary>
    public string Query { get; set; } = "";
    public List<KeyValuePair<string, string>> Headers { get; } = [];
    public byte[] Body { get; set; } = [];
    public BodyFraming Framing { get; set; } = BodyFraming.ContentLength;
    /// <summary>The Host header; the harness fills in the server's address when null.</summary>
    public string? Host { get; set; }
    /// <summary>The SigV4 scope service a signer uses (kms, cloudtrail, iam, sts, s3, citadel).</summary>
    public required string Service { get; init; }
    public FuzzSigning Signing { get; set; } = FuzzSigning.Admin;
    /// <summary>Sign with these credentials instead of the signer's (a wrong secret, another session's token).</summary>
    public FuzzCredentials? CredentialsOverride { get; set; }
    /// <summary>Sign as if the clock were off by this much.</summary>
    public TimeSpan SigningTimeOffset { get; set; }
    /// <summary>Sign with this region in the credential scope (the server's own when null).</summary>
    public string? SigningRegion { get; set; }
    /// <summary>Sign as a presigned URL (query parameters) instead of the Authorization header.</summary>
    public bool Presign { get; set; }
    /// <summary>Headers the signer leaves out of SignedHeaders (added after signing).</summary>
    public HashSet<string> Unsigned { get; } = new(StringComparer.OrdinalIgnoreCase);
    /// <summary>Presigned: leave host out of X-Amz-SignedHeaders.</summary>
    public bool PresignWithoutHost { get; set; }
    /// <summary>Runs once the signature is known: aws-chunked bodies chain their chunk signatures from it.</summary>
    public Func<SignatureContext, byte[]>? BodyAfterSigning { get; set; }
    /// <summary>Runs after signing: breaks the signature or the headers it covers.</summary>
    public Action<FuzzRequest>? AfterSigning { get; set; }
    /// <summary>Why a 2xx answer is wrong (a request the server must refuse), or null.</summary>
    public string? MustReject { get; set; }
    /// <summary>Not well-formed HTTP: the server (Kestrel) may answer 400 itself or close the connection.</summary>
    public bool MalformedHttp { get; set; }
    /// <summary>Bytes written to a socket as they are instead of going through HttpClient (malformed HTTP).</summary>
    public byte[]? Raw { get; set; }
    /// <summary>Makes the raw bytes once the case is signed (malformed framing around a signed request).</summary>
    public Func<FuzzRequest, byte[]>? RawTransform { get; set; }
    /// <summary>Header values are sent in this encoding (non-ASCII header cases); ASCII otherwise.</summary>
    public Encoding? HeaderEncoding { get; set; }
    /// <summary>Sends a body of this many bytes, made as it goes (Transfer-Encoding: chunked), instead of <see cref="Body"/>.</summary>
    public long? StreamedBodyLength { get; set; }
    /// <summary>The body limit of the endpoint: a server that took more than this and then some before answering read too far.</summary>
    public long? BodyLimit { get; set; }
    /// <summary>Sends Expect: 100-continue.</summary>
    public bool ExpectContinue { get; set; }

    public string? Header(string name) => Headers.FirstOrDefault(h => h.Key.Equals(name, StringComparison.OrdinalIgnoreCase)).Value;

    public void SetHeader(string name, string value)
    {
        Headers.RemoveAll(h => h.Key.Equals(name, StringComparison.OrdinalIgnoreCase));
        Headers.Add(new(name, value));
    }

    public void RemoveHeader(string name) => Headers.RemoveAll(h => h.Key.Equals(name, StringComparison.OrdinalIgnoreCase));

    public string Target => Query.Length == 0 ? Path : Path + "?" + Query;

    public FuzzRequest Mutated(string mutation)
    {
        Mutations.Add(mutation);
        return this;
    }

    /// <summary>The request as sent, for the failure message: request line, headers, and the body (escaped, cut past 4 KiB).</summary>
    public string Describe(int maxBody = 4096)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"generator {Generator}; mutations [{string.Join(", ", Mutations)}]; signing {Signing}{(Presign ? " (presigned)" : "")}{(SigningRegion is null ? "" : " region " + SigningRegion)}; expected shape {ExpectedShapeName}\n");
        if (Raw is not null)
        {
            text.Append(CultureInfo.InvariantCulture, $"raw bytes ({Raw.Length}):\n");
            text.Append(Escape(Raw, maxBody));
            return text.ToString();
        }
        text.Append(CultureInfo.InvariantCulture, $"{Method} {Target} HTTP/1.1\n");
        text.Append(CultureInfo.InvariantCulture, $"Host: {Host}\n");
        foreach (var (name, value) in Headers) text.Append(CultureInfo.InvariantCulture, $"{name}: {Escape(Encoding.UTF8.GetBytes(value), 2048)}\n");
        text.Append(Framing == BodyFraming.Chunked ? "(Transfer-Encoding: chunked)\n" : $"(Content-Length: {Body.Length})\n");
        text.Append('\n');
        text.Append(Escape(Body, maxBody));
        return text.ToString();
    }

    public string ExpectedShapeName { get; set; } = "";

    /// <summary>Printable ASCII as is; everything else as \xNN (and \n, \r, \t), cut after <paramref name="max"/> bytes.</summary>
    public static string Escape(byte[] bytes, int max)
    {
        var text = new StringBuilder();
        foreach (var b in bytes.AsSpan(0, Math.Min(bytes.Length, max)))
        {
            if (b is >= 0x20 and < 0x7f && b != '\\') text.Append((char)b);
            else if (b == '\\') text.Append(@"\\");
            else if (b == '\n') text.Append(@"\n");
            else if (b == '\r') text.Append(@"\r");
            else if (b == '\t') text.Append(@"\t");
            else text.Append(CultureInfo.InvariantCulture, $"\\x{b:x2}");
        }
        if (bytes.Length > max) text.Append(CultureInfo.InvariantCulture, $"... ({bytes.Length - max} more bytes; the whole request is in the file named below)");
        return text.ToString();
    }
}

/// <summary>What an aws-chunked body needs of the request signature.</summary>
internal sealed record SignatureContext(string Signature, string AmzDate, string Scope, byte[] SigningKey);
