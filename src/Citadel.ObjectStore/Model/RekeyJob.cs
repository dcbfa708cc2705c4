namespace Citadel.ObjectStore.Model;

/// <summary>
/// A bucket's rekey job, stored after every batch so an interrupted job resumes where it stopped: the target
/// protection (the bucket's default encryption when the job started), how (rewrap the object keys only, or
/// re-encrypt the data under new keys), where it is in the version listing, and its counts.
/// </summary>
public sealed record RekeyJob
{
    /// <summary>The bucket.</summary>
    public required string Bucket { get; init; }
    /// <summary>The target: SSE-S3 (null) or the bucket's SSE-KMS default.</summary>
    public BucketEncryption? Target { get; init; }
    /// <summary>True: only the object keys are resealed (data untouched); false: data re-encrypted under fresh object keys.</summary>
    public required bool RewrapOnly { get; init; }
    /// <summary>When the job started.</summary>
    public required DateTimeOffset Started { get; init; }
    /// <summary>Versions in the bucket when the job started (for progress).</summary>
    public required long Total { get; init; }
    /// <summary>Last version handled: its key.</summary>
    public string CursorKey { get; init; } = "";
    /// <summary>Last version handled: its sequence.</summary>
    public long CursorSeq { get; init; } = long.MaxValue;
    /// <summary>Versions looked at.</summary>
    public long Done { get; init; }
    /// <summary>Versions whose keys were resealed or data re-encrypted.</summary>
    public long Changed { get; init; }
    /// <summary>Versions already under the target, delete markers, and versions changed by a write meanwhile.</summary>
    public long Unchanged { get; init; }
    /// <summary>SSE-C versions, which cannot be rekeyed without their customer key.</summary>
    public long SkippedCustomerKeys { get; init; }
    /// <summary>Whether the job has gone through every version.</summary>
    public bool Finished { get; init; }
}
