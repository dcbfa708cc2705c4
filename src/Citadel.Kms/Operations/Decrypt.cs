using Citadel.Kms.Keys;

namespace Citadel.Kms.Operations;

/// <summary>Decrypt request.</summary>
public sealed class DecryptRequest : IKeyRequest, IEncryptionContextRequest, IGrantTokensRequest, IDryRunRequest
{
    /// <summary>The ciphertext (optional in the model only because of Recipient; required here).</summary>
    public byte[]? CiphertextBlob { get; init; }
    /// <summary>The context used to encrypt.</summary>
    public Dictionary<string, string>? EncryptionContext { get; init; }
    /// <summary>Grant tokens.</summary>
    public List<string>? GrantTokens { get; init; }
    /// <summary>Optional for symmetric ciphertexts (the blob names its key); required for RSA.</summary>
    public string? KeyId { get; init; }
    /// <summary>SYMMETRIC_DEFAULT or RSAES_OAEP_SHA_1/256.</summary>
    public string? EncryptionAlgorithm { get; init; }
    /// <summary>Nitro enclave recipient (not supported).</summary>
    public RecipientInfo? Recipient { get; init; }
    /// <summary>Checks permission only.</summary>
    public bool? DryRun { get; init; }
    /// <summary>Dry run modifiers.</summary>
    public List<string>? DryRunModifiers { get; init; }
}

/// <summary>Decrypt response.</summary>
public sealed class DecryptResponse
{
    /// <summary>Key ARN.</summary>
    public required string KeyId { get; init; }
    /// <summary>The plaintext.</summary>
    public required byte[] Plaintext { get; init; }
    /// <summary>Algorithm used.</summary>
    public required string EncryptionAlgorithm { get; init; }
    /// <summary>Which material decrypted (symmetric keys).</summary>
    public string? KeyMaterialId { get; init; }
}

/// <summary>Decrypts a KMS ciphertext; for symmetric ciphertexts the key is read from the blob.</summary>
public sealed class Decrypt : KmsOperation<DecryptRequest, DecryptResponse>
{
    /// <inheritdoc />
    public override bool ReadOnly => true;

    /// <inheritdoc />
    public override async Task<DecryptResponse> ExecuteAsync(KmsContext context, KmsCall call, DecryptRequest request, CancellationToken cancellationToken)
    {
        if (request.Recipient is not null)
            throw new KmsException(KmsErrorCode.UnsupportedOperation, "Recipient (Nitro Enclaves attestation) is not supported by Citadel.");
        var blob = request.CiphertextBlob
            ?? throw new KmsException(KmsErrorCode.Validation, "1 validation error detected: Value null at 'ciphertextBlob' failed to satisfy constraint: Member must not be null");
        var opened = await Envelope.OpenAsync(context, call, blob, request.KeyId, request.EncryptionContext,
            request.EncryptionAlgorithm, Name, cancellationToken).ConfigureAwait(false);
        DryRuns.Check(request.DryRun);
        return new DecryptResponse
        {
            KeyId = opened.Key.Arn,
            Plaintext = opened.Plaintext,
            EncryptionAlgorithm = opened.Algorithm,
            KeyMaterialId = opened.Version?.MaterialId,
        };
    }
}
