using System.Text.Json.Serialization;

namespace Citadel.Audit.Trails.Operations;

/// <summary>The Trail structure of the CloudTrail API.</summary>
public sealed class TrailView
{
    /// <summary>Name.</summary>
    public required string Name { get; init; }
    /// <summary>Bucket.</summary>
    public required string S3BucketName { get; init; }
    /// <summary>Key prefix.</summary>
    public string? S3KeyPrefix { get; init; }
    /// <summary>Global service events.</summary>
    public bool IncludeGlobalServiceEvents { get; init; }
    /// <summary>Multi-region.</summary>
    public bool IsMultiRegionTrail { get; init; }
    /// <summary>Home region.</summary>
    public required string HomeRegion { get; init; }
    /// <summary>ARN.</summary>
    [JsonPropertyName("TrailARN")]
    public required string TrailArn { get; init; }
    /// <summary>Digests on.</summary>
    public bool LogFileValidationEnabled { get; init; }
    /// <summary>KMS key of log files.</summary>
    public string? KmsKeyId { get; init; }
    /// <summary>Whether selectors were put.</summary>
    public bool HasCustomEventSelectors { get; init; }
    /// <summary>Insights (not supported: false).</summary>
    public bool HasInsightSelectors { get; init; }
    /// <summary>Organization trail (not supported: false).</summary>
    public bool IsOrganizationTrail { get; init; }

    /// <summary>The view of a stored trail.</summary>
    public static TrailView Of(TrailRecord trail, TrailSettings settings) => new()
    {
        Name = trail.Name,
        S3BucketName = trail.S3BucketName,
        S3KeyPrefix = trail.S3KeyPrefix,
        IncludeGlobalServiceEvents = trail.IncludeGlobalServiceEvents,
        IsMultiRegionTrail = trail.IsMultiRegionTrail,
        HomeRegion = settings.Region,
        TrailArn = trail.TrailArn,
        LogFileValidationEnabled = trail.LogFileValidationEnabled,
        KmsKeyId = trail.KmsKeyId,
        HasCustomEventSelectors = trail.EventSelectors is not null || trail.AdvancedEventSelectors is not null,
    };
}

/// <summary>The CreateTrail and UpdateTrail response.</summary>
public sealed class TrailSummary
{
    /// <summary>Name.</summary>
    public required string Name { get; init; }
    /// <summary>Bucket.</summary>
    public required string S3BucketName { get; init; }
    /// <summary>Key prefix.</summary>
    public string? S3KeyPrefix { get; init; }
    /// <summary>Global service events.</summary>
    public bool IncludeGlobalServiceEvents { get; init; }
    /// <summary>Multi-region.</summary>
    public bool IsMultiRegionTrail { get; init; }
    /// <summary>ARN.</summary>
    [JsonPropertyName("TrailARN")]
    public required string TrailArn { get; init; }
    /// <summary>Digests on.</summary>
    public bool LogFileValidationEnabled { get; init; }
    /// <summary>KMS key of log files.</summary>
    public string? KmsKeyId { get; init; }
    /// <summary>Organization trail (false).</summary>
    public bool IsOrganizationTrail { get; init; }

    /// <summary>The summary of a stored trail.</summary>
    public static TrailSummary Of(TrailRecord trail) => new()
    {
        Name = trail.Name,
        S3BucketName = trail.S3BucketName,
        S3KeyPrefix = trail.S3KeyPrefix,
        IncludeGlobalServiceEvents = trail.IncludeGlobalServiceEvents,
        IsMultiRegionTrail = trail.IsMultiRegionTrail,
        TrailArn = trail.TrailArn,
        LogFileValidationEnabled = trail.LogFileValidationEnabled,
        KmsKeyId = trail.KmsKeyId,
    };
}

/// <summary>A tag.</summary>
public sealed class TagView
{
    /// <summary>Key.</summary>
    public required string Key { get; init; }
    /// <summary>Value.</summary>
    public string? Value { get; init; }
}
