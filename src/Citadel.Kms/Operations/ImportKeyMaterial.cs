using System.Security.Cryptography;
using Citadel.Kms.Keys;
using Citadel.Kms.Model;

namespace Citadel.Kms.Operations;

/// <summary>ImportKeyMaterial request.</summary>
public sealed class ImportKeyMaterialRequest : IKeyRequest
{
    /// <summary>Any key identifier form of an EXTERNAL-origin key.</summary>
    public required string KeyId { get; init; }
    /// <summary>The token of the GetParametersForImport response whose public key wrapped the material.</summary>
    public required byte[] ImportToken { get; init; }
    /// <summary>The material, wrapped with the token's public key and wrapping algorithm.</summary>
    public required byte[] EncryptedKeyMaterial { get; init; }
    /// <summary>Expiry of the material; required with KEY_MATERIAL_EXPIRES, forbidden otherwise.</summary>
    public DateTimeOffset? ValidTo { get; init; }
    /// <summary>KEY_MATERIAL_EXPIRES (default) or KEY_MATERIAL_DOES_NOT_EXPIRE.</summary>
    public string? ExpirationModel { get; init; }
    /// <summary>NEW_KEY_MATERIAL or EXISTING_KEY_MATERIAL (symmetric keys only).</summary>
    public string? ImportType { get; init; }
    /// <summary>A description of the material (accepted, not stored).</summary>
    public string? KeyMaterialDescription { get; init; }
    /// <summary>The id the material must have (re-imports of symmetric keys only).</summary>
    public string? KeyMaterialId { get; init; }
}

/// <summary>ImportKeyMaterial response.</summary>
public sealed class ImportKeyMaterialResponse
{
    /// <summary>Key ARN.</summary>
    public required string KeyId { get; init; }
    /// <summary>The id of the imported material.</summary>
    public required string KeyMaterialId { get; init; }
}

/// <summary>
/// Imports key material into an EXTERNAL-origin key. The first import sets the key's material for good: after
/// DeleteImportedKeyMaterial (or expiry) only the same material can be imported again.
/// </summary>
public sealed class ImportKeyMaterial : KmsOperation<ImportKeyMaterialRequest, ImportKeyMaterialResponse>
{
    /// <summary>The longest ValidTo AWS accepts, from the request time.</summary>
    public static readonly TimeSpan MaxValidity = TimeSpan.FromDays(365);

    /// <inheritdoc />
    public override async Task<ImportKeyMaterialResponse> ExecuteAsync(KmsContext context, KmsCall call, ImportKeyMaterialRequest request, CancellationToken cancellationToken)
    {
        var key = await call.KeyAsync(context, request.KeyId, cancellationToken).ConfigureAwait(false);
        call.Touch(key);
        ImportedMaterial.RequireExternal(key, Name);
        KeyGuards.RequireNotPendingDeletion(key);
        var now = context.Time.GetUtcNow();
        var (expirationModel, validTo) = Expiration(request, now);
        CheckImportType(key, request);

        var tokens = new ImportTokenStore(context.Keys.Store, context.Root);
        var token = await tokens.OpenAsync(request.ImportToken, key, now, cancellationToken).ConfigureAwait(false);
        var privateKey = tokens.PrivateKey(token);
        byte[] material;
        try
        {
            material = ImportedMaterial.Unwrap(token, privateKey, request.EncryptedKeyMaterial);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(privateKey);
        }

        try
        {
            ImportedMaterial.CheckSize(key, material.Length);
            var materialId = KeyFactory.MaterialId(material);
            if (request.KeyMaterialId is not null && request.KeyMaterialId != materialId)
                throw new KmsException(KmsErrorCode.IncorrectKeyMaterial, $"The key material does not match the KeyMaterialId {request.KeyMaterialId}.");
            await context.Keys.MutateAsync(key.KeyId, record =>
            {
                KeyGuards.RequireNotPendingDeletion(record);
                Apply(context, record, material, materialId, request.ImportType, now);
                record.ExpirationModel = expirationModel;
                record.ValidTo = validTo;
                return true;
            }, cancellationToken).ConfigureAwait(false);
            return new ImportKeyMaterialResponse { KeyId = key.Arn, KeyMaterialId = materialId };
        }
        finally
        {
            CryptographicOperations.ZeroMemory(material);
        }
    }

