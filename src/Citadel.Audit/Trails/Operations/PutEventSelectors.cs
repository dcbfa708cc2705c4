namespace Citadel.Audit.Trails.Operations;

/// <summary>PutEventSelectors request: classic or advanced selectors, not both.</summary>
public sealed class PutEventSelectorsRequest : ITrailRequest
{
    /// <summary>Name or ARN.</summary>
    public required string TrailName { get; init; }
    /// <summary>Classic selectors.</summary>
    public List<EventSelector>? EventSelectors { get; init; }
    /// <summary>Advanced selectors.</summary>
    public List<AdvancedEventSelector>? AdvancedEventSelectors { get; init; }

    string? ITrailRequest.Trail => TrailName;
}

/// <summary>
/// Replaces a trail's event selectors. They apply to events recorded from now on; events recorded before but not
/// yet delivered keep the selection in force when they were recorded.
/// </summary>
public sealed class PutEventSelectors : TrailOperation<PutEventSelectorsRequest, EventSelectorsResponse>
{
    /// <inheritdoc />
    public override async Task<EventSelectorsResponse> ExecuteAsync(TrailContext context, PutEventSelectorsRequest request, CancellationToken cancellationToken)
    {
        if (request.EventSelectors is not null && request.AdvancedEventSelectors is not null)
            throw new TrailException(TrailErrorCode.InvalidParameterCombinationException, "You cannot apply both event selectors and advanced event selectors to a trail.");
        if (request.EventSelectors is null && request.AdvancedEventSelectors is null)
            throw new TrailException(TrailErrorCode.InvalidEventSelectorsException, "Specify EventSelectors or AdvancedEventSelectors.");
        var classic = request.EventSelectors is { } selectors ? EventSelectorRules.Normalize(selectors, context.Settings.Partition) : null;
        var advanced = request.AdvancedEventSelectors is { } given ? EventSelectorRules.Validate(given) : null;
        var trail = await context.MutateAsync(request.TrailName, trail =>
        {
            trail.EventSelectors = classic;
            trail.AdvancedEventSelectors = advanced;
            TrailRules.Select(trail, context.Journal.End);
        }, cancellationToken).ConfigureAwait(false);
        return EventSelectorsResponse.Of(trail);
    }
}
