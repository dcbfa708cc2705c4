using System.Security.Cryptography;
using Citadel.Crypto;
using Citadel.Kms.Keys;

namespace Citadel.Kms.Operations;

/// <summary>GenerateDataKeyPair request.</summary>
public sealed class GenerateDataKeyPairRequest : IKeyRequest, IEncryptionContextRequest, IGrantTokensRequest, IDryRunRequest
{
    /// <summary>Bound as associated data of the encrypted private key.</summary>
    public Dictionary<string, string>? EncryptionContext { get; init; }
    /// <summary>Any key identifier form of a symmetric encryption key.</summary>
    public required string KeyId { get; init; }
    /// <summary>RSA_2048/3072/4096, ECC_NIST_P256/P384/P521 or ECC_SECG_P256K1.</summary>
    public required string KeyPairSpec { get; init; }
    /// <summary>Grant tokens.</summary>
    public List<string>? GrantTokens { get; init; }
    /// <summary>Nitro enclave recipient (not supported).</summary>
    public RecipientInfo? Recipient { get; init; }
    /// <summary>Checks permission only.</summary>
    public bool? DryRun { get; init; }
}

/// <summary>GenerateDataKeyPair response.</summary>
public sealed class GenerateDataKeyPairResponse
{
    /// <summary>The PKCS#8 private key encrypted under the KMS key.</summary>
    public required byte[] PrivateKeyCiphertextBlob { get; init; }
    /// <summary>The PKCS#8 DER private key.</summary>
    public required byte[] PrivateKeyPlaintext { get; init; }
    /// <summary>The DER SubjectPublicKeyInfo public key.</summary>
    public required byte[] PublicKey { get; init; }
    /// <summary>Key ARN.</summary>
    public required string KeyId { get; init; }
    /// <summary>The spec of the pair.</summary>
    public required string KeyPairSpec { get; init; }
    /// <summary>The material that encrypted the private key.</summary>
    public string? KeyMaterialId { get; init; }
}

/// <summary>
/// Returns a fresh asymmetric data key pair: the public key, the private key in plaintext, and the
/// private key encrypted under a symmetric KMS key.
/// </summary>
public sealed class GenerateDataKeyPair : KmsOperation<GenerateDataKeyPairRequest, GenerateDataKeyPairResponse>
{
    /// <inheritdoc />
    public override bool ReadOnly => true;

    /// <inheritdoc />
    public override async Task<GenerateDataKeyPairResponse> ExecuteAsync(KmsContext context, KmsCall call, GenerateDataKeyPairRequest request, CancellationToken cancellationToken)
    {
        if (request.Recipient is not null)
            throw new KmsException(KmsErrorCode.UnsupportedOperation, "Recipient (Nitro Enclaves attestation) is not supported by Citadel.");
        var pair = await DataKeyPairs.GenerateAsync(context, call, request.KeyId, request.KeyPairSpec, request.EncryptionContext, request.DryRun, Name, cancellationToken)
            .ConfigureAwait(false);
        return new GenerateDataKeyPairResponse
        {
            PrivateKeyCiphertextBlob = pair.Ciphertext,
            PrivateKeyPlaintext = pair.PrivateKey,
            PublicKey = pair.PublicKey,
            KeyId = pair.KeyArn,
            KeyPairSpec = request.KeyPairSpec,
            KeyMaterialId = pair.KeyMaterialId,
        };
    }
}

/// <summary>GenerateDataKeyPairWithoutPlaintext request.</summary>
public sealed class GenerateDataKeyPairWithoutPlaintextRequest : IKeyRequest, IEncryptionContextRequest, IGrantTokensRequest, IDryRunRequest
{
    /// <summary>Bound as associated data of the encrypted private key.</summary>
    public Dictionary<string, string>? EncryptionContext { get; init; }
    /// <summary>Any key identifier form of a symmetric encryption key.</summary>
    public required string KeyId { get; init; }
    /// <summary>RSA_2048/3072/4096, ECC_NIST_P256/P384/P521 or ECC_SECG_P256K1.</summary>
    public required string KeyPairSpec { get; init; }
    /// <summary>Grant tokens.</summary>
    public List<string>? GrantTokens { get; init; }
    /// <summary>Checks permission only.</summary>
    public bool? DryRun { get; init; }
}

