using Citadel.Kms.Keys;

namespace Citadel.Kms.Operations;

/// <summary>ListKeys request.</summary>
public sealed class ListKeysRequest
{
    /// <summary>Page size, 1 to 1000 (default 100).</summary>
    public int? Limit { get; init; }
    /// <summary>The NextMarker of the previous page.</summary>
    public string? Marker { get; init; }
}

/// <summary>A ListKeys entry.</summary>
public sealed class KeyListEntry
{
    /// <summary>Key id.</summary>
    public required string KeyId { get; init; }
    /// <summary>Key ARN.</summary>
    public required string KeyArn { get; init; }
}

/// <summary>ListKeys response.</summary>
public sealed class ListKeysResponse
{
    /// <summary>Keys.</summary>
    public required List<KeyListEntry> Keys { get; init; }
    /// <summary>Marker of the next page.</summary>
    public string? NextMarker { get; init; }
    /// <summary>Whether more pages follow.</summary>
    public bool Truncated { get; init; }
}

/// <summary>Lists keys in key id order with marker pagination.</summary>
public sealed class ListKeys : KmsOperation<ListKeysRequest, ListKeysResponse>
{
    /// <inheritdoc />
    public override bool ReadOnly => true;

    /// <inheritdoc />
    public override async Task<ListKeysResponse> ExecuteAsync(KmsContext context, KmsCall call, ListKeysRequest request, CancellationToken cancellationToken)
    {
        var limit = request.Limit ?? 100;
        var after = Markers.Decode(request.Marker);
        var keys = await context.Keys.ListAsync(after, limit + 1, cancellationToken).ConfigureAwait(false);
        var truncated = keys.Count > limit;
        var page = keys.Take(limit).ToList();
        return new ListKeysResponse
        {
            Keys = page.Select(k => new KeyListEntry { KeyId = k.KeyId, KeyArn = k.Arn }).ToList(),
            Truncated = truncated,
            NextMarker = truncated ? Markers.Encode(page[^1].KeyId) : null,
        };
    }
}
