namespace Citadel.ObjectStore.Encryption;

/// <summary>How a new object is to be encrypted, after the request headers and the bucket default were combined.</summary>
/// <param name="Mode">AES256 (SSE-S3), aws:kms (SSE-KMS) or SSE-C.</param>
/// <param name="KmsKeyId">SSE-KMS: the key as named (id, ARN, alias); null means alias/aws/s3.</param>
/// <param name="KmsContext">SSE-KMS: the user's encryption context; null means the object ARN (or the bucket ARN with a bucket key).</param>
/// <param name="BucketKey">SSE-KMS: seal object keys under a bucket key.</param>
/// <param name="CustomerKey">SSE-C: the 256-bit customer key (never stored).</param>
public sealed record EncryptionRequest(string Mode, string? KmsKeyId = null, IReadOnlyDictionary<string, string>? KmsContext = null,
    bool BucketKey = false, byte[]? CustomerKey = null)
{
    /// <summary>SSE-S3 mode name.</summary>
    public const string SseS3 = "AES256";
    /// <summary>SSE-KMS mode name.</summary>
    public const string SseKms = "aws:kms";
    /// <summary>SSE-C mode name (not an x-amz-server-side-encryption value; SSE-C is signalled by its own headers).</summary>
    public const string SseC = "SSE-C";

    /// <summary>The default: SSE-S3.</summary>
    public static EncryptionRequest Default { get; } = new(SseS3);
}
