using System.Formats.Asn1;
using System.Security.Cryptography;

namespace Citadel.Crypto;

/// <summary>Asymmetric key types KMS can hold.</summary>
public enum AsymmetricKeyType
{
    /// <summary>RSA 2048.</summary>
    Rsa2048,
    /// <summary>RSA 3072.</summary>
    Rsa3072,
    /// <summary>RSA 4096.</summary>
    Rsa4096,
    /// <summary>NIST P-256.</summary>
    EcP256,
    /// <summary>NIST P-384.</summary>
    EcP384,
    /// <summary>NIST P-521.</summary>
    EcP521,
    /// <summary>SECG secp256k1.</summary>
    EcSecp256k1,
}

/// <summary>Signature schemes (hash, padding) over <see cref="AsymmetricKeyType"/> keys.</summary>
public enum SignatureScheme
{
    /// <summary>RSASSA-PSS, SHA-256, MGF1-SHA-256, salt 32.</summary>
    RsaPssSha256,
    /// <summary>RSASSA-PSS, SHA-384, salt 48.</summary>
    RsaPssSha384,
    /// <summary>RSASSA-PSS, SHA-512, salt 64.</summary>
    RsaPssSha512,
    /// <summary>RSASSA-PKCS1-v1_5 with SHA-256.</summary>
    RsaPkcs1Sha256,
    /// <summary>RSASSA-PKCS1-v1_5 with SHA-384.</summary>
    RsaPkcs1Sha384,
    /// <summary>RSASSA-PKCS1-v1_5 with SHA-512.</summary>
    RsaPkcs1Sha512,
    /// <summary>ECDSA with SHA-256, DER signature.</summary>
    EcdsaSha256,
    /// <summary>ECDSA with SHA-384, DER signature.</summary>
    EcdsaSha384,
    /// <summary>ECDSA with SHA-512, DER signature.</summary>
    EcdsaSha512,
}

/// <summary>
/// Generation, signing, verification and RSA-OAEP over keys held as PKCS#8 (private) and
/// SubjectPublicKeyInfo (public) DER, using the platform's RSA and ECDsa (OpenSSL).
/// </summary>
public static class AsymmetricKeys
{
    /// <summary>The OID of secp256k1, which OpenSSL supports by name.</summary>
    public const string Secp256k1Oid = "1.3.132.0.10";

    /// <summary>Generates a private key and returns its PKCS#8 DER encoding.</summary>
    public static byte[] Generate(AsymmetricKeyType type)
    {
        if (IsRsa(type))
        {
            using var rsa = RSA.Create(RsaBits(type));
            return rsa.ExportPkcs8PrivateKey();
        }
        using var ec = ECDsa.Create(Curve(type));
        return ec.ExportPkcs8PrivateKey();
    }

    /// <summary>Whether the type is an RSA key.</summary>
    public static bool IsRsa(AsymmetricKeyType type) => type is AsymmetricKeyType.Rsa2048 or AsymmetricKeyType.Rsa3072 or AsymmetricKeyType.Rsa4096;

    /// <summary>The RSA modulus size in bits.</summary>
    public static int RsaBits(AsymmetricKeyType type) => type switch
    {
        AsymmetricKeyType.Rsa2048 => 2048,
        AsymmetricKeyType.Rsa3072 => 3072,
        AsymmetricKeyType.Rsa4096 => 4096,
        _ => throw new ArgumentOutOfRangeException(nameof(type)),
    };

    /// <summary>The named curve of an EC key type.</summary>
    public static ECCurve Curve(AsymmetricKeyType type) => type switch
    {
        AsymmetricKeyType.EcP256 => ECCurve.NamedCurves.nistP256,
        AsymmetricKeyType.EcP384 => ECCurve.NamedCurves.nistP384,
        AsymmetricKeyType.EcP521 => ECCurve.NamedCurves.nistP521,
        AsymmetricKeyType.EcSecp256k1 => ECCurve.CreateFromValue(Secp256k1Oid),
        _ => throw new ArgumentOutOfRangeException(nameof(type)),
    };

    /// <summary>Returns the SubjectPublicKeyInfo DER of a PKCS#8 private key.</summary>
    public static byte[] PublicKeyOf(AsymmetricKeyType type, byte[] pkcs8)
    {
        if (IsRsa(type))
        {
            using var rsa = RSA.Create();
            rsa.ImportPkcs8PrivateKey(pkcs8, out _);
            return rsa.ExportSubjectPublicKeyInfo();
        }
        using var ec = ECDsa.Create();
        ec.ImportPkcs8PrivateKey(pkcs8, out _);
        return ec.ExportSubjectPublicKeyInfo();
    }

    /// <summary>The hash algorithm of a scheme.</summary>
    public static HashAlgorithmName Hash(SignatureScheme scheme) => scheme switch
    {
        SignatureScheme.RsaPssSha256 or SignatureScheme.RsaPkcs1Sha256 or SignatureScheme.EcdsaSha256 => HashAlgorithmName.SHA256,
        SignatureScheme.RsaPssSha384 or SignatureScheme.RsaPkcs1Sha384 or SignatureScheme.EcdsaSha384 => HashAlgorithmName.SHA384,
        _ => HashAlgorithmName.SHA512,
    };

