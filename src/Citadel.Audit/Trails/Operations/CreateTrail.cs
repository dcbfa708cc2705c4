namespace Citadel.Audit.Trails.Operations;

/// <summary>CreateTrail request.</summary>
public sealed class CreateTrailRequest : ITrailRequest
{
    /// <summary>Name (see <see cref="TrailNames.Validate"/>).</summary>
    public required string Name { get; init; }
    /// <summary>An existing bucket.</summary>
    public required string S3BucketName { get; init; }
    /// <summary>Key prefix (at most 200 characters).</summary>
    public string? S3KeyPrefix { get; init; }
    /// <summary>Not supported (no SNS).</summary>
    public string? SnsTopicName { get; init; }
    /// <summary>Default true.</summary>
    public bool? IncludeGlobalServiceEvents { get; init; }
    /// <summary>Default false.</summary>
    public bool? IsMultiRegionTrail { get; init; }
    /// <summary>Default false.</summary>
    public bool? EnableLogFileValidation { get; init; }
    /// <summary>Not supported (no CloudWatch Logs).</summary>
    public string? CloudWatchLogsLogGroupArn { get; init; }
    /// <summary>Not supported (no CloudWatch Logs).</summary>
    public string? CloudWatchLogsRoleArn { get; init; }
    /// <summary>KMS key for log files.</summary>
    public string? KmsKeyId { get; init; }
    /// <summary>Not supported (no organization).</summary>
    public bool? IsOrganizationTrail { get; init; }
    /// <summary>Tags.</summary>
    public List<TagView>? TagsList { get; init; }

    string? ITrailRequest.Trail => Name;
}

/// <summary>
/// Creates a trail. As with AWS's API, a new trail does not log until StartLogging. It delivers only events
/// recorded after that (from the journal's end on).
/// </summary>
public sealed class CreateTrail : TrailOperation<CreateTrailRequest, TrailSummary>
{
    /// <inheritdoc />
    public override async Task<TrailSummary> ExecuteAsync(TrailContext context, CreateTrailRequest request, CancellationToken cancellationToken)
    {
        TrailNames.Validate(request.Name);
        var prefix = TrailNames.ValidatePrefix(request.S3KeyPrefix);
        TrailRules.CheckUnsupported(request.SnsTopicName, request.CloudWatchLogsLogGroupArn, request.CloudWatchLogsRoleArn, request.IsOrganizationTrail);
        var includeGlobal = request.IncludeGlobalServiceEvents ?? true;
        var multiRegion = request.IsMultiRegionTrail ?? false;
        TrailRules.CheckCombination(multiRegion, includeGlobal);
        await TrailRules.CheckBucketAsync(context, request.S3BucketName, cancellationToken).ConfigureAwait(false);
        var end = context.Journal.End;
        var trail = new TrailRecord
        {
            Name = request.Name,
            TrailArn = context.Settings.TrailArn(request.Name),
            S3BucketName = request.S3BucketName,
            S3KeyPrefix = prefix,
            IncludeGlobalServiceEvents = includeGlobal,
            IsMultiRegionTrail = multiRegion,
            LogFileValidationEnabled = request.EnableLogFileValidation ?? false,
            KmsKeyId = string.IsNullOrEmpty(request.KmsKeyId) ? null : request.KmsKeyId,
            StoppedAt = end,
            CreatedAt = context.Now(),
        };
        TrailRules.Apply(trail.Tags, request.TagsList ?? []);
        TrailRules.Select(trail, end);
        await context.Trails.CreateAsync(trail, new TrailDeliveryRecord { Cursor = end }, context.Settings, cancellationToken).ConfigureAwait(false);
        return TrailSummary.Of(trail);
    }
}
