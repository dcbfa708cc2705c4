using System.Security.Cryptography;

namespace Citadel.Crypto;

/// <summary>HKDF with SHA-256 (RFC 5869), via the platform implementation.</summary>
public static class Hkdf256
{
    /// <summary>Derives <paramref name="output"/>.Length bytes from <paramref name="ikm"/>.</summary>
    public static void DeriveKey(ReadOnlySpan<byte> ikm, ReadOnlySpan<byte> salt, ReadOnlySpan<byte> info, Span<byte> output)
        => HKDF.DeriveKey(HashAlgorithmName.SHA256, ikm, output, salt, info);
}
