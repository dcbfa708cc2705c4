namespace Citadel.Audit.Trails;

/// <summary>
/// One object a trail delivers: a gzipped log file or digest file, with the headers CloudTrail puts on it.
/// </summary>
/// <param name="Bucket">The trail's S3 bucket.</param>
/// <param name="Key">The object key (the trail's S3KeyPrefix, if any, is already in front).</param>
/// <param name="Content">The object bytes (gzip).</param>
/// <param name="ContentType">Content-Type: <c>application/json</c>.</param>
/// <param name="ContentEncoding">Content-Encoding: <c>gzip</c>.</param>
/// <param name="UserMetadata">
/// User metadata, keyed by the name after <c>x-amz-meta-</c> (lower case), as S3's PutObject <c>Metadata</c> map:
/// a digest file carries <c>signature</c> (hex) and <c>signature-algorithm</c> (<c>SHA256withRSA</c>); a log file none.
/// </param>
/// <param name="KmsKeyId">The trail's KmsKeyId when it has one: the object is to be stored with SSE-KMS under that key.</param>
public sealed record TrailObject(string Bucket, string Key, byte[] Content, string ContentType, string? ContentEncoding,
    IReadOnlyDictionary<string, string> UserMetadata, string? KmsKeyId);

/// <summary>
/// Where trails deliver their log and digest files: the S3 object store. Citadel.Audit knows nothing of S3; the
/// server passes an implementation on top of its object store. A put must be durable when it returns (a delivered
/// file is recorded as delivered right after), and must replace an object of the same key (a retried delivery puts
/// the same content again under the same key).
/// </summary>
public interface ITrailObjectSink
{
    /// <summary>Whether the bucket exists (CreateTrail and UpdateTrail refuse a bucket that does not).</summary>
    Task<bool> BucketExistsAsync(string bucket, CancellationToken cancellationToken);

    /// <summary>Stores the object; throws when it cannot (delivery is retried later).</summary>
    Task PutObjectAsync(TrailObject trailObject, CancellationToken cancellationToken);
}
