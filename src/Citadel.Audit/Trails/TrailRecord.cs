namespace Citadel.Audit.Trails;

/// <summary>
/// A trail as stored (collection <c>cloudtrail-trails</c>, id = name): its configuration and its logging state.
/// Delivery progress is a separate document (<see cref="TrailDeliveryRecord"/>), so configuration changes and
/// delivery never overwrite each other.
/// </summary>
public sealed class TrailRecord
{
    /// <summary>The name.</summary>
    public required string Name { get; set; }
    /// <summary>The ARN.</summary>
    public required string TrailArn { get; set; }
    /// <summary>The bucket log and digest files go to.</summary>
    public required string S3BucketName { get; set; }
    /// <summary>The key prefix in front of <c>AWSLogs/</c>, if any.</summary>
    public string? S3KeyPrefix { get; set; }
    /// <summary>Whether events of global services (IAM, STS) are delivered.</summary>
    public bool IncludeGlobalServiceEvents { get; set; } = true;
    /// <summary>Stored and reported; Citadel serves one region.</summary>
    public bool IsMultiRegionTrail { get; set; }
    /// <summary>Whether signed digest files are delivered.</summary>
    public bool LogFileValidationEnabled { get; set; }
    /// <summary>The KMS key log files are to be encrypted with (passed to the sink).</summary>
    public string? KmsKeyId { get; set; }
    /// <summary>Classic event selectors (null: the default, all management events).</summary>
    public List<EventSelector>? EventSelectors { get; set; }
    /// <summary>Advanced event selectors (instead of classic ones).</summary>
    public List<AdvancedEventSelector>? AdvancedEventSelectors { get; set; }
    /// <summary>
    /// The selection in force from each journal position on, oldest first: events are selected by the selectors
    /// in force when they were recorded, as CloudTrail does, however late they are delivered.
    /// </summary>
    public List<SelectionPeriod> Selection { get; set; } = [];
    /// <summary>Tags.</summary>
    public SortedDictionary<string, string> Tags { get; set; } = new(StringComparer.Ordinal);
    /// <summary>Whether the trail is logging.</summary>
    public bool IsLogging { get; set; }
    /// <summary>When logging last started.</summary>
    public DateTimeOffset? StartLoggingTime { get; set; }
    /// <summary>When logging last stopped.</summary>
    public DateTimeOffset? StopLoggingTime { get; set; }
    /// <summary>While not logging: the journal end when logging stopped (or the trail was created); nothing after it is delivered.</summary>
    public JournalPosition? StoppedAt { get; set; }
    /// <summary>Journal ranges recorded while the trail was not logging: never delivered.</summary>
    public List<JournalRange> Skipped { get; set; } = [];
    /// <summary>When digests became due (logging with validation enabled): the start of the first digest.</summary>
    public DateTimeOffset? DigestsSince { get; set; }
    /// <summary>When the trail was created.</summary>
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>Whether digests are being delivered.</summary>
    public bool DigestsActive => IsLogging && LogFileValidationEnabled;
}

/// <summary>The selection of a trail from a journal position on.</summary>
public sealed class SelectionPeriod
{
    /// <summary>The first journal position this selection applies to.</summary>
    public required JournalPosition From { get; set; }
    /// <summary>Classic selectors (null with null advanced selectors: all management events).</summary>
    public List<EventSelector>? EventSelectors { get; set; }
    /// <summary>Advanced selectors.</summary>
    public List<AdvancedEventSelector>? AdvancedEventSelectors { get; set; }
    /// <summary>Whether events of global services are selected.</summary>
    public bool IncludeGlobalServiceEvents { get; set; } = true;
}

/// <summary>A half-open range of journal positions [From, To).</summary>
public sealed record JournalRange(JournalPosition From, JournalPosition To)
{
    /// <summary>Whether a record starting at <paramref name="position"/> lies in the range.</summary>
    public bool Contains(JournalPosition position) => position.CompareTo(From) >= 0 && position.CompareTo(To) < 0;
}
