using Citadel.Crypto;
using Citadel.Kms.Model;

namespace Citadel.Kms.Keys;

/// <summary>The checks Sign and Verify share: key usage, signing algorithm, and message type.</summary>
public static class Signing
{
    /// <summary>What a Sign or Verify request asks for, once checked against the key.</summary>
    public sealed record Plan(AsymmetricKeyType Type, SignatureScheme Scheme, bool IsDigest);

    /// <summary>The crypto-layer scheme of a KMS signing algorithm, or null for algorithms Citadel does not implement.</summary>
    public static SignatureScheme? Scheme(string algorithm) => algorithm switch
    {
        "RSASSA_PSS_SHA_256" => SignatureScheme.RsaPssSha256,
        "RSASSA_PSS_SHA_384" => SignatureScheme.RsaPssSha384,
        "RSASSA_PSS_SHA_512" => SignatureScheme.RsaPssSha512,
        "RSASSA_PKCS1_V1_5_SHA_256" => SignatureScheme.RsaPkcs1Sha256,
        "RSASSA_PKCS1_V1_5_SHA_384" => SignatureScheme.RsaPkcs1Sha384,
        "RSASSA_PKCS1_V1_5_SHA_512" => SignatureScheme.RsaPkcs1Sha512,
        "ECDSA_SHA_256" => SignatureScheme.EcdsaSha256,
        "ECDSA_SHA_384" => SignatureScheme.EcdsaSha384,
        "ECDSA_SHA_512" => SignatureScheme.EcdsaSha512,
        _ => null,
    };

    /// <summary>
    /// Checks the key is an enabled SIGN_VERIFY key that offers <paramref name="algorithm"/>, and that a DIGEST
    /// message is exactly one digest long; throws the error AWS gives otherwise.
    /// </summary>
    public static Plan Check(KeyRecord key, string algorithm, string? messageType, int messageLength, string operation)
    {
        KeyGuards.RequireEnabled(key);
        KeyGuards.RequireUsage(key, "SIGN_VERIFY", operation);
        var allowed = KeySpecs.SigningAlgorithms(key.KeySpec, key.KeyUsage) ?? [];
        if (!allowed.Contains(algorithm) || Scheme(algorithm) is not { } scheme)
            throw new KmsException(KmsErrorCode.InvalidKeyUsage,
                $"Algorithm {algorithm} is incompatible with key spec {key.KeySpec}. Valid signing algorithms are: {string.Join(", ", allowed)}.");
        var type = messageType ?? "RAW";
        switch (type)
        {
            case "RAW":
                return new Plan(KeySpecs.AsymmetricType(key.KeySpec), scheme, false);
            case "DIGEST":
                var length = AsymmetricKeys.DigestLength(scheme);
                if (messageLength != length)
                    throw new KmsException(KmsErrorCode.Validation,
                        $"Digest is invalid length for algorithm {algorithm}: the message must be a {length}-byte digest when MessageType is DIGEST.");
                return new Plan(KeySpecs.AsymmetricType(key.KeySpec), scheme, true);
            case "EXTERNAL_MU":
                throw new KmsException(KmsErrorCode.Validation, $"MessageType EXTERNAL_MU is only valid with ML_DSA_SHAKE_256, not {algorithm}.");
            default:
                throw new KmsException(KmsErrorCode.Validation, $"MessageType {type} is not valid.");
        }
    }
}
