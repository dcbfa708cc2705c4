using Citadel.Kms.Keys;

namespace Citadel.Kms.Operations;

/// <summary>ReEncrypt request.</summary>
public sealed class ReEncryptRequest : IGrantTokensRequest, IDryRunRequest
{
    /// <summary>The ciphertext (optional in the model; required here).</summary>
    public byte[]? CiphertextBlob { get; init; }
    /// <summary>The context it was encrypted with.</summary>
    public Dictionary<string, string>? SourceEncryptionContext { get; init; }
    /// <summary>Optional source key (required for RSA).</summary>
    public string? SourceKeyId { get; init; }
    /// <summary>The key to encrypt under.</summary>
    public required string DestinationKeyId { get; init; }
    /// <summary>The new context.</summary>
    public Dictionary<string, string>? DestinationEncryptionContext { get; init; }
    /// <summary>Source algorithm.</summary>
    public string? SourceEncryptionAlgorithm { get; init; }
    /// <summary>Destination algorithm.</summary>
    public string? DestinationEncryptionAlgorithm { get; init; }
    /// <summary>Grant tokens.</summary>
    public List<string>? GrantTokens { get; init; }
    /// <summary>Checks permission only.</summary>
    public bool? DryRun { get; init; }
    /// <summary>Dry run modifiers.</summary>
    public List<string>? DryRunModifiers { get; init; }
}

/// <summary>ReEncrypt response.</summary>
public sealed class ReEncryptResponse
{
    /// <summary>The new ciphertext.</summary>
    public required byte[] CiphertextBlob { get; init; }
    /// <summary>Source key ARN.</summary>
    public required string SourceKeyId { get; init; }
    /// <summary>Destination key ARN.</summary>
    public required string KeyId { get; init; }
    /// <summary>Source algorithm.</summary>
    public required string SourceEncryptionAlgorithm { get; init; }
    /// <summary>Destination algorithm.</summary>
    public required string DestinationEncryptionAlgorithm { get; init; }
    /// <summary>Source material.</summary>
    public string? SourceKeyMaterialId { get; init; }
    /// <summary>Destination material.</summary>
    public string? DestinationKeyMaterialId { get; init; }
}

/// <summary>Decrypts and re-encrypts inside the server: the plaintext never leaves it.</summary>
public sealed class ReEncrypt : KmsOperation<ReEncryptRequest, ReEncryptResponse>
{
    /// <inheritdoc />
    public override bool ReadOnly => true;

    /// <inheritdoc />
    public override async Task<ReEncryptResponse> ExecuteAsync(KmsContext context, KmsCall call, ReEncryptRequest request, CancellationToken cancellationToken)
    {
        var blob = request.CiphertextBlob
            ?? throw new KmsException(KmsErrorCode.Validation, "1 validation error detected: Value null at 'ciphertextBlob' failed to satisfy constraint: Member must not be null");
        var opened = await Envelope.OpenAsync(context, call, blob, request.SourceKeyId, request.SourceEncryptionContext,
            request.SourceEncryptionAlgorithm, Name, cancellationToken).ConfigureAwait(false);
        try
        {
            var destination = await call.KeyAsync(context, request.DestinationKeyId, cancellationToken).ConfigureAwait(false);
            call.Touch(destination);
            var algorithm = request.DestinationEncryptionAlgorithm ?? "SYMMETRIC_DEFAULT";
            var sealedBlob = Envelope.Seal(context, destination, opened.Plaintext, request.DestinationEncryptionContext, algorithm, Name);
            DryRuns.Check(request.DryRun);
            return new ReEncryptResponse
            {
                CiphertextBlob = sealedBlob,
                SourceKeyId = opened.Key.Arn,
                KeyId = destination.Arn,
                SourceEncryptionAlgorithm = opened.Algorithm,
                DestinationEncryptionAlgorithm = algorithm,
                SourceKeyMaterialId = opened.Version?.MaterialId,
                DestinationKeyMaterialId = destination.KeySpec == "SYMMETRIC_DEFAULT" ? destination.Current?.MaterialId : null,
            };
        }
        finally
        {
            System.Security.Cryptography.CryptographicOperations.ZeroMemory(opened.Plaintext);
        }
    }
}
