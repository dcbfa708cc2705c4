namespace Citadel.ObjectStore.Model;

/// <summary>One stored object version: what S3 returns about it, where its ciphertext lives, and its sealed key.</summary>
public sealed record ObjectRecord
{
    /// <summary>The bucket.</summary>
    public required string Bucket { get; init; }
    /// <summary>The object key.</summary>
    public required string Key { get; init; }
    /// <summary>"null" for unversioned writes, otherwise a generated id.</summary>
    public required string VersionId { get; init; }
    /// <summary>Plaintext size in bytes.</summary>
    public required long Size { get; init; }
    /// <summary>The quoted ETag (MD5 of the plaintext for single uploads; MD5 of part MD5s + "-N" for multipart).</summary>
    public required string ETag { get; init; }
    /// <summary>Last write time (second precision, as S3 reports it).</summary>
    public required DateTimeOffset LastModified { get; init; }
    /// <summary>Content-Type and the other standard headers stored with the object.</summary>
    public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>();
    /// <summary>x-amz-meta-* values by lower-case name (without the prefix).</summary>
    public IReadOnlyDictionary<string, string> UserMetadata { get; init; } = new Dictionary<string, string>();
    /// <summary>Full-object checksums the client sent, by algorithm (CRC32, CRC32C, CRC64NVME, SHA1, SHA256), base64.</summary>
    public IReadOnlyDictionary<string, string> Checksums { get; init; } = new Dictionary<string, string>();
    /// <summary>Object tags.</summary>
    public IReadOnlyDictionary<string, string> Tags { get; init; } = new Dictionary<string, string>();
    /// <summary>Whether this version is a delete marker (no data).</summary>
    public bool DeleteMarker { get; init; }
    /// <summary>The ciphertext segments in order: one for a simple upload, one per part for multipart.</summary>
    public IReadOnlyList<StoredSegment> Segments { get; init; } = [];
    /// <summary>The encryption of the object.</summary>
    public required ObjectEncryption Encryption { get; init; }
}

/// <summary>
/// One independently encrypted piece of an object (a whole simple upload, or one multipart part): a
/// Cobblestone-256 message under the object key, whose per-message salt gives each segment its own derived key.
/// </summary>
/// <param name="Blob">The blob name in the blob store.</param>
/// <param name="PlaintextSize">Plaintext bytes in this segment.</param>
/// <param name="PartNumber">The part number (0 for a simple upload).</param>
/// <param name="ETag">The part's quoted ETag (multipart).</param>
public sealed record StoredSegment(string Blob, long PlaintextSize, int PartNumber, string? ETag);

/// <summary>How an object's key is sealed (see <see cref="Encryption.ObjectKeys"/> for the key chain).</summary>
/// <param name="Mode">AES256 (SSE-S3), aws:kms (SSE-KMS) or SSE-C.</param>
/// <param name="SealedKey">The object key sealed under the S3 service key (SSE-S3), the bucket key (SSE-KMS with a bucket key) or the customer key (SSE-C); null when KMS returned it directly (<paramref name="KmsBlob"/>).</param>
/// <param name="KmsKeyArn">SSE-KMS: the KMS key.</param>
/// <param name="KmsContext">SSE-KMS: the encryption context bound to the data key.</param>
/// <param name="BucketKeyEnabled">SSE-KMS: whether a bucket key sealed the data keys.</param>
/// <param name="KmsBlob">SSE-KMS: the KMS ciphertext of the key that seals the segment keys (object key or bucket key).</param>
/// <param name="CustomerKeyMd5">SSE-C: base64 MD5 of the customer key (returned in headers, as AWS does).</param>
/// <param name="CustomerKeyCheck">SSE-C: salted HMAC of the customer key, to refuse a wrong key; the key is never stored.</param>
/// <param name="CustomerKeySalt">SSE-C: the salt of the check.</param>
public sealed record ObjectEncryption(string Mode, byte[]? SealedKey = null, string? KmsKeyArn = null, IReadOnlyDictionary<string, string>? KmsContext = null,
    bool BucketKeyEnabled = false, byte[]? KmsBlob = null, string? CustomerKeyMd5 = null, byte[]? CustomerKeyCheck = null, byte[]? CustomerKeySalt = null);
