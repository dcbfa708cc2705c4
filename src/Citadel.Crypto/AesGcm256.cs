using System.Security.Cryptography;

namespace Citadel.Crypto;

/// <summary>
/// AES-256-GCM with a 96-bit nonce and a 128-bit tag, output laid out as <c>ciphertext || tag</c>.
/// Thin layer over the platform's <see cref="AesGcm"/> (OpenSSL).
/// </summary>
public static class AesGcm256
{
    /// <summary>Key size in bytes.</summary>
    public const int KeySize = 32;
    /// <summary>Nonce size in bytes.</summary>
    public const int NonceSize = 12;
    /// <summary>Tag size in bytes.</summary>
    public const int TagSize = 16;

    /// <summary>Encrypts <paramref name="plaintext"/> into <paramref name="output"/> (plaintext length + 16 bytes).</summary>
    public static void Seal(ReadOnlySpan<byte> key, ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> plaintext, ReadOnlySpan<byte> aad, Span<byte> output)
    {
        if (key.Length != KeySize) throw new ArgumentException("AES-256-GCM needs a 32-byte key.", nameof(key));
        if (output.Length != plaintext.Length + TagSize) throw new ArgumentException("Output must be plaintext length + 16.", nameof(output));
        using var gcm = new AesGcm(key, TagSize);
        gcm.Encrypt(nonce, plaintext, output[..plaintext.Length], output[plaintext.Length..], aad);
    }

    /// <summary>Decrypts and authenticates <c>ciphertext || tag</c>; throws <see cref="AuthenticationFailedException"/> when it does not verify.</summary>
    public static void Open(ReadOnlySpan<byte> key, ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> sealedData, ReadOnlySpan<byte> aad, Span<byte> plaintext)
    {
        if (key.Length != KeySize) throw new ArgumentException("AES-256-GCM needs a 32-byte key.", nameof(key));
        if (sealedData.Length < TagSize || plaintext.Length != sealedData.Length - TagSize)
            throw new AuthenticationFailedException();
        using var gcm = new AesGcm(key, TagSize);
        try
        {
            gcm.Decrypt(nonce, sealedData[..^TagSize], sealedData[^TagSize..], plaintext, aad);
        }
        catch (AuthenticationTagMismatchException)
        {
            throw new AuthenticationFailedException();
        }
    }
}

/// <summary>A ciphertext did not authenticate: wrong key, wrong associated data, or tampering.</summary>
public sealed class AuthenticationFailedException : CryptographicException
{
    /// <summary>Creates the exception.</summary>
    public AuthenticationFailedException() : base("The ciphertext did not authenticate.") { }
}
