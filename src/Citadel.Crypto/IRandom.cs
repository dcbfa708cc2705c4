using System.Security.Cryptography;

namespace Citadel.Crypto;

/// <summary>Source of cryptographic randomness; injected so tests can be deterministic where they need to be.</summary>
public interface IRandom
{
    /// <summary>Fills <paramref name="buffer"/> with random bytes.</summary>
    void Fill(Span<byte> buffer);
}

/// <summary>The operating system CSPRNG (OpenSSL's on Linux).</summary>
public sealed class SystemRandom : IRandom
{
    /// <summary>The shared instance.</summary>
    public static readonly SystemRandom Instance = new();

    /// <inheritdoc />
    public void Fill(Span<byte> buffer) => RandomNumberGenerator.Fill(buffer);
}

/// <summary>Helpers on <see cref="IRandom"/>.</summary>
public static class RandomExtensions
{
    /// <summary>Returns <paramref name="count"/> fresh random bytes.</summary>
    public static byte[] GetBytes(this IRandom random, int count)
    {
        var bytes = new byte[count];
        random.Fill(bytes);
        return bytes;
    }
}
