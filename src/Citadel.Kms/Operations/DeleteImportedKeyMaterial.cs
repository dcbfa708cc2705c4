using Citadel.Kms.Keys;

namespace Citadel.Kms.Operations;

/// <summary>DeleteImportedKeyMaterial request.</summary>
public sealed class DeleteImportedKeyMaterialRequest : IKeyRequest
{
    /// <summary>Any key identifier form of an EXTERNAL-origin key.</summary>
    public required string KeyId { get; init; }
    /// <summary>The material to delete; all of the key's material when absent.</summary>
    public string? KeyMaterialId { get; init; }
}

/// <summary>DeleteImportedKeyMaterial response.</summary>
public sealed class DeleteImportedKeyMaterialResponse
{
    /// <summary>Key ARN.</summary>
    public required string KeyId { get; init; }
    /// <summary>The deleted material.</summary>
    public string? KeyMaterialId { get; init; }
}

/// <summary>
/// Deletes imported key material: the key becomes unusable (PendingImport) until the same material is imported
/// again, after which ciphertexts made before decrypt again.
/// </summary>
public sealed class DeleteImportedKeyMaterial : KmsOperation<DeleteImportedKeyMaterialRequest, DeleteImportedKeyMaterialResponse>
{
    /// <inheritdoc />
    public override async Task<DeleteImportedKeyMaterialResponse> ExecuteAsync(KmsContext context, KmsCall call, DeleteImportedKeyMaterialRequest request, CancellationToken cancellationToken)
    {
        var key = await call.KeyAsync(context, request.KeyId, cancellationToken).ConfigureAwait(false);
        call.Touch(key);
        ImportedMaterial.RequireExternal(key, Name);
        KeyGuards.RequireNotPendingDeletion(key);
        var deleted = await ImportedMaterial.DeleteAsync(context, key, request.KeyMaterialId, cancellationToken).ConfigureAwait(false);
        return new DeleteImportedKeyMaterialResponse { KeyId = key.Arn, KeyMaterialId = deleted };
    }
}
