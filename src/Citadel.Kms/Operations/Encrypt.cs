using Citadel.Kms.Keys;

namespace Citadel.Kms.Operations;

/// <summary>Encrypt request.</summary>
public sealed class EncryptRequest : IKeyRequest, IEncryptionContextRequest, IGrantTokensRequest, IDryRunRequest
{
    /// <summary>Any key identifier form.</summary>
    public required string KeyId { get; init; }
    /// <summary>Up to 4096 bytes.</summary>
    public required byte[] Plaintext { get; init; }
    /// <summary>Bound as associated data; required again to decrypt.</summary>
    public Dictionary<string, string>? EncryptionContext { get; init; }
    /// <summary>Grant tokens.</summary>
    public List<string>? GrantTokens { get; init; }
    /// <summary>SYMMETRIC_DEFAULT or RSAES_OAEP_SHA_1/256.</summary>
    public string? EncryptionAlgorithm { get; init; }
    /// <summary>Checks permission only.</summary>
    public bool? DryRun { get; init; }
}

/// <summary>Encrypt response.</summary>
public sealed class EncryptResponse
{
    /// <summary>The ciphertext.</summary>
    public required byte[] CiphertextBlob { get; init; }
    /// <summary>Key ARN.</summary>
    public required string KeyId { get; init; }
    /// <summary>Algorithm used.</summary>
    public required string EncryptionAlgorithm { get; init; }
}

/// <summary>Encrypts up to 4 KiB under a KMS key.</summary>
public sealed class Encrypt : KmsOperation<EncryptRequest, EncryptResponse>
{
    /// <inheritdoc />
    public override bool ReadOnly => true;

    /// <inheritdoc />
    public override async Task<EncryptResponse> ExecuteAsync(KmsContext context, KmsCall call, EncryptRequest request, CancellationToken cancellationToken)
    {
        var key = await call.KeyAsync(context, request.KeyId, cancellationToken).ConfigureAwait(false);
        call.Touch(key);
        var algorithm = request.EncryptionAlgorithm ?? "SYMMETRIC_DEFAULT";
        var blob = Envelope.Seal(context, key, request.Plaintext, request.EncryptionContext, algorithm, Name);
        DryRuns.Check(request.DryRun);
        return new EncryptResponse { CiphertextBlob = blob, KeyId = key.Arn, EncryptionAlgorithm = algorithm };
    }
}
