using System.Security.Cryptography;

namespace Citadel.Crypto;

/// <summary>
/// The root of the key hierarchy: a 256-bit AES key held only in memory, which wraps every stored
/// key version. Wrapped form: <c>0x01 || nonce(12) || AES-256-GCM(ciphertext || tag)</c> with
/// the caller's context (for key versions: key ARN and version) as associated data.
/// Nonces are random; the root key wraps only stored key versions and credentials, far below the
/// 2^32 random-nonce limit of NIST SP 800-38D.
/// </summary>
public sealed class RootKey : IDisposable
{
    private const byte FormatVersion = 1;
    private readonly byte[] _key;
    private readonly IRandom _random;

    /// <summary>Takes ownership of a copy of <paramref name="key"/> (32 bytes).</summary>
    public RootKey(ReadOnlySpan<byte> key, IRandom? random = null)
    {
        if (key.Length != AesGcm256.KeySize) throw new ArgumentException("The root key is 32 bytes.", nameof(key));
        _key = key.ToArray();
        _random = random ?? SystemRandom.Instance;
    }

    /// <summary>Generates a fresh root key.</summary>
    public static RootKey Generate(IRandom? random = null)
    {
        Span<byte> key = stackalloc byte[AesGcm256.KeySize];
        (random ?? SystemRandom.Instance).Fill(key);
        try { return new RootKey(key, random); }
        finally { CryptographicOperations.ZeroMemory(key); }
    }

    /// <summary>A copy of the key bytes, for sealing (Shamir split or key file). Caller zeroes it.</summary>
    public byte[] Export() => (byte[])_key.Clone();

    /// <summary>Wraps <paramref name="plaintext"/> bound to <paramref name="context"/>.</summary>
    public byte[] Wrap(ReadOnlySpan<byte> plaintext, ReadOnlySpan<byte> context)
    {
        var output = new byte[1 + AesGcm256.NonceSize + plaintext.Length + AesGcm256.TagSize];
        output[0] = FormatVersion;
        var nonce = output.AsSpan(1, AesGcm256.NonceSize);
        _random.Fill(nonce);
        AesGcm256.Seal(_key, nonce, plaintext, context, output.AsSpan(1 + AesGcm256.NonceSize));
        return output;
    }

    /// <summary>Unwraps what <see cref="Wrap"/> produced under the same context.</summary>
    public byte[] Unwrap(ReadOnlySpan<byte> wrapped, ReadOnlySpan<byte> context)
    {
        if (wrapped.Length < 1 + AesGcm256.NonceSize + AesGcm256.TagSize || wrapped[0] != FormatVersion)
            throw new AuthenticationFailedException();
        var plaintext = new byte[wrapped.Length - 1 - AesGcm256.NonceSize - AesGcm256.TagSize];
        AesGcm256.Open(_key, wrapped.Slice(1, AesGcm256.NonceSize), wrapped[(1 + AesGcm256.NonceSize)..], context, plaintext);
        return plaintext;
    }

    /// <summary>
    /// Derives a subkey for one purpose (HKDF-SHA256 with <paramref name="purpose"/> as info), for values that are
    /// authenticated rather than wrapped (KMS grant tokens). Distinct purposes give independent keys.
    /// </summary>
    public void Derive(ReadOnlySpan<byte> purpose, Span<byte> output) => Hkdf256.DeriveKey(_key, default, purpose, output);

    /// <summary>A short public fingerprint of the key (SHA-256 of a derived value), to check shares or key files match.</summary>
    public string Fingerprint()
    {
        Span<byte> derived = stackalloc byte[32];
        Hkdf256.DeriveKey(_key, default, "citadel/root-key/fingerprint"u8, derived);
        return Convert.ToHexStringLower(derived[..8]);
    }

    /// <inheritdoc />
    public void Dispose() => CryptographicOperations.ZeroMemory(_key);
}
