namespace Citadel.Audit.Trails;

/// <summary>Where trails live (account, region, partition) and how often they deliver.</summary>
/// <param name="AccountId">The account of trail ARNs and of the AWSLogs/ key paths.</param>
/// <param name="Region">The region of trail ARNs and key paths; also the home region of every trail.</param>
/// <param name="Partition">The ARN partition.</param>
public sealed record TrailSettings(string AccountId, string Region, string Partition)
{
    /// <summary>How often log files are delivered (CloudTrail: about every five minutes).</summary>
    public TimeSpan LogFileInterval { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>How often a digest file is delivered (CloudTrail: every hour).</summary>
    public TimeSpan DigestInterval { get; init; } = TimeSpan.FromHours(1);

    /// <summary>How long a digest signing key signs before the next one replaces it.</summary>
    public TimeSpan SigningKeyLifetime { get; init; } = TimeSpan.FromDays(1);

    /// <summary>The most records in one log file; more pending records make more files.</summary>
    public int MaxRecordsPerLogFile { get; init; } = 5000;

    /// <summary>The most trails of the region (AWS's quota is five).</summary>
    public int MaxTrails { get; init; } = 5;

    /// <summary>The ARN of a trail.</summary>
    public string TrailArn(string name) => $"arn:{Partition}:cloudtrail:{Region}:{AccountId}:trail/{name}";
}
