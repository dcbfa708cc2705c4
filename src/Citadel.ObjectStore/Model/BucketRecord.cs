namespace Citadel.ObjectStore.Model;

/// <summary>A bucket and its configuration, stored as one document.</summary>
public sealed record BucketRecord
{
    /// <summary>The bucket name.</summary>
    public required string Name { get; init; }
    /// <summary>When it was created.</summary>
    public required DateTimeOffset CreationDate { get; init; }
    /// <summary>The region it lives in.</summary>
    public required string Region { get; init; }
    /// <summary>Default encryption; null means SSE-S3, as AWS applies to every bucket since January 2023.</summary>
    public BucketEncryption? Encryption { get; init; }
    /// <summary>The bucket policy document, when one is set.</summary>
    public string? Policy { get; init; }
    /// <summary>Bucket tags.</summary>
    public IReadOnlyDictionary<string, string>? Tags { get; init; }
    /// <summary>"Enabled", "Suspended", or null when versioning was never enabled.</summary>
    public string? Versioning { get; init; }
}

/// <summary>A bucket's default encryption rule (ServerSideEncryptionConfiguration's single rule).</summary>
/// <param name="Algorithm">AES256, aws:kms or aws:kms:dsse.</param>
/// <param name="KmsKeyId">The KMS key for aws:kms, as given (null: the AWS managed key aws/s3).</param>
/// <param name="BucketKeyEnabled">Whether SSE-KMS objects use a bucket key.</param>
/// <param name="BlockedEncryptionTypes">Encryption types uploads may not use (for example SSE-C).</param>
public sealed record BucketEncryption(string Algorithm, string? KmsKeyId, bool BucketKeyEnabled, IReadOnlyList<string>? BlockedEncryptionTypes);
