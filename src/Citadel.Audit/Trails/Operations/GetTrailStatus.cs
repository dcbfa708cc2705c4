namespace Citadel.Audit.Trails.Operations;

/// <summary>GetTrailStatus request.</summary>
public sealed class GetTrailStatusRequest : ITrailRequest
{
    /// <summary>Name or ARN.</summary>
    public required string Name { get; init; }

    string? ITrailRequest.Trail => Name;
}

/// <summary>GetTrailStatus response.</summary>
public sealed class GetTrailStatusResponse
{
    /// <summary>Whether the trail is logging.</summary>
    public bool IsLogging { get; init; }
    /// <summary>Why the last log delivery failed.</summary>
    public string? LatestDeliveryError { get; init; }
    /// <summary>Always absent: no SNS.</summary>
    public string? LatestNotificationError { get; init; }
    /// <summary>When a log file was last delivered.</summary>
    public DateTimeOffset? LatestDeliveryTime { get; init; }
    /// <summary>When logging last started.</summary>
    public DateTimeOffset? StartLoggingTime { get; init; }
    /// <summary>When logging last stopped.</summary>
    public DateTimeOffset? StopLoggingTime { get; init; }
    /// <summary>When a digest was last delivered.</summary>
    public DateTimeOffset? LatestDigestDeliveryTime { get; init; }
    /// <summary>Why the last digest delivery failed.</summary>
    public string? LatestDigestDeliveryError { get; init; }
    /// <summary>When log delivery was last attempted (ISO 8601, or empty).</summary>
    public required string LatestDeliveryAttemptTime { get; init; }
    /// <summary>Empty: no SNS.</summary>
    public string LatestNotificationAttemptTime { get; init; } = "";
    /// <summary>Empty: no SNS.</summary>
    public string LatestNotificationAttemptSucceeded { get; init; } = "";
    /// <summary>When a log delivery last succeeded (ISO 8601, or empty).</summary>
    public required string LatestDeliveryAttemptSucceeded { get; init; }
    /// <summary>When logging last started (ISO 8601, or empty).</summary>
    public required string TimeLoggingStarted { get; init; }
    /// <summary>When logging last stopped (ISO 8601, or empty).</summary>
    public required string TimeLoggingStopped { get; init; }
}

/// <summary>A trail's logging state and its latest deliveries and delivery errors.</summary>
public sealed class GetTrailStatus : TrailOperation<GetTrailStatusRequest, GetTrailStatusResponse>
{
    /// <inheritdoc />
    public override bool ReadOnly => true;

    /// <inheritdoc />
    public override async Task<GetTrailStatusResponse> ExecuteAsync(TrailContext context, GetTrailStatusRequest request, CancellationToken cancellationToken)
    {
        var trail = await context.GetAsync(request.Name, cancellationToken).ConfigureAwait(false);
        var delivery = (await context.Trails.FindDeliveryAsync(trail.Name, cancellationToken).ConfigureAwait(false))?.Record ?? new TrailDeliveryRecord { Cursor = JournalPosition.Start };
        static string Text(DateTimeOffset? time) => time is { } t ? TrailObjectKeys.Time(t) : "";
        return new GetTrailStatusResponse
        {
            IsLogging = trail.IsLogging,
            LatestDeliveryError = delivery.LatestDeliveryError,
            LatestDeliveryTime = delivery.LatestDeliveryTime,
            StartLoggingTime = trail.StartLoggingTime,
            StopLoggingTime = trail.StopLoggingTime,
            LatestDigestDeliveryTime = delivery.LatestDigestDeliveryTime,
            LatestDigestDeliveryError = delivery.LatestDigestDeliveryError,
            LatestDeliveryAttemptTime = Text(delivery.LatestDeliveryAttemptTime),
            LatestDeliveryAttemptSucceeded = delivery.LatestDeliveryError is null ? Text(delivery.LatestDeliveryTime) : "",
            TimeLoggingStarted = Text(trail.StartLoggingTime),
            TimeLoggingStopped = Text(trail.StopLoggingTime),
        };
    }
}