/// <summary>GenerateDataKeyPairWithoutPlaintext response.</summary>
public sealed class GenerateDataKeyPairWithoutPlaintextResponse
{
    /// <summary>The PKCS#8 private key encrypted under the KMS key.</summary>
    public required byte[] PrivateKeyCiphertextBlob { get; init; }
    /// <summary>The DER SubjectPublicKeyInfo public key.</summary>
    public required byte[] PublicKey { get; init; }
    /// <summary>Key ARN.</summary>
    public required string KeyId { get; init; }
    /// <summary>The spec of the pair.</summary>
    public required string KeyPairSpec { get; init; }
    /// <summary>The material that encrypted the private key.</summary>
    public string? KeyMaterialId { get; init; }
}

/// <summary>Like GenerateDataKeyPair, but returns only the public key and the encrypted private key.</summary>
public sealed class GenerateDataKeyPairWithoutPlaintext : KmsOperation<GenerateDataKeyPairWithoutPlaintextRequest, GenerateDataKeyPairWithoutPlaintextResponse>
{
    /// <inheritdoc />
    public override bool ReadOnly => true;

    /// <inheritdoc />
    public override async Task<GenerateDataKeyPairWithoutPlaintextResponse> ExecuteAsync(KmsContext context, KmsCall call, GenerateDataKeyPairWithoutPlaintextRequest request, CancellationToken cancellationToken)
    {
        var pair = await DataKeyPairs.GenerateAsync(context, call, request.KeyId, request.KeyPairSpec, request.EncryptionContext, request.DryRun, Name, cancellationToken)
            .ConfigureAwait(false);
        CryptographicOperations.ZeroMemory(pair.PrivateKey);
        return new GenerateDataKeyPairWithoutPlaintextResponse
        {
            PrivateKeyCiphertextBlob = pair.Ciphertext,
            PublicKey = pair.PublicKey,
            KeyId = pair.KeyArn,
            KeyPairSpec = request.KeyPairSpec,
            KeyMaterialId = pair.KeyMaterialId,
        };
    }
}

/// <summary>Shared logic of the data key pair operations.</summary>
internal static class DataKeyPairs
{
    public sealed record Pair(byte[] PrivateKey, byte[] PublicKey, byte[] Ciphertext, string KeyArn, string? KeyMaterialId);

    private static readonly string[] Specs = ["RSA_2048", "RSA_3072", "RSA_4096", "ECC_NIST_P256", "ECC_NIST_P384", "ECC_NIST_P521", "ECC_SECG_P256K1"];

    public static async Task<Pair> GenerateAsync(KmsContext context, KmsCall call, string keyId, string keyPairSpec,
        Dictionary<string, string>? encryptionContext, bool? dryRun, string operation, CancellationToken cancellationToken)
    {
        if (!Specs.Contains(keyPairSpec))
            throw new KmsException(KmsErrorCode.UnsupportedOperation, $"KeyPairSpec {keyPairSpec} is not supported by Citadel.");
        var key = await call.KeyAsync(context, keyId, cancellationToken).ConfigureAwait(false);
        call.Touch(key);
        KeyGuards.RequireEnabled(key);
        KeyGuards.RequireSymmetric(key, operation);
        DryRuns.Check(dryRun);
        var type = KeySpecs.AsymmetricType(keyPairSpec);
        var privateKey = AsymmetricKeys.Generate(type);
        try
        {
            var publicKey = AsymmetricKeys.PublicKeyOf(type, privateKey);
            var ciphertext = Envelope.Seal(context, key, privateKey, encryptionContext, "SYMMETRIC_DEFAULT", operation);
            return new Pair(privateKey, publicKey, ciphertext, key.Arn, key.Current?.MaterialId);
        }
        catch
        {
            CryptographicOperations.ZeroMemory(privateKey);
            throw;
        }
    }
}
