using Citadel.Audit.Trails;
using Citadel.ObjectStore;
using Citadel.ObjectStore.Encryption;

namespace Citadel.Server.Services.S3;

/// <summary>
/// Trails deliver into this server's own object store: each log or digest file is a PutObject into the trail's
/// bucket (SSE-KMS under the trail's key when it has one, else the bucket's default encryption), durable when
/// this returns, replacing an object of the same key as a retried delivery expects.
/// </summary>
public sealed class ObjectStoreTrailSink(ObjectLayer objects) : ITrailObjectSink
{
    /// <inheritdoc />
    public Task<bool> BucketExistsAsync(string bucket, CancellationToken cancellationToken)
        => Task.FromResult(objects.Catalog.GetBucket(bucket) is not null);

    /// <inheritdoc />
    public async Task PutObjectAsync(TrailObject trailObject, CancellationToken cancellationToken)
    {
        var bucket = objects.GetBucket(trailObject.Bucket);
        var encryption = trailObject.KmsKeyId is { } keyId
            ? new EncryptionRequest(EncryptionRequest.SseKms, keyId)
            : bucket.Encryption is { Algorithm: EncryptionRequest.SseKms } defaults
                ? new EncryptionRequest(EncryptionRequest.SseKms, defaults.KmsKeyId, null, defaults.BucketKeyEnabled)
                : EncryptionRequest.Default;
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase) { ["Content-Type"] = trailObject.ContentType };
        if (trailObject.ContentEncoding is { } contentEncoding) headers["Content-Encoding"] = contentEncoding;
        await objects.PutObjectAsync(new PutObjectInput(trailObject.Bucket, trailObject.Key, encryption, headers,
            new Dictionary<string, string>(trailObject.UserMetadata, StringComparer.Ordinal), new Dictionary<string, string>(), null, [],
            () => new Dictionary<string, string>(), trailObject.Content.Length), new MemoryStream(trailObject.Content, writable: false), cancellationToken).ConfigureAwait(false);
    }
}
