namespace Citadel.Audit.Trails.Operations;

/// <summary>ListTags request.</summary>
public sealed class ListTagsRequest
{
    /// <summary>Trail ARNs.</summary>
    public required List<string> ResourceIdList { get; init; }
    /// <summary>Continuation (never issued: all tags fit one page).</summary>
    public string? NextToken { get; init; }
}

/// <summary>The tags of one resource.</summary>
public sealed class ResourceTag
{
    /// <summary>The ARN.</summary>
    public required string ResourceId { get; init; }
    /// <summary>Its tags.</summary>
    public required List<TagView> TagsList { get; init; }
}

/// <summary>ListTags response.</summary>
public sealed class ListTagsResponse
{
    /// <summary>One entry per resource asked for.</summary>
    public required List<ResourceTag> ResourceTagList { get; init; }
}

/// <summary>Lists the tags of trails.</summary>
public sealed class ListTags : TrailOperation<ListTagsRequest, ListTagsResponse>
{
    /// <inheritdoc />
    public override bool ReadOnly => true;

    /// <inheritdoc />
    public override async Task<ListTagsResponse> ExecuteAsync(TrailContext context, ListTagsRequest request, CancellationToken cancellationToken)
    {
        if (request.NextToken is not null)
            throw new TrailException(TrailErrorCode.InvalidTokenException, "The NextToken was not issued by ListTags.");
        var list = new List<ResourceTag>();
        foreach (var id in request.ResourceIdList)
        {
            var trail = await TrailRules.ResourceAsync(context, id, cancellationToken).ConfigureAwait(false);
            list.Add(new ResourceTag { ResourceId = id, TagsList = trail.Tags.Select(t => new TagView { Key = t.Key, Value = t.Value }).ToList() });
        }
        return new ListTagsResponse { ResourceTagList = list };
    }
}
