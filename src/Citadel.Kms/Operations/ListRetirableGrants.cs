using Citadel.Kms.Keys;

namespace Citadel.Kms.Operations;

/// <summary>ListRetirableGrants request.</summary>
public sealed class ListRetirableGrantsRequest
{
    /// <summary>Page size, 1 to 100 (default 50).</summary>
    public int? Limit { get; init; }
    /// <summary>The NextMarker of the previous page.</summary>
    public string? Marker { get; init; }
    /// <summary>The retiring principal ARN.</summary>
    public required string RetiringPrincipal { get; init; }
}

/// <summary>
/// Lists the grants, on every key of the account, whose retiring principal is the one given. As in AWS it is
/// authorized on the account (kms:ListRetirableGrants in IAM policies), not on the keys it returns.
/// </summary>
public sealed class ListRetirableGrants : KmsOperation<ListRetirableGrantsRequest, ListGrantsResponse>
{
    /// <inheritdoc />
    public override bool ReadOnly => true;

    /// <inheritdoc />
    public override async Task<ListGrantsResponse> ExecuteAsync(KmsContext context, KmsCall call, ListRetirableGrantsRequest request, CancellationToken cancellationToken)
    {
        var limit = ManagementRules.PageSize(request.Limit, 50, 100);
        var after = Markers.Decode(request.Marker);
        var (grants, lastId, more) = await context.Grants.ByRetiringPrincipalAsync(request.RetiringPrincipal, after, limit, cancellationToken).ConfigureAwait(false);
        return new ListGrantsResponse
        {
            Grants = grants.Select(GrantListEntry.Of).ToList(),
            Truncated = more,
            NextMarker = more ? Markers.Encode(lastId!) : null,
        };
    }
}
