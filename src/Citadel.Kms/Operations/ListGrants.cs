using Citadel.Kms.Grants;
using Citadel.Kms.Keys;
using Citadel.Kms.Model;

namespace Citadel.Kms.Operations;

/// <summary>ListGrants request.</summary>
public sealed class ListGrantsRequest : IKeyRequest
{
    /// <summary>Page size, 1 to 100 (default 50).</summary>
    public int? Limit { get; init; }
    /// <summary>The NextMarker of the previous page.</summary>
    public string? Marker { get; init; }
    /// <summary>Key id or key ARN.</summary>
    public required string KeyId { get; init; }
    /// <summary>Only this grant.</summary>
    public string? GrantId { get; init; }
    /// <summary>Only grants to this principal.</summary>
    public string? GranteePrincipal { get; init; }
}

/// <summary>A grant as ListGrants and ListRetirableGrants show it.</summary>
public sealed class GrantListEntry
{
    /// <summary>The key ARN.</summary>
    public required string KeyId { get; init; }
    /// <summary>The grant id.</summary>
    public required string GrantId { get; init; }
    /// <summary>The name given at creation.</summary>
    public string? Name { get; init; }
    /// <summary>When it was created.</summary>
    public required DateTimeOffset CreationDate { get; init; }
    /// <summary>Who the grant lets act.</summary>
    public required string GranteePrincipal { get; init; }
    /// <summary>Who may retire it.</summary>
    public string? RetiringPrincipal { get; init; }
    /// <summary>The account root that issued it.</summary>
    public required string IssuingAccount { get; init; }
    /// <summary>What it allows.</summary>
    public required List<string> Operations { get; init; }
    /// <summary>Its encryption context constraints.</summary>
    public GrantConstraints? Constraints { get; init; }

    /// <summary>The entry of a stored grant.</summary>
    public static GrantListEntry Of(GrantRecord grant) => new()
    {
        KeyId = grant.KeyArn,
        GrantId = grant.GrantId,
        Name = grant.Name,
        CreationDate = grant.CreationDate,
        GranteePrincipal = grant.GranteePrincipal,
        RetiringPrincipal = grant.RetiringPrincipal,
        IssuingAccount = grant.IssuingAccount,
        Operations = grant.Operations,
        Constraints = grant.Constraints,
    };
}

/// <summary>ListGrants and ListRetirableGrants response.</summary>
public sealed class ListGrantsResponse
{
    /// <summary>Grants in grant id order.</summary>
    public required List<GrantListEntry> Grants { get; init; }
    /// <summary>Marker of the next page.</summary>
    public string? NextMarker { get; init; }
    /// <summary>Whether more pages follow.</summary>
    public bool Truncated { get; init; }
}

/// <summary>Lists the grants of a key (in any key state), optionally only one grant or one grantee's, with marker pagination.</summary>
public sealed class ListGrants : KmsOperation<ListGrantsRequest, ListGrantsResponse>
{
    /// <inheritdoc />
    public override bool ReadOnly => true;

    /// <inheritdoc />
    public override async Task<ListGrantsResponse> ExecuteAsync(KmsContext context, KmsCall call, ListGrantsRequest request, CancellationToken cancellationToken)
    {
        var limit = ManagementRules.PageSize(request.Limit, 50, 100);
        var after = Markers.Decode(request.Marker);
        if (request.GrantId is { } grantId) GrantOperations.RequireGrantId(grantId);
        var key = await call.KeyAsync(context, request.KeyId, cancellationToken).ConfigureAwait(false);
        call.Touch(key);
        var matching = (await context.Grants.OfKeyAsync(key.KeyId, cancellationToken).ConfigureAwait(false))
            .Where(g => request.GrantId is null || g.GrantId == request.GrantId)
            .Where(g => request.GranteePrincipal is null || g.GranteePrincipal == request.GranteePrincipal)
            .Where(g => after is null || string.CompareOrdinal(g.GrantId, after) > 0)
            .Take(limit + 1)
            .ToList();
        var truncated = matching.Count > limit;
        var page = matching.Take(limit).ToList();
        return new ListGrantsResponse
        {
            Grants = page.Select(GrantListEntry.Of).ToList(),
            Truncated = truncated,
            NextMarker = truncated ? Markers.Encode(page[^1].GrantId) : null,
        };
    }
}
