namespace Citadel.Kms.Model;

/// <summary>
/// A KMS key with all its versions of key material, stored as one document so that a key and its
/// versions are validated and persisted atomically. Key material appears only wrapped under the root key.
/// </summary>
public sealed class KeyRecord
{
    /// <summary>Key id (UUID).</summary>
    public required string KeyId { get; init; }
    /// <summary>Key ARN.</summary>
    public required string Arn { get; init; }
    /// <summary>Creation time.</summary>
    public required DateTimeOffset CreationDate { get; init; }
    /// <summary>Description.</summary>
    public string Description { get; set; } = "";
    /// <summary>KeyUsage: ENCRYPT_DECRYPT, SIGN_VERIFY, GENERATE_VERIFY_MAC.</summary>
    public required string KeyUsage { get; init; }
    /// <summary>KeySpec.</summary>
    public required string KeySpec { get; init; }
    /// <summary>AWS_KMS or EXTERNAL.</summary>
    public required string Origin { get; init; }
    /// <summary>CUSTOMER or AWS (for alias/aws/* keys).</summary>
    public string KeyManager { get; init; } = "CUSTOMER";
    /// <summary>Enabled, Disabled, PendingDeletion, PendingImport.</summary>
    public string KeyState { get; set; } = "Enabled";
    /// <summary>When a PendingDeletion key is destroyed.</summary>
    public DateTimeOffset? DeletionDate { get; set; }
    /// <summary>The pending window of a scheduled deletion.</summary>
    public int? PendingDeletionWindowInDays { get; set; }
    /// <summary>The state to return to when a deletion is cancelled (always Disabled, as AWS does).</summary>
    public string? StateBeforeDeletion { get; set; }
    /// <summary>The key policy document (name "default").</summary>
    public required string Policy { get; set; }
    /// <summary>Tags by key.</summary>
    public SortedDictionary<string, string> Tags { get; init; } = new(StringComparer.Ordinal);
    /// <summary>Versions of key material, oldest first.</summary>
    public List<KeyVersion> Versions { get; init; } = [];
    /// <summary>Automatic rotation on.</summary>
    public bool RotationEnabled { get; set; }
    /// <summary>Automatic rotation period.</summary>
    public int? RotationPeriodInDays { get; set; }
    /// <summary>When automatic rotation next happens.</summary>
    public DateTimeOffset? NextRotationDate { get; set; }
    /// <summary>Start of the last on-demand rotation.</summary>
    public DateTimeOffset? OnDemandRotationStartDate { get; set; }
    /// <summary>Imported material: KEY_MATERIAL_EXPIRES or KEY_MATERIAL_DOES_NOT_EXPIRE.</summary>
    public string? ExpirationModel { get; set; }
    /// <summary>Imported material expiry.</summary>
    public DateTimeOffset? ValidTo { get; set; }

    /// <summary>The version new ciphertexts use.</summary>
    public KeyVersion? Current => Versions.Count == 0 ? null : Versions[^1];

    /// <summary>Whether the key has material it can use (imported keys may have none).</summary>
    public bool HasMaterial => Versions.Any(v => v.WrappedMaterial is not null);
}

/// <summary>One version of key material.</summary>
public sealed class KeyVersion
{
    /// <summary>Version number, from 1.</summary>
    public required int Number { get; init; }
    /// <summary>64 hex characters identifying the material (KMS KeyMaterialId).</summary>
    public required string MaterialId { get; init; }
    /// <summary>The material wrapped under the root key with the key ARN and version as AAD; null when imported material was deleted.</summary>
    public byte[]? WrappedMaterial { get; set; }
    /// <summary>SubjectPublicKeyInfo DER for asymmetric keys.</summary>
    public byte[]? PublicKey { get; init; }
    /// <summary>When this version was created (the rotation date for versions after the first).</summary>
    public required DateTimeOffset CreatedAt { get; init; }
    /// <summary>AUTOMATIC or ON_DEMAND for versions made by rotation; null for the first.</summary>
    public string? RotationType { get; init; }
}

/// <summary>An alias pointing at a key.</summary>
public sealed class AliasRecord
{
    /// <summary>alias/...</summary>
    public required string AliasName { get; init; }
    /// <summary>The key id it points at.</summary>
    public required string TargetKeyId { get; set; }
    /// <summary>Creation time.</summary>
    public required DateTimeOffset CreationDate { get; init; }
    /// <summary>Last update.</summary>
    public required DateTimeOffset LastUpdatedDate { get; set; }
}
