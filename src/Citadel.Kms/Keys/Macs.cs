using Citadel.Crypto;
using Citadel.Kms.Model;

namespace Citadel.Kms.Keys;

/// <summary>The checks GenerateMac and VerifyMac share.</summary>
public static class Macs
{
    /// <summary>Checks the key is an enabled GENERATE_VERIFY_MAC key whose spec matches <paramref name="algorithm"/>.</summary>
    public static MacAlgorithm Check(KeyRecord key, string algorithm, string operation)
    {
        KeyGuards.RequireEnabled(key);
        KeyGuards.RequireUsage(key, "GENERATE_VERIFY_MAC", operation);
        var allowed = KeySpecs.MacAlgorithms(key.KeySpec) ?? [];
        if (!allowed.Contains(algorithm))
            throw new KmsException(KmsErrorCode.InvalidKeyUsage,
                $"Algorithm {algorithm} is incompatible with key spec {key.KeySpec}. Valid MAC algorithms are: {string.Join(", ", allowed)}.");
        return algorithm switch
        {
            "HMAC_SHA_224" => MacAlgorithm.HmacSha224,
            "HMAC_SHA_256" => MacAlgorithm.HmacSha256,
            "HMAC_SHA_384" => MacAlgorithm.HmacSha384,
            _ => MacAlgorithm.HmacSha512,
        };
    }

    /// <summary>The material of the key's current version.</summary>
    public static byte[] CurrentMaterial(KmsContext context, KeyRecord key)
        => context.Keys.Material(key, key.Current ?? throw new KmsException(KmsErrorCode.InvalidState, $"{key.Arn} has no key material."));
}