    private static (string Model, DateTimeOffset? ValidTo) Expiration(ImportKeyMaterialRequest request, DateTimeOffset now)
    {
        var model = request.ExpirationModel ?? "KEY_MATERIAL_EXPIRES";
        if (model == "KEY_MATERIAL_DOES_NOT_EXPIRE")
        {
            if (request.ValidTo is not null)
                throw new KmsException(KmsErrorCode.Validation, "ValidTo must be omitted when ExpirationModel is KEY_MATERIAL_DOES_NOT_EXPIRE.");
            return (model, null);
        }
        if (request.ValidTo is not { } validTo)
            throw new KmsException(KmsErrorCode.Validation, "ValidTo is required when ExpirationModel is KEY_MATERIAL_EXPIRES (the default).");
        if (validTo <= now)
            throw new KmsException(KmsErrorCode.Validation, "ValidTo must be in the future.");
        if (validTo > now + MaxValidity)
            throw new KmsException(KmsErrorCode.Validation, "ValidTo must be at most 365 days after the request.");
        return (model, validTo);
    }

    private static void CheckImportType(KeyRecord key, ImportKeyMaterialRequest request)
    {
        if ((request.ImportType is not null || request.KeyMaterialId is not null) && key.KeySpec != "SYMMETRIC_DEFAULT")
            throw new KmsException(KmsErrorCode.Validation, "ImportType and KeyMaterialId are only valid for symmetric encryption keys.");
        var importType = request.ImportType ?? (key.Versions.Count == 0 ? "NEW_KEY_MATERIAL" : "EXISTING_KEY_MATERIAL");
        if (importType == "NEW_KEY_MATERIAL")
        {
            if (request.KeyMaterialId is not null)
                throw new KmsException(KmsErrorCode.Validation, "KeyMaterialId cannot be specified with ImportType NEW_KEY_MATERIAL.");
            if (key.Versions.Count > 0)
                throw new KmsException(KmsErrorCode.UnsupportedOperation,
                    $"{key.Arn} already has key material; importing new key material for on-demand rotation is not supported by Citadel. Re-import the same key material with ImportType EXISTING_KEY_MATERIAL.");
        }
        else if (key.Versions.Count == 0)
        {
            throw new KmsException(KmsErrorCode.IncorrectKeyMaterial, $"{key.Arn} has no key material yet; the first import must use ImportType NEW_KEY_MATERIAL.");
        }
    }

    /// <summary>Stores the material on a fresh copy of the key: as version 1 on first import, else into the version it matches.</summary>
    private static void Apply(KmsContext context, KeyRecord record, byte[] material, string materialId, string? requestedImportType, DateTimeOffset now)
    {
        var importType = requestedImportType ?? (record.Versions.Count == 0 ? "NEW_KEY_MATERIAL" : "EXISTING_KEY_MATERIAL");
        if (record.Versions.Count == 0)
        {
            if (importType != "NEW_KEY_MATERIAL")
                throw new KmsException(KmsErrorCode.IncorrectKeyMaterial, $"{record.Arn} has no key material yet; the first import must use ImportType NEW_KEY_MATERIAL.");
            record.Versions.Add(new KeyVersion
            {
                Number = 1,
                MaterialId = materialId,
                WrappedMaterial = context.Keys.Wrap(record.Arn, 1, material),
                CreatedAt = now,
            });
        }
        else
        {
            if (importType == "NEW_KEY_MATERIAL")
                throw new KmsException(KmsErrorCode.UnsupportedOperation, $"{record.Arn} already has key material; importing new key material is not supported by Citadel.");
            var version = record.Versions.FirstOrDefault(v => v.MaterialId == materialId)
                ?? throw new KmsException(KmsErrorCode.IncorrectKeyMaterial,
                    $"The key material in the request is not the key material previously imported into {record.Arn}; only the same key material can be re-imported.");
            version.WrappedMaterial ??= context.Keys.Wrap(record.Arn, version.Number, material);
        }
        if (record.KeyState == "PendingImport" && record.Current!.WrappedMaterial is not null)
            record.KeyState = "Enabled";
    }
}
