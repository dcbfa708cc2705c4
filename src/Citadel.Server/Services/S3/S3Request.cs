using Citadel.Iam;
using Citadel.Server.Hosting;
using Microsoft.AspNetCore.Http;

namespace Citadel.Server.Services.S3;

/// <summary>One S3 request after addressing and authentication: bucket and key (path-style or virtual-host-style), query, headers, caller.</summary>
public sealed class S3Request
{
    /// <summary>The HTTP exchange.</summary>
    public required HttpContext Http { get; init; }
    /// <summary>The request id.</summary>
    public required string RequestId { get; init; }
    /// <summary>The bucket, or null for service-level requests (ListBuckets).</summary>
    public string? Bucket { get; init; }
    /// <summary>The object key, or null for bucket-level requests.</summary>
    public string? Key { get; init; }
    /// <summary>Decoded query parameters.</summary>
    public required IReadOnlyDictionary<string, string> Query { get; init; }
    /// <summary>The caller.</summary>
    public required Principal Principal { get; init; }
    /// <summary>The authentication details (signature, signing key for aws-chunked).</summary>
    public required AuthenticatedRequest Authentication { get; init; }
    /// <summary>The decoded body stream (aws-chunked decoded, payload hash checked).</summary>
    public required Stream Body { get; init; }
    /// <summary>Trailing headers of an aws-chunked body, once it was read to its end.</summary>
    public required Func<IReadOnlyDictionary<string, string>> Trailers { get; init; }

    /// <summary>
    /// Decides checks an operation asks for while it runs (DeleteObjects asks per key, as AWS does, answering each
    /// denied key with its own AccessDenied): null when allowed, else why not. Until the endpoint sets it, it denies.
    /// </summary>
    public Func<IReadOnlyList<AuthorizationCheck>, CancellationToken, Task<string?>> Authorize { get; set; } = (_, _) => Task.FromResult<string?>("Access Denied");

    /// <summary>The HTTP method.</summary>
    public string Method => Http.Request.Method;

    /// <summary>A request header, or null.</summary>
    public string? Header(string name) => Http.Request.Headers.TryGetValue(name, out var values) && values.Count > 0 ? values[0] : null;

    /// <summary>Whether the query names a subresource (?acl, ?encryption, ...).</summary>
    public bool Has(string parameter) => Query.ContainsKey(parameter);

    /// <summary>How a new object is encrypted, once decided for this request (its SSE-KMS key named by ARN).</summary>
    internal ObjectStore.Encryption.EncryptionRequest? NewObjectEncryption { get; set; }

    /// <summary>The SSE-KMS key of <see cref="NewObjectEncryption"/>, as authorization saw it.</summary>
    internal Kms.Model.KeyRecord? NewObjectKey { get; set; }

    private byte[]? _smallBody;

    /// <summary>
    /// Reads the whole (small) body, for XML configuration requests; refuses more than 1 MiB, and a body that does not
    /// match a checksum the request declared. Read once, kept for the handler.
    /// </summary>
    public async Task<byte[]> ReadSmallBodyAsync(CancellationToken cancellationToken)
    {
        if (_smallBody is not null) return _smallBody;
        using var buffer = new MemoryStream();
        var chunk = new byte[16384];
        int read;
        while ((read = await Body.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > 1 << 20) throw new ObjectStore.ObjectStoreException(ObjectStore.ObjectStoreError.InvalidRequest, "The request body is too large for this operation.");
            buffer.Write(chunk, 0, read);
        }
        var body = buffer.ToArray();
        RequestChecksums.VerifySmallBody(this, body);
        return _smallBody = body;
    }

    /// <summary>The ARN of the bucket.</summary>
    public string BucketArn(string partition) => $"arn:{partition}:s3:::{Bucket}";

    /// <summary>The ARN of the object.</summary>
    public string ObjectArn(string partition) => $"arn:{partition}:s3:::{Bucket}/{Key}";
}
