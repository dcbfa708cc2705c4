namespace Citadel.ObjectStore.Model;

/// <summary>A multipart upload in progress: where it will land, its sealed object key, and what the object will carry.</summary>
public sealed record UploadRecord
{
    /// <summary>The upload id.</summary>
    public required string UploadId { get; init; }
    /// <summary>The bucket.</summary>
    public required string Bucket { get; init; }
    /// <summary>The object key.</summary>
    public required string Key { get; init; }
    /// <summary>When it was initiated.</summary>
    public required DateTimeOffset Initiated { get; init; }
    /// <summary>The object key, sealed as for a simple upload (every part is a segment under it).</summary>
    public required ObjectEncryption Encryption { get; init; }
    /// <summary>Content-Type and the other standard headers.</summary>
    public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>();
    /// <summary>x-amz-meta-* values.</summary>
    public IReadOnlyDictionary<string, string> UserMetadata { get; init; } = new Dictionary<string, string>();
    /// <summary>Object tags.</summary>
    public IReadOnlyDictionary<string, string> Tags { get; init; } = new Dictionary<string, string>();
    /// <summary>The checksum algorithm named at initiation, if any.</summary>
    public string? ChecksumAlgorithm { get; init; }
}

/// <summary>One uploaded part.</summary>
/// <param name="PartNumber">1 to 10000.</param>
/// <param name="Blob">Its ciphertext blob.</param>
/// <param name="Size">Plaintext bytes.</param>
/// <param name="ETag">Quoted MD5 of the part's plaintext.</param>
/// <param name="LastModified">Upload time.</param>
/// <param name="Checksums">Checksums of the part, by algorithm.</param>
public sealed record PartRecord(int PartNumber, string Blob, long Size, string ETag, DateTimeOffset LastModified, IReadOnlyDictionary<string, string> Checksums);
