namespace Citadel.Audit.Trails.Operations;

/// <summary>RemoveTags request.</summary>
public sealed class RemoveTagsRequest : ITrailRequest
{
    /// <summary>The trail's ARN.</summary>
    public required string ResourceId { get; init; }
    /// <summary>Tags to remove (by key).</summary>
    public required List<TagView> TagsList { get; init; }

    string? ITrailRequest.Trail => ResourceId;
}

/// <summary>Removes tags of a trail.</summary>
public sealed class RemoveTags : TrailOperation<RemoveTagsRequest, NoOutput>
{
    /// <inheritdoc />
    public override async Task<NoOutput> ExecuteAsync(TrailContext context, RemoveTagsRequest request, CancellationToken cancellationToken)
    {
        var trail = await TrailRules.ResourceAsync(context, request.ResourceId, cancellationToken).ConfigureAwait(false);
        await context.MutateAsync(trail.Name, t =>
        {
            foreach (var tag in request.TagsList) t.Tags.Remove(tag.Key);
        }, cancellationToken).ConfigureAwait(false);
        return NoOutput.Instance;
    }
}
