using System.Security.Cryptography;
using Citadel.Crypto;
using Citadel.Kms.Model;

namespace Citadel.Kms.Keys;

/// <summary>Encryption and decryption under KMS keys: symmetric (self-describing blobs) and RSA-OAEP.</summary>
public static class Envelope
{
    /// <summary>A decrypted blob and the key and version that decrypted it.</summary>
    public sealed record Opened(KeyRecord Key, KeyVersion? Version, byte[] Plaintext, string Algorithm);

    /// <summary>Encrypts with the key's current version (symmetric) or its public key (RSA).</summary>
    public static byte[] Seal(KmsContext context, KeyRecord key, byte[] plaintext, IReadOnlyDictionary<string, string>? encryptionContext, string algorithm, string operation)
    {
        KeyGuards.RequireEnabled(key);
        KeyGuards.RequireUsage(key, "ENCRYPT_DECRYPT", operation);
        if (key.KeySpec == "SYMMETRIC_DEFAULT")
        {
            if (algorithm != "SYMMETRIC_DEFAULT")
                throw new KmsException(KmsErrorCode.InvalidKeyUsage, $"Algorithm {algorithm} is incompatible with key spec SYMMETRIC_DEFAULT.");
            var version = key.Current!;
            return SymmetricCiphertext.Encrypt(Guid.Parse(key.KeyId), version.Number, context.Keys.Material(key, version), plaintext, encryptionContext, context.Random);
        }
        var hash = OaepHash(key, algorithm);
        if (encryptionContext is { Count: > 0 })
            throw new KmsException(KmsErrorCode.Validation, "EncryptionContext is not supported with asymmetric KMS keys.");
        var type = KeySpecs.AsymmetricType(key.KeySpec);
        var max = AsymmetricKeys.RsaOaepMaxPlaintext(type, hash);
        if (plaintext.Length > max)
            throw new KmsException(KmsErrorCode.Validation, $"Plaintext of {plaintext.Length} bytes exceeds the maximum of {max} bytes for {key.KeySpec} with {algorithm}.");
        return AsymmetricKeys.RsaOaepEncrypt(key.Current!.PublicKey!, hash, plaintext);
    }

    /// <summary>Decrypts a blob; the key comes from the blob (symmetric) or from <paramref name="keyId"/> (required for RSA).</summary>
    public static async Task<Opened> OpenAsync(KmsContext context, KmsCall call, byte[] blob, string? keyId,
        IReadOnlyDictionary<string, string>? encryptionContext, string? algorithm, string operation, CancellationToken cancellationToken)
    {
        algorithm ??= "SYMMETRIC_DEFAULT";
        if (algorithm == "SYMMETRIC_DEFAULT")
        {
            var header = SymmetricCiphertext.TryParse(blob)
                ?? throw new KmsException(KmsErrorCode.InvalidCiphertext, "The ciphertext is not a valid KMS ciphertext blob.");
            var blobKeyId = header.KeyId.ToString("D");
            if (keyId is not null)
            {
                var requested = await call.KeyIdAsync(context, keyId, cancellationToken).ConfigureAwait(false);
                if (requested != blobKeyId)
                    throw new KmsException(KmsErrorCode.IncorrectKey, "The key ID in the request does not identify a CMK that can perform this operation.");
            }
            var key = await call.FindKeyAsync(context, blobKeyId, cancellationToken).ConfigureAwait(false)
                ?? throw new KmsException(KmsErrorCode.InvalidCiphertext, "The ciphertext refers to a key that does not exist.");
            call.Touch(key);
            KeyGuards.RequireEnabled(key);
            KeyGuards.RequireSymmetric(key, operation);
            var version = key.Versions.FirstOrDefault(v => v.Number == header.Version)
                ?? throw new KmsException(KmsErrorCode.InvalidCiphertext, "The ciphertext refers to key material that does not exist.");
            try
            {
                return new Opened(key, version, SymmetricCiphertext.Decrypt(blob, context.Keys.Material(key, version), encryptionContext), algorithm);
            }
            catch (CryptographicException)
            {
                throw new KmsException(KmsErrorCode.InvalidCiphertext, "The ciphertext is invalid, or the encryption context does not match.");
            }
        }

        if (keyId is null)
            throw new KmsException(KmsErrorCode.Validation, $"KeyId is required to decrypt with {algorithm}.");
        var rsaKey = await call.KeyAsync(context, keyId, cancellationToken).ConfigureAwait(false);
        call.Touch(rsaKey);
        KeyGuards.RequireEnabled(rsaKey);
        KeyGuards.RequireUsage(rsaKey, "ENCRYPT_DECRYPT", operation);
        var hash = OaepHash(rsaKey, algorithm);
        if (encryptionContext is { Count: > 0 })
            throw new KmsException(KmsErrorCode.Validation, "EncryptionContext is not supported with asymmetric KMS keys.");
        try
        {
            var current = rsaKey.Current!;
            return new Opened(rsaKey, null, AsymmetricKeys.RsaOaepDecrypt(context.Keys.Material(rsaKey, current), hash, blob), algorithm);
        }
        catch (CryptographicException)
        {
            throw new KmsException(KmsErrorCode.InvalidCiphertext, "The ciphertext is invalid.");
        }
    }

    private static HashAlgorithmName OaepHash(KeyRecord key, string algorithm) => algorithm switch
    {
        "RSAES_OAEP_SHA_1" when key.KeySpec.StartsWith("RSA_", StringComparison.Ordinal) => HashAlgorithmName.SHA1,
        "RSAES_OAEP_SHA_256" when key.KeySpec.StartsWith("RSA_", StringComparison.Ordinal) => HashAlgorithmName.SHA256,
        _ => throw new KmsException(KmsErrorCode.InvalidKeyUsage, $"Algorithm {algorithm} is incompatible with key spec {key.KeySpec}."),
    };
}
