using System.Security.Cryptography;

namespace Citadel.Crypto;

/// <summary>
/// Shamir secret sharing over GF(2^8) (reduction polynomial x^8+x^4+x^3+x+1, as in AES and in
/// Vault's implementation). Each share is <c>secret bytes || x</c>: one random polynomial of degree
/// threshold-1 per secret byte, evaluated at distinct non-zero x. Any threshold shares recover the
/// secret by Lagrange interpolation at 0; fewer reveal nothing about it.
/// </summary>
public static class Shamir
{
    /// <summary>Splits <paramref name="secret"/> into <paramref name="shares"/> shares, any <paramref name="threshold"/> of which recover it.</summary>
    public static byte[][] Split(ReadOnlySpan<byte> secret, int shares, int threshold, IRandom? random = null)
    {
        if (secret.IsEmpty) throw new ArgumentException("Secret is empty.", nameof(secret));
        if (threshold < 2 || threshold > 255) throw new ArgumentOutOfRangeException(nameof(threshold), "Threshold must be between 2 and 255.");
        if (shares < threshold || shares > 255) throw new ArgumentOutOfRangeException(nameof(shares), "Shares must be between the threshold and 255.");
        random ??= SystemRandom.Instance;

        var result = new byte[shares][];
        for (var i = 0; i < shares; i++)
        {
            result[i] = new byte[secret.Length + 1];
            result[i][^1] = (byte)(i + 1);
        }
        var coefficients = new byte[threshold];
        for (var b = 0; b < secret.Length; b++)
        {
            coefficients[0] = secret[b];
            random.Fill(coefficients.AsSpan(1));
            for (var i = 0; i < shares; i++) result[i][b] = Evaluate(coefficients, (byte)(i + 1));
        }
        CryptographicOperations.ZeroMemory(coefficients);
        return result;
    }

    /// <summary>Recombines shares; the result is only the secret if at least the threshold of genuine shares is given.</summary>
    public static byte[] Combine(IReadOnlyList<byte[]> shares)
    {
        if (shares.Count < 2) throw new ArgumentException("At least two shares are needed.", nameof(shares));
        var length = shares[0].Length;
        if (length < 2 || shares.Any(s => s.Length != length)) throw new ArgumentException("Shares differ in length.", nameof(shares));
        var xs = shares.Select(s => s[^1]).ToArray();
        if (xs.Distinct().Count() != xs.Length || xs.Contains((byte)0)) throw new ArgumentException("Shares are duplicated or malformed.", nameof(shares));

        var secret = new byte[length - 1];
        for (var b = 0; b < secret.Length; b++)
        {
            byte value = 0;
            for (var i = 0; i < xs.Length; i++)
            {
                // Lagrange basis at x = 0: prod_j (x_j / (x_j - x_i)); subtraction is XOR in GF(2^8).
                byte basis = 1;
                for (var j = 0; j < xs.Length; j++)
                {
                    if (i == j) continue;
                    basis = Mul(basis, Div(xs[j], (byte)(xs[j] ^ xs[i])));
                }
                value ^= Mul(shares[i][b], basis);
            }
            secret[b] = value;
        }
        return secret;
    }

    private static byte Evaluate(byte[] coefficients, byte x)
    {
        // Horner's rule from the highest coefficient.
        byte result = 0;
        for (var i = coefficients.Length - 1; i >= 0; i--) result = (byte)(Mul(result, x) ^ coefficients[i]);
        return result;
    }

    private static byte Mul(byte a, byte b)
    {
        // Constant-time carry-less multiply with reduction: no table lookups indexed by secret data.
        int result = 0, aa = a, bb = b;
        for (var i = 0; i < 8; i++)
        {
            result ^= aa & -(bb & 1);
            var carry = -((aa >> 7) & 1);
            aa = ((aa << 1) ^ (0x1b & carry)) & 0xff;
            bb >>= 1;
        }
        return (byte)result;
    }

    private static byte Div(byte a, byte b)
    {
        if (b == 0) throw new DivideByZeroException();
        return Mul(a, Inverse(b));
    }

    private static byte Inverse(byte a)
    {
        // a^254 = a^-1 in GF(2^8).
        byte result = 1, power = a;
        for (var e = 254; e > 0; e >>= 1)
        {
            if ((e & 1) != 0) result = Mul(result, power);
            power = Mul(power, power);
        }
        return result;
    }
}
