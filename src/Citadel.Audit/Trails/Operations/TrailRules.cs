namespace Citadel.Audit.Trails.Operations;

/// <summary>Checks CreateTrail and UpdateTrail share, and the tag rules of trails.</summary>
internal static class TrailRules
{
    /// <summary>The most tags of a trail.</summary>
    public const int MaxTags = 50;

    /// <summary>
    /// Refuses what Citadel cannot honour, with the error AWS gives when the dependency is missing: there is no
    /// SNS topic, no CloudWatch Logs group and no organization, so trails cannot notify, stream or span one.
    /// </summary>
    public static void CheckUnsupported(string? snsTopicName, string? logGroupArn, string? logRoleArn, bool? organization)
    {
        if (!string.IsNullOrEmpty(snsTopicName))
            throw new TrailException(TrailErrorCode.InsufficientSnsTopicPolicyException, "SNS Topic does not exist or the topic policy is incorrect!");
        if (!string.IsNullOrEmpty(logGroupArn) || !string.IsNullOrEmpty(logRoleArn))
            throw new TrailException(TrailErrorCode.CloudWatchLogsDeliveryUnavailableException, "Citadel has no CloudWatch Logs to deliver trail events to.");
        if (organization == true)
            throw new TrailException(TrailErrorCode.OrganizationsNotInUseException, "This account is not a member of an organization.");
    }

    /// <summary>A multi-region trail must include global service events.</summary>
    public static void CheckCombination(bool multiRegion, bool includeGlobal)
    {
        if (multiRegion && !includeGlobal)
            throw new TrailException(TrailErrorCode.InvalidParameterCombinationException, "Multi-Region trail must include global service events.");
    }

    /// <summary>Checks the bucket name and that the bucket exists. Bucket policies are not checked (Citadel delivers as the service itself).</summary>
    public static async Task CheckBucketAsync(TrailContext context, string bucket, CancellationToken cancellationToken)
    {
        TrailNames.ValidateBucket(bucket);
        if (!await context.Sink.BucketExistsAsync(bucket, cancellationToken).ConfigureAwait(false))
            throw new TrailException(TrailErrorCode.S3BucketDoesNotExistException, $"S3 bucket {bucket} does not exist.");
    }

    /// <summary>Adds or replaces tags, within the trail tag rules.</summary>
    public static void Apply(SortedDictionary<string, string> tags, IEnumerable<TagView> add)
    {
        foreach (var tag in add)
        {
            if (tag.Key.StartsWith("aws:", StringComparison.OrdinalIgnoreCase))
                throw new TrailException(TrailErrorCode.InvalidTagParameterException, "Tag keys cannot start with the reserved prefix aws:.");
            tags[tag.Key] = tag.Value ?? "";
        }
        if (tags.Count > MaxTags)
            throw new TrailException(TrailErrorCode.TagsLimitExceededException, $"The number of tags on the resource exceeds the limit of {MaxTags}.");
    }

    /// <summary>The trail an AddTags/RemoveTags/ListTags ResourceId names: a trail ARN of this account and region.</summary>
    public static async Task<TrailRecord> ResourceAsync(TrailContext context, string resourceId, CancellationToken cancellationToken)
    {
        if (!resourceId.StartsWith("arn:", StringComparison.Ordinal))
            throw new TrailException(TrailErrorCode.CloudTrailARNInvalidException,
                $"{resourceId} is not a valid trail ARN. The format of a trail ARN is arn:aws:cloudtrail:us-east-2:123456789012:trail/MyTrail.");
        try
        {
            return await context.GetAsync(resourceId, cancellationToken).ConfigureAwait(false);
        }
        catch (TrailException e) when (e.Code == TrailErrorCode.TrailNotFoundException)
        {
            throw new TrailException(TrailErrorCode.ResourceNotFoundException, $"Resource {resourceId} not found.");
        }
    }

    /// <summary>Records a new selection from the journal's end on (replacing a selection that never applied to a record).</summary>
    public static void Select(TrailRecord trail, JournalPosition from)
    {
        var period = new SelectionPeriod
        {
            From = from,
            EventSelectors = trail.EventSelectors,
            AdvancedEventSelectors = trail.AdvancedEventSelectors,
            IncludeGlobalServiceEvents = trail.IncludeGlobalServiceEvents,
        };
        if (trail.Selection.Count > 0 && trail.Selection[^1].From == from) trail.Selection[^1] = period;
        else trail.Selection.Add(period);
    }
}
