using System.Security.Cryptography;
using Org.BouncyCastle.Crypto.Digests;
using Org.BouncyCastle.Crypto.Macs;
using Org.BouncyCastle.Crypto.Parameters;

namespace Citadel.Crypto;

/// <summary>The HMAC algorithms KMS offers.</summary>
public enum MacAlgorithm
{
    /// <summary>HMAC with SHA-224.</summary>
    HmacSha224,
    /// <summary>HMAC with SHA-256.</summary>
    HmacSha256,
    /// <summary>HMAC with SHA-384.</summary>
    HmacSha384,
    /// <summary>HMAC with SHA-512.</summary>
    HmacSha512,
}

/// <summary>HMAC computation and constant-time verification. SHA-224 comes from BouncyCastle, which the platform lacks.</summary>
public static class Mac
{
    /// <summary>Computes the tag.</summary>
    public static byte[] Compute(MacAlgorithm algorithm, byte[] key, ReadOnlySpan<byte> message) => algorithm switch
    {
        MacAlgorithm.HmacSha224 => HmacSha224(key, message),
        MacAlgorithm.HmacSha256 => HMACSHA256.HashData(key, message),
        MacAlgorithm.HmacSha384 => HMACSHA384.HashData(key, message),
        MacAlgorithm.HmacSha512 => HMACSHA512.HashData(key, message),
        _ => throw new ArgumentOutOfRangeException(nameof(algorithm)),
    };

    /// <summary>Verifies a tag in constant time. A truncated tag never verifies.</summary>
    public static bool Verify(MacAlgorithm algorithm, byte[] key, ReadOnlySpan<byte> message, ReadOnlySpan<byte> tag)
    {
        var expected = Compute(algorithm, key, message);
        return CryptographicOperations.FixedTimeEquals(expected, tag);
    }

    private static byte[] HmacSha224(byte[] key, ReadOnlySpan<byte> message)
    {
        var hmac = new HMac(new Sha224Digest());
        hmac.Init(new KeyParameter(key));
        hmac.BlockUpdate(message);
        var output = new byte[hmac.GetMacSize()];
        hmac.DoFinal(output, 0);
        return output;
    }
}
