namespace Citadel.Audit.Trails.Operations;

/// <summary>GetEventSelectors request.</summary>
public sealed class GetEventSelectorsRequest : ITrailRequest
{
    /// <summary>Name or ARN.</summary>
    public required string TrailName { get; init; }

    string? ITrailRequest.Trail => TrailName;
}

/// <summary>GetEventSelectors and PutEventSelectors response.</summary>
public sealed class EventSelectorsResponse
{
    /// <summary>The trail.</summary>
    [System.Text.Json.Serialization.JsonPropertyName("TrailARN")]
    public required string TrailArn { get; init; }
    /// <summary>Classic selectors (absent when advanced ones are in use).</summary>
    public List<EventSelector>? EventSelectors { get; init; }
    /// <summary>Advanced selectors.</summary>
    public List<AdvancedEventSelector>? AdvancedEventSelectors { get; init; }

    /// <summary>The selectors of a trail (the default one when none were put).</summary>
    public static EventSelectorsResponse Of(TrailRecord trail) => new()
    {
        TrailArn = trail.TrailArn,
        EventSelectors = trail.AdvancedEventSelectors is null ? trail.EventSelectors ?? EventSelection.Default() : null,
        AdvancedEventSelectors = trail.AdvancedEventSelectors,
    };
}

/// <summary>Returns a trail's event selectors.</summary>
public sealed class GetEventSelectors : TrailOperation<GetEventSelectorsRequest, EventSelectorsResponse>
{
    /// <inheritdoc />
    public override bool ReadOnly => true;

    /// <inheritdoc />
    public override async Task<EventSelectorsResponse> ExecuteAsync(TrailContext context, GetEventSelectorsRequest request, CancellationToken cancellationToken)
        => EventSelectorsResponse.Of(await context.GetAsync(request.TrailName, cancellationToken).ConfigureAwait(false));
}
