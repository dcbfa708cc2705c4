using Citadel.Kms.Keys;

namespace Citadel.Kms.Model;

/// <summary>The KeyMetadata structure of the KMS API.</summary>
public sealed class KeyMetadata
{
    /// <summary>Account.</summary>
    public string? AWSAccountId { get; init; }
    /// <summary>Key id.</summary>
    public required string KeyId { get; init; }
    /// <summary>Key ARN.</summary>
    public string? Arn { get; init; }
    /// <summary>Creation date.</summary>
    public DateTimeOffset? CreationDate { get; init; }
    /// <summary>Enabled flag.</summary>
    public bool Enabled { get; init; }
    /// <summary>Description.</summary>
    public string? Description { get; init; }
    /// <summary>KeyUsage.</summary>
    public string? KeyUsage { get; init; }
    /// <summary>KeyState.</summary>
    public string? KeyState { get; init; }
    /// <summary>DeletionDate.</summary>
    public DateTimeOffset? DeletionDate { get; init; }
    /// <summary>ValidTo.</summary>
    public DateTimeOffset? ValidTo { get; init; }
    /// <summary>Origin.</summary>
    public string? Origin { get; init; }
    /// <summary>ExpirationModel.</summary>
    public string? ExpirationModel { get; init; }
    /// <summary>KeyManager.</summary>
    public string? KeyManager { get; init; }
    /// <summary>The deprecated twin of KeySpec.</summary>
    public string? CustomerMasterKeySpec { get; init; }
    /// <summary>KeySpec.</summary>
    public string? KeySpec { get; init; }
    /// <summary>EncryptionAlgorithms.</summary>
    public IReadOnlyList<string>? EncryptionAlgorithms { get; init; }
    /// <summary>SigningAlgorithms.</summary>
    public IReadOnlyList<string>? SigningAlgorithms { get; init; }
    /// <summary>MacAlgorithms.</summary>
    public IReadOnlyList<string>? MacAlgorithms { get; init; }
    /// <summary>MultiRegion (always false).</summary>
    public bool? MultiRegion { get; init; }
    /// <summary>PendingDeletionWindowInDays.</summary>
    public int? PendingDeletionWindowInDays { get; init; }
    /// <summary>CurrentKeyMaterialId.</summary>
    public string? CurrentKeyMaterialId { get; init; }

    /// <summary>The metadata of a stored key.</summary>
    public static KeyMetadata From(KeyRecord key, KmsSettings settings) => new()
    {
        AWSAccountId = settings.AccountId,
        KeyId = key.KeyId,
        Arn = key.Arn,
        CreationDate = key.CreationDate,
        Enabled = key.KeyState == "Enabled",
        Description = key.Description,
        KeyUsage = key.KeyUsage,
        KeyState = key.KeyState,
        DeletionDate = key.DeletionDate,
        ValidTo = key.ExpirationModel == "KEY_MATERIAL_EXPIRES" ? key.ValidTo : null,
        Origin = key.Origin,
        ExpirationModel = key.Origin == "EXTERNAL" ? key.ExpirationModel : null,
        KeyManager = key.KeyManager,
        CustomerMasterKeySpec = key.KeySpec,
        KeySpec = key.KeySpec,
        EncryptionAlgorithms = KeySpecs.EncryptionAlgorithms(key.KeySpec, key.KeyUsage),
        SigningAlgorithms = KeySpecs.SigningAlgorithms(key.KeySpec, key.KeyUsage),
        MacAlgorithms = KeySpecs.MacAlgorithms(key.KeySpec),
        MultiRegion = false,
        PendingDeletionWindowInDays = key.KeyState == "PendingDeletion" ? key.PendingDeletionWindowInDays : null,
        CurrentKeyMaterialId = key.KeySpec == "SYMMETRIC_DEFAULT" ? key.Current?.MaterialId : null,
    };
}

/// <summary>A tag on a key.</summary>
public sealed class Tag
{
    /// <summary>Tag key.</summary>
    public required string TagKey { get; init; }
    /// <summary>Tag value.</summary>
    public required string TagValue { get; init; }
}
