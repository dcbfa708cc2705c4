using System.Globalization;
using Citadel.Kms.Keys;

namespace Citadel.Kms.Operations;

/// <summary>ListKeyRotations request.</summary>
public sealed class ListKeyRotationsRequest : IKeyRequest
{
    /// <summary>Key id or key ARN.</summary>
    public required string KeyId { get; init; }
    /// <summary>ROTATIONS_ONLY (default) or ALL_KEY_MATERIAL (adds the first material).</summary>
    public string? IncludeKeyMaterial { get; init; }
    /// <summary>Page size, 1 to 1000 (default 100).</summary>
    public int? Limit { get; init; }
    /// <summary>The NextMarker of the previous page.</summary>
    public string? Marker { get; init; }
}

/// <summary>A ListKeyRotations entry: one key material.</summary>
public sealed class RotationsListEntry
{
    /// <summary>The key id.</summary>
    public required string KeyId { get; init; }
    /// <summary>The material's KeyMaterialId.</summary>
    public string? KeyMaterialId { get; init; }
    /// <summary>Description of imported material (not kept by Citadel).</summary>
    public string? KeyMaterialDescription { get; init; }
    /// <summary>IMPORTED or PENDING_IMPORT, for EXTERNAL-origin keys.</summary>
    public string? ImportState { get; init; }
    /// <summary>CURRENT or NON_CURRENT.</summary>
    public string? KeyMaterialState { get; init; }
    /// <summary>Expiration model of imported material.</summary>
    public string? ExpirationModel { get; init; }
    /// <summary>Expiry of imported material.</summary>
    public DateTimeOffset? ValidTo { get; init; }
    /// <summary>When the rotation happened (absent for the first material).</summary>
    public DateTimeOffset? RotationDate { get; init; }
    /// <summary>AUTOMATIC or ON_DEMAND (absent for the first material).</summary>
    public string? RotationType { get; init; }
}

/// <summary>ListKeyRotations response.</summary>
public sealed class ListKeyRotationsResponse
{
    /// <summary>Rotations, oldest first.</summary>
    public required List<RotationsListEntry> Rotations { get; init; }
    /// <summary>Marker of the next page.</summary>
    public string? NextMarker { get; init; }
    /// <summary>Whether more pages follow.</summary>
    public bool Truncated { get; init; }
}

/// <summary>Lists the completed rotations (key material versions) of a symmetric encryption key.</summary>
public sealed class ListKeyRotations : KmsOperation<ListKeyRotationsRequest, ListKeyRotationsResponse>
{
    /// <inheritdoc />
    public override bool ReadOnly => true;

    /// <inheritdoc />
    public override async Task<ListKeyRotationsResponse> ExecuteAsync(KmsContext context, KmsCall call, ListKeyRotationsRequest request, CancellationToken cancellationToken)
    {
        var limit = request.Limit ?? 100;
        var marker = Markers.Decode(request.Marker);
        var after = 0;
        if (marker is not null && (!int.TryParse(marker, NumberStyles.None, CultureInfo.InvariantCulture, out after) || after < 1))
            throw new KmsException(KmsErrorCode.InvalidMarker, "Invalid marker.");
        var key = await call.KeyAsync(context, request.KeyId, cancellationToken).ConfigureAwait(false);
        call.Touch(key);
        if (key.KeySpec != "SYMMETRIC_DEFAULT")
            throw new KmsException(KmsErrorCode.UnsupportedOperation, $"{key.Arn} key spec {key.KeySpec} is not valid for this operation.");
        var all = request.IncludeKeyMaterial == "ALL_KEY_MATERIAL";
        var current = key.Current;
        var external = key.Origin == "EXTERNAL";
        var matching = key.Versions
            .Where(v => (all || v.RotationType is not null) && v.Number > after)
            .Take(limit + 1)
            .ToList();
        var truncated = matching.Count > limit;
        var page = matching.Take(limit).ToList();
        return new ListKeyRotationsResponse
        {
            Rotations = page.Select(v => new RotationsListEntry
            {
                KeyId = key.KeyId,
                KeyMaterialId = v.MaterialId,
                KeyMaterialState = ReferenceEquals(v, current) ? "CURRENT" : "NON_CURRENT",
                ImportState = external ? (v.WrappedMaterial is null ? "PENDING_IMPORT" : "IMPORTED") : null,
                ExpirationModel = external ? key.ExpirationModel : null,
                ValidTo = external && key.ExpirationModel == "KEY_MATERIAL_EXPIRES" ? key.ValidTo : null,
                RotationDate = v.RotationType is null ? null : v.CreatedAt,
                RotationType = v.RotationType,
            }).ToList(),
            Truncated = truncated,
            NextMarker = truncated ? Markers.Encode(page[^1].Number.ToString(CultureInfo.InvariantCulture)) : null,
        };
    }
}
