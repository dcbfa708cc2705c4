namespace Citadel.Audit.Trails.Operations;

/// <summary>StopLogging request.</summary>
public sealed class StopLoggingRequest : ITrailRequest
{
    /// <summary>Name or ARN.</summary>
    public required string Name { get; init; }

    string? ITrailRequest.Trail => Name;
}

/// <summary>
/// Stops logging: events recorded up to now are still delivered (and digested); later ones are not. Digests stop
/// once the files delivered before the stop are listed in one.
/// </summary>
public sealed class StopLogging : TrailOperation<StopLoggingRequest, NoOutput>
{
    /// <inheritdoc />
    public override async Task<NoOutput> ExecuteAsync(TrailContext context, StopLoggingRequest request, CancellationToken cancellationToken)
    {
        var now = context.Now();
        await context.MutateAsync(request.Name, trail =>
        {
            if (!trail.IsLogging) return;
            trail.IsLogging = false;
            trail.StopLoggingTime = now;
            trail.StoppedAt = context.Journal.End;
        }, cancellationToken).ConfigureAwait(false);
        return NoOutput.Instance;
    }
}
