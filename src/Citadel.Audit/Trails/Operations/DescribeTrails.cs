using System.Text.Json.Serialization;

namespace Citadel.Audit.Trails.Operations;

/// <summary>DescribeTrails request (camelCase members, as in the AWS model).</summary>
public sealed class DescribeTrailsRequest
{
    /// <summary>Names or ARNs; none or empty means every trail.</summary>
    [JsonPropertyName("trailNameList")]
    public List<string>? TrailNameList { get; init; }
    /// <summary>Shadow trails of other regions (Citadel serves one region: there are none).</summary>
    [JsonPropertyName("includeShadowTrails")]
    public bool? IncludeShadowTrails { get; init; }
}

/// <summary>DescribeTrails response.</summary>
public sealed class DescribeTrailsResponse
{
    /// <summary>The trails.</summary>
    [JsonPropertyName("trailList")]
    public required List<TrailView> TrailList { get; init; }
}

/// <summary>Describes trails: the named ones that exist (unknown names are left out, as AWS does), or all.</summary>
public sealed class DescribeTrails : TrailOperation<DescribeTrailsRequest, DescribeTrailsResponse>
{
    /// <inheritdoc />
    public override bool ReadOnly => true;

    /// <inheritdoc />
    public override async Task<DescribeTrailsResponse> ExecuteAsync(TrailContext context, DescribeTrailsRequest request, CancellationToken cancellationToken)
    {
        if (request.TrailNameList is not { Count: > 0 } names)
            return new() { TrailList = (await context.Trails.AllAsync(cancellationToken).ConfigureAwait(false)).Select(t => TrailView.Of(t, context.Settings)).ToList() };
        var list = new List<TrailView>();
        foreach (var name in names)
        {
            try
            {
                list.Add(TrailView.Of(await context.GetAsync(name, cancellationToken).ConfigureAwait(false), context.Settings));
            }
            catch (TrailException e) when (e.Code == TrailErrorCode.TrailNotFoundException)
            {
            }
        }
        return new() { TrailList = list.DistinctBy(t => t.Name).ToList() };
    }
}
