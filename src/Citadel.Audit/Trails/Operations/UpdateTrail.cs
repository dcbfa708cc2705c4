namespace Citadel.Audit.Trails.Operations;

/// <summary>UpdateTrail request: only the members given change.</summary>
public sealed class UpdateTrailRequest : ITrailRequest
{
    /// <summary>Name or ARN.</summary>
    public required string Name { get; init; }
    /// <summary>An existing bucket.</summary>
    public string? S3BucketName { get; init; }
    /// <summary>Key prefix; empty removes it.</summary>
    public string? S3KeyPrefix { get; init; }
    /// <summary>Not supported (no SNS).</summary>
    public string? SnsTopicName { get; init; }
    /// <summary>Global service events.</summary>
    public bool? IncludeGlobalServiceEvents { get; init; }
    /// <summary>Multi-region.</summary>
    public bool? IsMultiRegionTrail { get; init; }
    /// <summary>Digests on or off.</summary>
    public bool? EnableLogFileValidation { get; init; }
    /// <summary>Not supported (no CloudWatch Logs).</summary>
    public string? CloudWatchLogsLogGroupArn { get; init; }
    /// <summary>Not supported (no CloudWatch Logs).</summary>
    public string? CloudWatchLogsRoleArn { get; init; }
    /// <summary>KMS key for log files; empty removes it.</summary>
    public string? KmsKeyId { get; init; }
    /// <summary>Not supported (no organization).</summary>
    public bool? IsOrganizationTrail { get; init; }

    string? ITrailRequest.Trail => Name;
}

/// <summary>
/// Changes a trail's delivery settings. A new bucket or prefix applies to files delivered from then on; turning
/// validation on makes digests due again (a trail that never had one starts its first digest period now).
/// </summary>
public sealed class UpdateTrail : TrailOperation<UpdateTrailRequest, TrailSummary>
{
    /// <inheritdoc />
    public override async Task<TrailSummary> ExecuteAsync(TrailContext context, UpdateTrailRequest request, CancellationToken cancellationToken)
    {
        TrailRules.CheckUnsupported(request.SnsTopicName, request.CloudWatchLogsLogGroupArn, request.CloudWatchLogsRoleArn, request.IsOrganizationTrail);
        var prefix = request.S3KeyPrefix is null ? null : TrailNames.ValidatePrefix(request.S3KeyPrefix);
        var existing = await context.GetAsync(request.Name, cancellationToken).ConfigureAwait(false);
        TrailRules.CheckCombination(request.IsMultiRegionTrail ?? existing.IsMultiRegionTrail, request.IncludeGlobalServiceEvents ?? existing.IncludeGlobalServiceEvents);
        if (request.S3BucketName is { } bucket && bucket != existing.S3BucketName)
            await TrailRules.CheckBucketAsync(context, bucket, cancellationToken).ConfigureAwait(false);
        var now = context.Now();
        var trail = await context.MutateAsync(request.Name, trail =>
        {
            TrailRules.CheckCombination(request.IsMultiRegionTrail ?? trail.IsMultiRegionTrail, request.IncludeGlobalServiceEvents ?? trail.IncludeGlobalServiceEvents);
            if (request.S3BucketName is { } newBucket) trail.S3BucketName = newBucket;
            if (request.S3KeyPrefix is not null) trail.S3KeyPrefix = prefix;
            if (request.IsMultiRegionTrail is { } multi) trail.IsMultiRegionTrail = multi;
            if (request.KmsKeyId is { } kms) trail.KmsKeyId = kms.Length == 0 ? null : kms;
            if (request.IncludeGlobalServiceEvents is { } global && global != trail.IncludeGlobalServiceEvents)
            {
                trail.IncludeGlobalServiceEvents = global;
                TrailRules.Select(trail, context.Journal.End);
            }
            if (request.EnableLogFileValidation is { } validation)
            {
                trail.LogFileValidationEnabled = validation;
                if (trail.DigestsActive) trail.DigestsSince ??= now;
            }
        }, cancellationToken).ConfigureAwait(false);
        return TrailSummary.Of(trail);
    }
}
