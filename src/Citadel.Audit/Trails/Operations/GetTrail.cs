namespace Citadel.Audit.Trails.Operations;

/// <summary>GetTrail request.</summary>
public sealed class GetTrailRequest : ITrailRequest
{
    /// <summary>Name or ARN.</summary>
    public required string Name { get; init; }

    string? ITrailRequest.Trail => Name;
}

/// <summary>GetTrail response.</summary>
public sealed class GetTrailResponse
{
    /// <summary>The trail.</summary>
    public required TrailView Trail { get; init; }
}

/// <summary>Returns a trail's settings.</summary>
public sealed class GetTrail : TrailOperation<GetTrailRequest, GetTrailResponse>
{
    /// <inheritdoc />
    public override bool ReadOnly => true;

    /// <inheritdoc />
    public override async Task<GetTrailResponse> ExecuteAsync(TrailContext context, GetTrailRequest request, CancellationToken cancellationToken)
        => new() { Trail = TrailView.Of(await context.GetAsync(request.Name, cancellationToken).ConfigureAwait(false), context.Settings) };
}
