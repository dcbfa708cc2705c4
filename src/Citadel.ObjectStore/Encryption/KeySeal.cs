using System.Security.Cryptography;
using Citadel.Crypto;

namespace Citadel.ObjectStore.Encryption;

/// <summary>
/// Seals a 32-byte object key under a 32-byte wrapping key: <c>0x01 || salt(32) || nonce(12) || AES-256-GCM(key) || tag(16)</c>,
/// with the GCM key derived per seal by HKDF-SHA256(wrapping key, salt, "citadel/s3/object-key/v1"), so the nonce
/// limits of one GCM key never come into play however many objects a wrapping key seals. The associated data
/// binds the mode, bucket and object key.
/// </summary>
public static class KeySeal
{
    private const byte Version = 1;
    private const int SaltSize = 32;
    private static readonly byte[] Info = "citadel/s3/object-key/v1"u8.ToArray();

    /// <summary>The sealed size of a 32-byte key.</summary>
    public const int SealedSize = 1 + SaltSize + AesGcm256.NonceSize + AesGcm256.KeySize + AesGcm256.TagSize;

    /// <summary>Seals <paramref name="objectKey"/> under <paramref name="wrappingKey"/>, bound to <paramref name="mode"/>, bucket and key.</summary>
    public static byte[] Seal(ReadOnlySpan<byte> wrappingKey, ReadOnlySpan<byte> objectKey, string mode, string bucket, string key, IRandom random)
    {
        var output = new byte[SealedSize];
        output[0] = Version;
        random.Fill(output.AsSpan(1, SaltSize + AesGcm256.NonceSize));
        Span<byte> gcmKey = stackalloc byte[AesGcm256.KeySize];
        Hkdf256.DeriveKey(wrappingKey, output.AsSpan(1, SaltSize), Info, gcmKey);
        try
        {
            AesGcm256.Seal(gcmKey, output.AsSpan(1 + SaltSize, AesGcm256.NonceSize), objectKey,
                CanonicalEncoding.EncodeFields(mode, bucket, key), output.AsSpan(1 + SaltSize + AesGcm256.NonceSize));
        }
        finally { CryptographicOperations.ZeroMemory(gcmKey); }
        return output;
    }

    /// <summary>Opens what <see cref="Seal"/> produced; throws <see cref="AuthenticationFailedException"/> for a wrong key or binding.</summary>
    public static byte[] Open(ReadOnlySpan<byte> wrappingKey, ReadOnlySpan<byte> sealedKey, string mode, string bucket, string key)
    {
        if (sealedKey.Length != SealedSize || sealedKey[0] != Version) throw new AuthenticationFailedException();
        Span<byte> gcmKey = stackalloc byte[AesGcm256.KeySize];
        Hkdf256.DeriveKey(wrappingKey, sealedKey.Slice(1, SaltSize), Info, gcmKey);
        try
        {
            var objectKey = new byte[AesGcm256.KeySize];
            AesGcm256.Open(gcmKey, sealedKey.Slice(1 + SaltSize, AesGcm256.NonceSize), sealedKey[(1 + SaltSize + AesGcm256.NonceSize)..],
                CanonicalEncoding.EncodeFields(mode, bucket, key), objectKey);
            return objectKey;
        }
        finally { CryptographicOperations.ZeroMemory(gcmKey); }
    }
}
