using System.Security.Cryptography;
using Citadel.Crypto;
using Citadel.Kms.Model;

namespace Citadel.Kms.Keys;

/// <summary>Imported key material (EXTERNAL-origin keys): unwrapping what clients send, size rules, and deletion.</summary>
public static class ImportedMaterial
{
    /// <summary>The wrapping algorithms Citadel accepts.</summary>
    public static readonly IReadOnlyList<string> WrappingAlgorithms = ["RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256", "RSA_AES_KEY_WRAP_SHA_1", "RSA_AES_KEY_WRAP_SHA_256"];

    /// <summary>The wrapping key specs Citadel accepts.</summary>
    public static readonly IReadOnlyList<string> WrappingKeySpecs = ["RSA_2048", "RSA_3072", "RSA_4096"];

    /// <summary>The key must be an EXTERNAL-origin key; otherwise UnsupportedOperationException, as AWS does.</summary>
    public static void RequireExternal(KeyRecord key, string operation)
    {
        if (key.Origin != "EXTERNAL")
            throw new KmsException(KmsErrorCode.UnsupportedOperation, $"{key.Arn} origin is {key.Origin} which is not valid for this operation ({operation}); it requires a key with origin EXTERNAL.");
    }

    /// <summary>
    /// Unwraps key material encrypted to a token's wrapping key: RSAES_OAEP_* decrypts directly; RSA_AES_KEY_WRAP_*
    /// (PKCS#11 CKM_RSA_AES_KEY_WRAP) is RSA-OAEP of an ephemeral AES-256 key (the first modulus-length bytes)
    /// followed by AES-KWP (RFC 5649) of the material. Any failure is InvalidCiphertextException.
    /// </summary>
    public static byte[] Unwrap(ImportTokenRecord token, byte[] privateKey, byte[] encrypted)
    {
        var hash = token.WrappingAlgorithm.EndsWith("SHA_1", StringComparison.Ordinal) ? HashAlgorithmName.SHA1 : HashAlgorithmName.SHA256;
        try
        {
            if (token.WrappingAlgorithm.StartsWith("RSAES_OAEP_", StringComparison.Ordinal))
                return AsymmetricKeys.RsaOaepDecrypt(privateKey, hash, encrypted);
            var modulusBytes = AsymmetricKeys.RsaBits(KeySpecs.AsymmetricType(token.WrappingKeySpec)) / 8;
            if (encrypted.Length <= modulusBytes) throw new AuthenticationFailedException();
            var aesKey = AsymmetricKeys.RsaOaepDecrypt(privateKey, hash, encrypted[..modulusBytes]);
            try
            {
                if (aesKey.Length != 32) throw new AuthenticationFailedException();
                return AesKeyWrap.UnwrapPad(aesKey, encrypted[modulusBytes..]);
            }
            finally
            {
                CryptographicOperations.ZeroMemory(aesKey);
            }
        }
        catch (CryptographicException)
        {
            throw new KmsException(KmsErrorCode.InvalidCiphertext,
                $"The key material could not be decrypted with the wrapping key of the import token and {token.WrappingAlgorithm}.");
        }
    }

    /// <summary>
    /// Checks the material size for the key spec: 32 bytes for SYMMETRIC_DEFAULT; for HMAC keys from the spec's
    /// size up to the hash's block size (HMAC_224/256: 28/32 to 64 bytes, HMAC_384/512: 48/64 to 128 bytes), as AWS allows.
    /// </summary>
    public static void CheckSize(KeyRecord key, int length)
    {
        var (min, max) = key.KeySpec switch
        {
            "SYMMETRIC_DEFAULT" => (32, 32),
            "HMAC_224" or "HMAC_256" => (KeySpecs.HmacKeyBytes(key.KeySpec), 64),
            "HMAC_384" or "HMAC_512" => (KeySpecs.HmacKeyBytes(key.KeySpec), 128),
            _ => throw new KmsException(KmsErrorCode.UnsupportedOperation, $"Citadel imports key material only for SYMMETRIC_DEFAULT and HMAC keys, not {key.KeySpec}."),
        };
        if (length < min || length > max)
        {
            var expected = min == max ? $"{min} bytes" : $"between {min} and {max} bytes";
            throw new KmsException(KmsErrorCode.IncorrectKeyMaterial, $"Key material for {key.KeySpec} must be {expected}, not {length} bytes.");
        }
    }

    /// <summary>
    /// Deletes imported material: of the version with <paramref name="keyMaterialId"/>, or of every version when null.
    /// When the current version loses its material the key goes to PendingImport. Returns the id of the
    /// deleted material (the current one when all are deleted), or null when there was none.
    /// </summary>
    public static async Task<string?> DeleteAsync(KmsContext context, KeyRecord key, string? keyMaterialId, CancellationToken cancellationToken)
    {
        var deleted = await context.Keys.MutateAsync(key.KeyId, record =>
        {
            KeyGuards.RequireNotPendingDeletion(record);
            return Clear(record, keyMaterialId);
        }, cancellationToken).ConfigureAwait(false);
        context.Keys.ForgetMaterial(key.KeyId);
        return deleted;
    }

    private static string? Clear(KeyRecord record, string? keyMaterialId)
    {
        var targets = keyMaterialId is null
            ? record.Versions
            : [record.Versions.FirstOrDefault(v => v.MaterialId == keyMaterialId)
                ?? throw new KmsException(KmsErrorCode.NotFound, $"Key material {keyMaterialId} is not associated with {record.Arn}.")];
        foreach (var version in targets) version.WrappedMaterial = null;
        if (record.Current is { WrappedMaterial: null })
        {
            record.KeyState = "PendingImport";
            record.ExpirationModel = null;
            record.ValidTo = null;
        }
        return keyMaterialId ?? record.Current?.MaterialId;
    }
}