    /// <summary>The digest length in bytes of a scheme's hash.</summary>
    public static int DigestLength(SignatureScheme scheme) => Hash(scheme) == HashAlgorithmName.SHA256 ? 32 : Hash(scheme) == HashAlgorithmName.SHA384 ? 48 : 64;

    /// <summary>Signs a message (hashed here) or, when <paramref name="isDigest"/>, an already computed digest.</summary>
    public static byte[] Sign(AsymmetricKeyType type, byte[] pkcs8, SignatureScheme scheme, byte[] data, bool isDigest)
    {
        var hash = Hash(scheme);
        if (IsRsa(type))
        {
            using var rsa = RSA.Create();
            rsa.ImportPkcs8PrivateKey(pkcs8, out _);
            var padding = IsPss(scheme) ? RSASignaturePadding.Pss : RSASignaturePadding.Pkcs1;
            return isDigest ? rsa.SignHash(data, hash, padding) : rsa.SignData(data, hash, padding);
        }
        using var ec = ECDsa.Create();
        ec.ImportPkcs8PrivateKey(pkcs8, out _);
        return isDigest
            ? ec.SignHash(data, DSASignatureFormat.Rfc3279DerSequence)
            : ec.SignData(data, hash, DSASignatureFormat.Rfc3279DerSequence);
    }

    /// <summary>Verifies a signature against a SubjectPublicKeyInfo public key.</summary>
    public static bool Verify(AsymmetricKeyType type, byte[] spki, SignatureScheme scheme, byte[] data, bool isDigest, byte[] signature)
    {
        var hash = Hash(scheme);
        try
        {
            if (IsRsa(type))
            {
                using var rsa = RSA.Create();
                rsa.ImportSubjectPublicKeyInfo(spki, out _);
                var padding = IsPss(scheme) ? RSASignaturePadding.Pss : RSASignaturePadding.Pkcs1;
                return isDigest ? rsa.VerifyHash(data, signature, hash, padding) : rsa.VerifyData(data, signature, hash, padding);
            }
            if (!IsStrictDerSignature(signature)) return false;
            using var ec = ECDsa.Create();
            ec.ImportSubjectPublicKeyInfo(spki, out _);
            return isDigest
                ? ec.VerifyHash(data, signature, DSASignatureFormat.Rfc3279DerSequence)
                : ec.VerifyData(data, signature, hash, DSASignatureFormat.Rfc3279DerSequence);
        }
        catch (CryptographicException)
        {
            return false;
        }
    }

    /// <summary>RSA-OAEP encryption with the given hash (SHA-1 or SHA-256, MGF1 with the same hash).</summary>
    public static byte[] RsaOaepEncrypt(byte[] spki, HashAlgorithmName hash, byte[] plaintext)
    {
        using var rsa = RSA.Create();
        rsa.ImportSubjectPublicKeyInfo(spki, out _);
        return rsa.Encrypt(plaintext, RSAEncryptionPadding.CreateOaep(hash));
    }

    /// <summary>RSA-OAEP decryption; throws <see cref="AuthenticationFailedException"/> when the ciphertext is invalid.</summary>
    public static byte[] RsaOaepDecrypt(byte[] pkcs8, HashAlgorithmName hash, byte[] ciphertext)
    {
        using var rsa = RSA.Create();
        rsa.ImportPkcs8PrivateKey(pkcs8, out _);
        try
        {
            return rsa.Decrypt(ciphertext, RSAEncryptionPadding.CreateOaep(hash));
        }
        catch (CryptographicException)
        {
            throw new AuthenticationFailedException();
        }
    }

    /// <summary>The largest plaintext RSA-OAEP can take with this key size and hash.</summary>
    public static int RsaOaepMaxPlaintext(AsymmetricKeyType type, HashAlgorithmName hash)
        => (RsaBits(type) / 8) - (2 * (hash == HashAlgorithmName.SHA1 ? 20 : 32)) - 2;

    /// <summary>
    /// Whether an ECDSA signature is a DER <c>SEQUENCE { INTEGER r, INTEGER s }</c> with positive r and s and
    /// nothing after it. The platform reads r and s as unsigned and so also accepts negative (sign-bit set)
    /// encodings, which are not DER and would make signatures malleable.
    /// </summary>
    private static bool IsStrictDerSignature(byte[] signature)
    {
        try
        {
            var reader = new AsnReader(signature, AsnEncodingRules.DER);
            var sequence = reader.ReadSequence();
            reader.ThrowIfNotEmpty();
            for (var i = 0; i < 2; i++)
            {
                if ((sequence.ReadIntegerBytes().Span[0] & 0x80) != 0) return false;
            }
            sequence.ThrowIfNotEmpty();
            return true;
        }
        catch (AsnContentException)
        {
            return false;
        }
    }

    private static bool IsPss(SignatureScheme scheme) => scheme is SignatureScheme.RsaPssSha256 or SignatureScheme.RsaPssSha384 or SignatureScheme.RsaPssSha512;
}
