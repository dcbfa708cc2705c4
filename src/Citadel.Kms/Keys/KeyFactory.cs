using System.Security.Cryptography;
using Citadel.Crypto;
using Citadel.Kms.Model;

namespace Citadel.Kms.Keys;

/// <summary>Makes new key records and key versions with fresh, wrapped material.</summary>
public static class KeyFactory
{
    /// <summary>A new key record; EXTERNAL-origin keys start in PendingImport without material.</summary>
    public static KeyRecord NewKey(KmsSettings settings, KeyRepository keys, IRandom random, DateTimeOffset now, string keySpec, string keyUsage,
        string origin, string description, string policy, string keyManager = "CUSTOMER")
    {
        var keyId = NewKeyId(random);
        var record = new KeyRecord
        {
            KeyId = keyId,
            Arn = settings.KeyArn(keyId),
            CreationDate = now,
            Description = description,
            KeyUsage = keyUsage,
            KeySpec = keySpec,
            Origin = origin,
            KeyManager = keyManager,
            Policy = policy,
            KeyState = origin == "EXTERNAL" ? "PendingImport" : "Enabled",
        };
        if (origin != "EXTERNAL") record.Versions.Add(NewVersion(keys, record, random, now, null));
        return record;
    }

    /// <summary>A new version of generated material for the record (the next number).</summary>
    public static KeyVersion NewVersion(KeyRepository keys, KeyRecord record, IRandom random, DateTimeOffset now, string? rotationType)
    {
        var number = record.Versions.Count == 0 ? 1 : record.Versions[^1].Number + 1;
        var material = KeySpecs.GenerateMaterial(record.KeySpec, random);
        try
        {
            return new KeyVersion
            {
                Number = number,
                MaterialId = MaterialId(material),
                WrappedMaterial = keys.Wrap(record.Arn, number, material),
                PublicKey = KeySpecs.IsAsymmetric(record.KeySpec) ? AsymmetricKeys.PublicKeyOf(KeySpecs.AsymmetricType(record.KeySpec), material) : null,
                CreatedAt = now,
                RotationType = rotationType,
            };
        }
        finally
        {
            CryptographicOperations.ZeroMemory(material);
        }
    }

    /// <summary>The KeyMaterialId: 64 hex characters derived one-way from the material, stable across re-imports of the same material.</summary>
    public static string MaterialId(ReadOnlySpan<byte> material)
    {
        Span<byte> id = stackalloc byte[32];
        Hkdf256.DeriveKey(material, default, "citadel/kms/key-material-id/v1"u8, id);
        return Convert.ToHexStringLower(id);
    }

    private static string NewKeyId(IRandom random)
    {
        Span<byte> bytes = stackalloc byte[16];
        random.Fill(bytes);
        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x40);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes, bigEndian: true).ToString("D");
    }
}
