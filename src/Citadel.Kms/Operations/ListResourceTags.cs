using Citadel.Kms.Keys;
using Citadel.Kms.Model;

namespace Citadel.Kms.Operations;

/// <summary>ListResourceTags request.</summary>
public sealed class ListResourceTagsRequest : IKeyRequest
{
    /// <summary>Key id or key ARN.</summary>
    public required string KeyId { get; init; }
    /// <summary>Page size, 1 to 50 (default 50).</summary>
    public int? Limit { get; init; }
    /// <summary>The NextMarker of the previous page.</summary>
    public string? Marker { get; init; }
}

/// <summary>ListResourceTags response.</summary>
public sealed class ListResourceTagsResponse
{
    /// <summary>Tags in tag key order.</summary>
    public required List<Tag> Tags { get; init; }
    /// <summary>Marker of the next page.</summary>
    public string? NextMarker { get; init; }
    /// <summary>Whether more pages follow.</summary>
    public bool Truncated { get; init; }
}

/// <summary>Lists a key's tags in tag key order with marker pagination.</summary>
public sealed class ListResourceTags : KmsOperation<ListResourceTagsRequest, ListResourceTagsResponse>
{
    /// <inheritdoc />
    public override bool ReadOnly => true;

    /// <inheritdoc />
    public override async Task<ListResourceTagsResponse> ExecuteAsync(KmsContext context, KmsCall call, ListResourceTagsRequest request, CancellationToken cancellationToken)
    {
        var limit = ManagementRules.PageSize(request.Limit, TagRules.MaxTags, TagRules.MaxTags);
        var after = Markers.Decode(request.Marker);
        var key = await call.KeyAsync(context, request.KeyId, cancellationToken).ConfigureAwait(false);
        call.Touch(key);
        var matching = key.Tags
            .Where(t => after is null || string.CompareOrdinal(t.Key, after) > 0)
            .Take(limit + 1)
            .ToList();
        var truncated = matching.Count > limit;
        var page = matching.Take(limit).ToList();
        return new ListResourceTagsResponse
        {
            Tags = page.Select(t => new Tag { TagKey = t.Key, TagValue = t.Value }).ToList(),
            Truncated = truncated,
            NextMarker = truncated ? Markers.Encode(page[^1].Key) : null,
        };
    }
}
