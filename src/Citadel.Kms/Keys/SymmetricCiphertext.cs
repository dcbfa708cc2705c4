using System.Buffers.Binary;
using System.Security.Cryptography;
using Citadel.Crypto;

namespace Citadel.Kms.Keys;

/// <summary>
/// The ciphertext blob of symmetric KMS keys (format 1, see docs/formats.md):
/// <code>
/// 0x01 | key id (16, UUID bytes) | version (u32 BE) | salt (16) | nonce (12) | AES-256-GCM ciphertext | tag (16)
/// </code>
/// The message key is HKDF-SHA256(version material, salt, "citadel/kms/symmetric/v1"), so each
/// message has its own AES key and the per-key GCM invocation limit never applies. The header and
/// the canonical encryption context form the associated data.
/// </summary>
public static class SymmetricCiphertext
{
    private const byte FormatVersion = 1;
    private const int SaltSize = 16;
    /// <summary>Header bytes before the ciphertext.</summary>
    public const int HeaderSize = 1 + 16 + 4 + SaltSize + AesGcm256.NonceSize;
    private static readonly byte[] Info = "citadel/kms/symmetric/v1"u8.ToArray();

    /// <summary>The parts of a parsed blob.</summary>
    public sealed record Header(Guid KeyId, int Version);

    /// <summary>Encrypts under a key version.</summary>
    public static byte[] Encrypt(Guid keyId, int version, ReadOnlySpan<byte> material, ReadOnlySpan<byte> plaintext, IReadOnlyDictionary<string, string>? context, IRandom random)
    {
        var blob = new byte[HeaderSize + plaintext.Length + AesGcm256.TagSize];
        blob[0] = FormatVersion;
        keyId.TryWriteBytes(blob.AsSpan(1, 16), bigEndian: true, out _);
        BinaryPrimitives.WriteUInt32BigEndian(blob.AsSpan(17, 4), (uint)version);
        random.Fill(blob.AsSpan(21, SaltSize + AesGcm256.NonceSize));
        Span<byte> messageKey = stackalloc byte[32];
        Hkdf256.DeriveKey(material, blob.AsSpan(21, SaltSize), Info, messageKey);
        try
        {
            AesGcm256.Seal(messageKey, blob.AsSpan(21 + SaltSize, AesGcm256.NonceSize), plaintext, Aad(blob.AsSpan(0, HeaderSize), context), blob.AsSpan(HeaderSize));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(messageKey);
        }
        return blob;
    }

    /// <summary>Reads the header; null when the blob is not in this format.</summary>
    public static Header? TryParse(ReadOnlySpan<byte> blob)
    {
        if (blob.Length < HeaderSize + AesGcm256.TagSize || blob[0] != FormatVersion) return null;
        var keyId = new Guid(blob.Slice(1, 16), bigEndian: true);
        var version = BinaryPrimitives.ReadUInt32BigEndian(blob.Slice(17, 4));
        return version is 0 or > int.MaxValue ? null : new Header(keyId, (int)version);
    }

    /// <summary>Decrypts; throws <see cref="AuthenticationFailedException"/> on any mismatch.</summary>
    public static byte[] Decrypt(ReadOnlySpan<byte> blob, ReadOnlySpan<byte> material, IReadOnlyDictionary<string, string>? context)
    {
        Span<byte> messageKey = stackalloc byte[32];
        Hkdf256.DeriveKey(material, blob.Slice(21, SaltSize), Info, messageKey);
        try
        {
            var plaintext = new byte[blob.Length - HeaderSize - AesGcm256.TagSize];
            AesGcm256.Open(messageKey, blob.Slice(21 + SaltSize, AesGcm256.NonceSize), blob[HeaderSize..], Aad(blob[..HeaderSize], context), plaintext);
            return plaintext;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(messageKey);
        }
    }

    private static byte[] Aad(ReadOnlySpan<byte> header, IReadOnlyDictionary<string, string>? context)
    {
        var encoded = CanonicalEncoding.EncodeMap(context);
        var aad = new byte[header.Length + encoded.Length];
        header.CopyTo(aad);
        encoded.CopyTo(aad.AsSpan(header.Length));
        return aad;
    }
}
