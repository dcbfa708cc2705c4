using Citadel.Kms.Keys;

namespace Citadel.Kms.Operations;

/// <summary>ListAliases request.</summary>
public sealed class ListAliasesRequest : IKeyRequest
{
    /// <summary>Only aliases of this key (key id or key ARN).</summary>
    public string? KeyId { get; init; }
    /// <summary>Page size, 1 to 100 (default 50).</summary>
    public int? Limit { get; init; }
    /// <summary>The NextMarker of the previous page.</summary>
    public string? Marker { get; init; }
}

/// <summary>A ListAliases entry.</summary>
public sealed class AliasListEntry
{
    /// <summary>alias/...</summary>
    public required string AliasName { get; init; }
    /// <summary>Alias ARN.</summary>
    public required string AliasArn { get; init; }
    /// <summary>Key id of the target.</summary>
    public string? TargetKeyId { get; init; }
    /// <summary>Creation time.</summary>
    public DateTimeOffset? CreationDate { get; init; }
    /// <summary>Last update.</summary>
    public DateTimeOffset? LastUpdatedDate { get; init; }
}

/// <summary>ListAliases response.</summary>
public sealed class ListAliasesResponse
{
    /// <summary>Aliases in name order.</summary>
    public required List<AliasListEntry> Aliases { get; init; }
    /// <summary>Marker of the next page.</summary>
    public string? NextMarker { get; init; }
    /// <summary>Whether more pages follow.</summary>
    public bool Truncated { get; init; }
}

/// <summary>Lists the aliases of the account, or of one key, in name order with marker pagination.</summary>
public sealed class ListAliases : KmsOperation<ListAliasesRequest, ListAliasesResponse>
{
    /// <inheritdoc />
    public override bool ReadOnly => true;

    /// <inheritdoc />
    public override async Task<ListAliasesResponse> ExecuteAsync(KmsContext context, KmsCall call, ListAliasesRequest request, CancellationToken cancellationToken)
    {
        var limit = ManagementRules.PageSize(request.Limit, 50, 100);
        var after = Markers.Decode(request.Marker);
        string? keyId = null;
        if (request.KeyId is not null)
        {
            var key = await call.KeyAsync(context, request.KeyId, cancellationToken).ConfigureAwait(false);
            call.Touch(key);
            keyId = key.KeyId;
        }
        var all = await context.Keys.AllAliasesAsync(cancellationToken).ConfigureAwait(false);
        var matching = all
            .Where(a => keyId is null || a.TargetKeyId == keyId)
            .Where(a => after is null || string.CompareOrdinal(a.AliasName, after) > 0)
            .OrderBy(a => a.AliasName, StringComparer.Ordinal)
            .Take(limit + 1)
            .ToList();
        var truncated = matching.Count > limit;
        var page = matching.Take(limit).ToList();
        return new ListAliasesResponse
        {
            Aliases = page.Select(a => new AliasListEntry
            {
                AliasName = a.AliasName,
                AliasArn = context.Settings.AliasArn(a.AliasName),
                TargetKeyId = a.TargetKeyId,
                CreationDate = a.CreationDate,
                LastUpdatedDate = a.LastUpdatedDate,
            }).ToList(),
            Truncated = truncated,
            NextMarker = truncated ? Markers.Encode(page[^1].AliasName) : null,
        };
    }
}
