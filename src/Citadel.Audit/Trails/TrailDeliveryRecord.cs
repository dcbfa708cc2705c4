namespace Citadel.Audit.Trails;

/// <summary>
/// A trail's delivery progress (collection <c>cloudtrail-delivery</c>, id = trail name), written by delivery only,
/// with optimistic concurrency. A file is first recorded as pending (key, journal range, hash), then put, then
/// committed: after a crash or a sink failure the same file is put again under the same key with the same
/// content, so a delivered file is never delivered again with different content and no event is lost.
/// </summary>
public sealed class TrailDeliveryRecord
{
    /// <summary>The journal position delivered up to (every record before it is in a delivered log file or not selected).</summary>
    public required JournalPosition Cursor { get; set; }
    /// <summary>A log file recorded but not yet known to be delivered.</summary>
    public PendingLogFile? PendingLogFile { get; set; }
    /// <summary>A digest file signed but not yet known to be delivered.</summary>
    public PendingDigest? PendingDigest { get; set; }
    /// <summary>Log files delivered with validation on that no digest lists yet.</summary>
    public List<DeliveredLogFile> Undigested { get; set; } = [];
    /// <summary>The last delivered digest, which the next one links to.</summary>
    public DigestLink? LastDigest { get; set; }
    /// <summary>When a log file was last delivered.</summary>
    public DateTimeOffset? LatestDeliveryTime { get; set; }
    /// <summary>When log delivery was last attempted.</summary>
    public DateTimeOffset? LatestDeliveryAttemptTime { get; set; }
    /// <summary>Why the last log delivery failed (null when it succeeded).</summary>
    public string? LatestDeliveryError { get; set; }
    /// <summary>When a digest was last delivered.</summary>
    public DateTimeOffset? LatestDigestDeliveryTime { get; set; }
    /// <summary>Why the last digest delivery failed (null when it succeeded).</summary>
    public string? LatestDigestDeliveryError { get; set; }
}

/// <summary>A log file between being recorded and being delivered.</summary>
public sealed class PendingLogFile
{
    /// <summary>The bucket.</summary>
    public required string Bucket { get; set; }
    /// <summary>The key.</summary>
    public required string Key { get; set; }
    /// <summary>The journal range the file's records come from.</summary>
    public required JournalRange Range { get; set; }
    /// <summary>SHA-256 (hex) of the uncompressed file: a rebuilt file must match it.</summary>
    public required string HashValue { get; set; }
    /// <summary>The oldest event time in the file.</summary>
    public required DateTimeOffset OldestEventTime { get; set; }
    /// <summary>The newest event time in the file.</summary>
    public required DateTimeOffset NewestEventTime { get; set; }
    /// <summary>Whether validation was on when the file was made (it then goes into the next digest).</summary>
    public bool Digested { get; set; }
    /// <summary>The trail's KMS key at the time.</summary>
    public string? KmsKeyId { get; set; }
}

/// <summary>A delivered log file as the digest lists it.</summary>
public sealed class DeliveredLogFile
{
    /// <summary>The bucket.</summary>
    public required string S3Bucket { get; set; }
    /// <summary>The key.</summary>
    public required string S3Object { get; set; }
    /// <summary>SHA-256 (hex) of the uncompressed file.</summary>
    public required string HashValue { get; set; }
    /// <summary>The oldest event time in the file.</summary>
    public required DateTimeOffset OldestEventTime { get; set; }
    /// <summary>The newest event time in the file.</summary>
    public required DateTimeOffset NewestEventTime { get; set; }
}

/// <summary>A signed digest between being made and being delivered.</summary>
public sealed class PendingDigest
{
    /// <summary>Where it goes and what the next digest links to.</summary>
    public required DigestLink Link { get; set; }
    /// <summary>The uncompressed digest JSON, exactly as signed.</summary>
    public required string Content { get; set; }
    /// <summary>The keys of the log files it lists (removed from <see cref="TrailDeliveryRecord.Undigested"/> once delivered).</summary>
    public required List<string> LogFileKeys { get; set; }
    /// <summary>The trail's KMS key at the time.</summary>
    public string? KmsKeyId { get; set; }
}

/// <summary>A digest as the next digest refers to it.</summary>
public sealed class DigestLink
{
    /// <summary>The bucket.</summary>
    public required string Bucket { get; set; }
    /// <summary>The key.</summary>
    public required string Key { get; set; }
    /// <summary>The signature (hex).</summary>
    public required string Signature { get; set; }
    /// <summary>SHA-256 (hex) of the uncompressed digest file.</summary>
    public required string HashValue { get; set; }
    /// <summary>The digest's end time: the next digest starts there.</summary>
    public required DateTimeOffset EndTime { get; set; }
}
