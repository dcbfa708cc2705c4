namespace Citadel.Audit.Trails.Operations;

/// <summary>ListTrails request.</summary>
public sealed class ListTrailsRequest
{
    /// <summary>Continuation (the last name of the previous page).</summary>
    public string? NextToken { get; init; }
}

/// <summary>A trail in a ListTrails page.</summary>
public sealed class TrailInfo
{
    /// <summary>ARN.</summary>
    [System.Text.Json.Serialization.JsonPropertyName("TrailARN")]
    public required string TrailArn { get; init; }
    /// <summary>Name.</summary>
    public required string Name { get; init; }
    /// <summary>Home region.</summary>
    public required string HomeRegion { get; init; }
}

/// <summary>ListTrails response.</summary>
public sealed class ListTrailsResponse
{
    /// <summary>Trails in name order.</summary>
    public required List<TrailInfo> Trails { get; init; }
    /// <summary>Continuation.</summary>
    public string? NextToken { get; init; }
}

/// <summary>Lists trails, 50 to a page, in name order.</summary>
public sealed class ListTrails : TrailOperation<ListTrailsRequest, ListTrailsResponse>
{
    private const int PageSize = 50;

    /// <inheritdoc />
    public override bool ReadOnly => true;

    /// <inheritdoc />
    public override async Task<ListTrailsResponse> ExecuteAsync(TrailContext context, ListTrailsRequest request, CancellationToken cancellationToken)
    {
        var page = await context.Trails.ListAsync(request.NextToken, PageSize + 1, cancellationToken).ConfigureAwait(false);
        var trails = page.Take(PageSize).Select(t => new TrailInfo { TrailArn = t.TrailArn, Name = t.Name, HomeRegion = context.Settings.Region }).ToList();
        return new ListTrailsResponse { Trails = trails, NextToken = page.Count > PageSize ? trails[^1].Name : null };
    }
}
