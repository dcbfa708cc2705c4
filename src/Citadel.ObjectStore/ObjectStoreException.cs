namespace Citadel.ObjectStore;

/// <summary>The object store's typed errors; the S3 protocol adapter maps each to S3's code and status in one table.</summary>
public enum ObjectStoreError
{
    /// <summary>The bucket does not exist.</summary>
    NoSuchBucket,
    /// <summary>The key does not exist.</summary>
    NoSuchKey,
    /// <summary>The version does not exist.</summary>
    NoSuchVersion,
    /// <summary>The bucket exists and belongs to the caller's account.</summary>
    BucketAlreadyOwnedByYou,
    /// <summary>The bucket still holds objects.</summary>
    BucketNotEmpty,
    /// <summary>The bucket name breaks the naming rules.</summary>
    InvalidBucketName,
    /// <summary>A request argument is invalid.</summary>
    InvalidArgument,
    /// <summary>The request as a whole is invalid.</summary>
    InvalidRequest,
    /// <summary>The requested range is not satisfiable.</summary>
    InvalidRange,
    /// <summary>An If-* precondition failed.</summary>
    PreconditionFailed,
    /// <summary>If-None-Match / If-Modified-Since: not modified.</summary>
    NotModified,
    /// <summary>Access denied (also a wrong SSE-C key).</summary>
    AccessDenied,
    /// <summary>A declared digest (Content-MD5, checksum) does not match the body.</summary>
    BadDigest,
    /// <summary>The Content-MD5 is not a valid MD5.</summary>
    InvalidDigest,
    /// <summary>The x-amz-content-sha256 does not match the body.</summary>
    ContentSha256Mismatch,
    /// <summary>The body is shorter than declared.</summary>
    IncompleteBody,
    /// <summary>The object key is longer than 1024 bytes.</summary>
    KeyTooLong,
    /// <summary>User metadata exceeds 2 KB.</summary>
    MetadataTooLarge,
    /// <summary>The body is larger than allowed.</summary>
    EntityTooLarge,
    /// <summary>The body is smaller than allowed (multipart parts).</summary>
    EntityTooSmall,
    /// <summary>The XML body is not well formed or not valid.</summary>
    MalformedXml,
    /// <summary>The encryption algorithm named is not supported.</summary>
    InvalidEncryptionAlgorithm,
    /// <summary>The stored ciphertext did not authenticate: the object is damaged or was tampered with.</summary>
    ObjectCorrupted,
    /// <summary>The bucket has no encryption configuration.</summary>
    NoEncryptionConfiguration,
    /// <summary>The bucket has no policy.</summary>
    NoSuchBucketPolicy,
    /// <summary>The bucket has no tags.</summary>
    NoSuchTagSet,
    /// <summary>The multipart upload does not exist.</summary>
    NoSuchUpload,
    /// <summary>A part named in CompleteMultipartUpload was not uploaded or its ETag differs.</summary>
    InvalidPart,
    /// <summary>Parts are not in ascending order.</summary>
    InvalidPartOrder,
    /// <summary>The encryption type is blocked by the bucket's configuration.</summary>
    EncryptionTypeMismatch,
    /// <summary>A chunk or trailer signature of a streamed body does not verify.</summary>
    SignatureDoesNotMatch,
    /// <summary>The method is not allowed on this resource (a delete marker asked for by version).</summary>
    MethodNotAllowed,
    /// <summary>A tag key or value is not valid, or there are too many.</summary>
    InvalidTag,
    /// <summary>A bucket policy document is not valid.</summary>
    MalformedPolicy,
    /// <summary>The operation is not implemented.</summary>
    NotImplemented,
    /// <summary>The request URI cannot be decoded (a malformed percent escape, or bytes that are not UTF-8).</summary>
    InvalidUri,
    /// <summary>The trailing headers of a streamed body do not match the ones its x-amz-trailer header declared.</summary>
    MalformedTrailer,
}

/// <summary>An object store error with a message in S3's words.</summary>
public sealed class ObjectStoreException(ObjectStoreError error, string message, string? resource = null) : Exception(message)
{
    /// <summary>The typed error.</summary>
    public ObjectStoreError Error { get; } = error;
    /// <summary>The bucket or key the error is about, for the S3 error body's Resource/BucketName/Key.</summary>
    public string? Resource { get; } = resource;
    /// <summary>Whether the key's current version (or the version asked for) is a delete marker (x-amz-delete-marker).</summary>
    public bool DeleteMarker { get; init; }
    /// <summary>The version the error is about (x-amz-version-id), if any.</summary>
    public string? VersionId { get; init; }
}
