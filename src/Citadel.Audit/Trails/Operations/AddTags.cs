namespace Citadel.Audit.Trails.Operations;

/// <summary>AddTags request.</summary>
public sealed class AddTagsRequest : ITrailRequest
{
    /// <summary>The trail's ARN.</summary>
    public required string ResourceId { get; init; }
    /// <summary>Tags to add or replace.</summary>
    public required List<TagView> TagsList { get; init; }

    string? ITrailRequest.Trail => ResourceId;
}

/// <summary>Adds or replaces tags of a trail (at most 50).</summary>
public sealed class AddTags : TrailOperation<AddTagsRequest, NoOutput>
{
    /// <inheritdoc />
    public override async Task<NoOutput> ExecuteAsync(TrailContext context, AddTagsRequest request, CancellationToken cancellationToken)
    {
        var trail = await TrailRules.ResourceAsync(context, request.ResourceId, cancellationToken).ConfigureAwait(false);
        await context.MutateAsync(trail.Name, t => TrailRules.Apply(t.Tags, request.TagsList), cancellationToken).ConfigureAwait(false);
        return NoOutput.Instance;
    }
}
