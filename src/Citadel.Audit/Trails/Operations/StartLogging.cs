namespace Citadel.Audit.Trails.Operations;

/// <summary>StartLogging request.</summary>
public sealed class StartLoggingRequest : ITrailRequest
{
    /// <summary>Name or ARN.</summary>
    public required string Name { get; init; }

    string? ITrailRequest.Trail => Name;
}

/// <summary>
/// Starts logging: events recorded from now on are delivered; those recorded while the trail was stopped are
/// skipped (never delivered), as CloudTrail does. Starting a logging trail changes nothing.
/// </summary>
public sealed class StartLogging : TrailOperation<StartLoggingRequest, NoOutput>
{
    /// <inheritdoc />
    public override async Task<NoOutput> ExecuteAsync(TrailContext context, StartLoggingRequest request, CancellationToken cancellationToken)
    {
        var now = context.Now();
        await context.MutateAsync(request.Name, trail =>
        {
            if (trail.IsLogging) return;
            var end = context.Journal.End;
            if (trail.StoppedAt is { } stopped && stopped < end) trail.Skipped.Add(new JournalRange(stopped, end));
            trail.StoppedAt = null;
            trail.IsLogging = true;
            trail.StartLoggingTime = now;
            if (trail.DigestsActive) trail.DigestsSince ??= now;
        }, cancellationToken).ConfigureAwait(false);
        return NoOutput.Instance;
    }
}
