using Citadel.Crypto;

namespace Citadel.Kms.Keys;

/// <summary>What each KMS key spec is: its usages and algorithms, and how its material is made.</summary>
public static class KeySpecs
{
    /// <summary>All specs Citadel can create.</summary>
    public static readonly IReadOnlyList<string> Supported =
    [
        "SYMMETRIC_DEFAULT", "RSA_2048", "RSA_3072", "RSA_4096", "ECC_NIST_P256", "ECC_NIST_P384", "ECC_NIST_P521",
        "ECC_SECG_P256K1", "HMAC_224", "HMAC_256", "HMAC_384", "HMAC_512",
    ];

    /// <summary>Whether the spec is an HMAC key.</summary>
    public static bool IsHmac(string spec) => spec.StartsWith("HMAC_", StringComparison.Ordinal);

    /// <summary>Whether the spec is asymmetric.</summary>
    public static bool IsAsymmetric(string spec) => spec.StartsWith("RSA_", StringComparison.Ordinal) || spec.StartsWith("ECC_", StringComparison.Ordinal);

    /// <summary>The key usages a spec allows.</summary>
    public static IReadOnlyList<string> AllowedUsages(string spec) => spec switch
    {
        "SYMMETRIC_DEFAULT" => ["ENCRYPT_DECRYPT"],
        _ when IsHmac(spec) => ["GENERATE_VERIFY_MAC"],
        _ when spec.StartsWith("RSA_", StringComparison.Ordinal) => ["ENCRYPT_DECRYPT", "SIGN_VERIFY"],
        _ => ["SIGN_VERIFY"],
    };

    /// <summary>The usage a spec gets when none is given.</summary>
    public static string DefaultUsage(string spec) => IsHmac(spec) ? "GENERATE_VERIFY_MAC" : spec == "SYMMETRIC_DEFAULT" || spec.StartsWith("RSA_", StringComparison.Ordinal) ? "ENCRYPT_DECRYPT" : "SIGN_VERIFY";

    /// <summary>EncryptionAlgorithms of KeyMetadata.</summary>
    public static IReadOnlyList<string>? EncryptionAlgorithms(string spec, string usage)
    {
        if (usage != "ENCRYPT_DECRYPT") return null;
        return spec == "SYMMETRIC_DEFAULT" ? ["SYMMETRIC_DEFAULT"] : ["RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256"];
    }

    /// <summary>SigningAlgorithms of KeyMetadata.</summary>
    public static IReadOnlyList<string>? SigningAlgorithms(string spec, string usage)
    {
        if (usage != "SIGN_VERIFY") return null;
        return spec switch
        {
            "ECC_NIST_P256" or "ECC_SECG_P256K1" => ["ECDSA_SHA_256"],
            "ECC_NIST_P384" => ["ECDSA_SHA_384"],
            "ECC_NIST_P521" => ["ECDSA_SHA_512"],
            _ => ["RSASSA_PKCS1_V1_5_SHA_256", "RSASSA_PKCS1_V1_5_SHA_384", "RSASSA_PKCS1_V1_5_SHA_512", "RSASSA_PSS_SHA_256", "RSASSA_PSS_SHA_384", "RSASSA_PSS_SHA_512"],
        };
    }

    /// <summary>MacAlgorithms of KeyMetadata.</summary>
    public static IReadOnlyList<string>? MacAlgorithms(string spec) => spec switch
    {
        "HMAC_224" => ["HMAC_SHA_224"],
        "HMAC_256" => ["HMAC_SHA_256"],
        "HMAC_384" => ["HMAC_SHA_384"],
        "HMAC_512" => ["HMAC_SHA_512"],
        _ => null,
    };

    /// <summary>The crypto-layer type of an asymmetric spec (also of GenerateDataKeyPair's KeyPairSpec).</summary>
    public static AsymmetricKeyType AsymmetricType(string spec) => spec switch
    {
        "RSA_2048" => AsymmetricKeyType.Rsa2048,
        "RSA_3072" => AsymmetricKeyType.Rsa3072,
        "RSA_4096" => AsymmetricKeyType.Rsa4096,
        "ECC_NIST_P256" => AsymmetricKeyType.EcP256,
        "ECC_NIST_P384" => AsymmetricKeyType.EcP384,
        "ECC_NIST_P521" => AsymmetricKeyType.EcP521,
        "ECC_SECG_P256K1" => AsymmetricKeyType.EcSecp256k1,
        _ => throw new KmsException(KmsErrorCode.UnsupportedOperation, $"Key spec {spec} is not supported."),
    };

    /// <summary>HMAC key length in bytes (the spec's bit size, as KMS does).</summary>
    public static int HmacKeyBytes(string spec) => spec switch
    {
        "HMAC_224" => 28,
        "HMAC_256" => 32,
        "HMAC_384" => 48,
        "HMAC_512" => 64,
        _ => throw new ArgumentOutOfRangeException(nameof(spec)),
    };

    /// <summary>Generates new key material for a spec: raw bytes for symmetric and HMAC, PKCS#8 for asymmetric.</summary>
    public static byte[] GenerateMaterial(string spec, IRandom random) => spec switch
    {
        "SYMMETRIC_DEFAULT" => random.GetBytes(32),
        _ when IsHmac(spec) => random.GetBytes(HmacKeyBytes(spec)),
        _ => AsymmetricKeys.Generate(AsymmetricType(spec)),
    };
}
