using Citadel.Crypto;
using Citadel.Kms.Keys;

namespace Citadel.Kms.Operations;

/// <summary>Verify request.</summary>
public sealed class VerifyRequest : IKeyRequest, IGrantTokensRequest, IDryRunRequest
{
    /// <summary>Any key identifier form of a SIGN_VERIFY key.</summary>
    public required string KeyId { get; init; }
    /// <summary>The message (RAW) or its digest (DIGEST).</summary>
    public required byte[] Message { get; init; }
    /// <summary>RAW (default) or DIGEST.</summary>
    public string? MessageType { get; init; }
    /// <summary>The signature to check.</summary>
    public required byte[] Signature { get; init; }
    /// <summary>The algorithm the signature was made with.</summary>
    public required string SigningAlgorithm { get; init; }
    /// <summary>Grant tokens.</summary>
    public List<string>? GrantTokens { get; init; }
    /// <summary>Checks permission only.</summary>
    public bool? DryRun { get; init; }
}

/// <summary>Verify response.</summary>
public sealed class VerifyResponse
{
    /// <summary>Key ARN.</summary>
    public required string KeyId { get; init; }
    /// <summary>Always true: an invalid signature is KMSInvalidSignatureException.</summary>
    public required bool SignatureValid { get; init; }
    /// <summary>Algorithm used.</summary>
    public required string SigningAlgorithm { get; init; }
}

/// <summary>Verifies a signature with the public key of an asymmetric SIGN_VERIFY key.</summary>
public sealed class Verify : KmsOperation<VerifyRequest, VerifyResponse>
{
    /// <inheritdoc />
    public override bool ReadOnly => true;

    /// <inheritdoc />
    public override async Task<VerifyResponse> ExecuteAsync(KmsContext context, KmsCall call, VerifyRequest request, CancellationToken cancellationToken)
    {
        var key = await call.KeyAsync(context, request.KeyId, cancellationToken).ConfigureAwait(false);
        call.Touch(key);
        var plan = Signing.Check(key, request.SigningAlgorithm, request.MessageType, request.Message.Length, Name);
        DryRuns.Check(request.DryRun);
        if (!AsymmetricKeys.Verify(plan.Type, key.Current!.PublicKey!, plan.Scheme, request.Message, plan.IsDigest, request.Signature))
            throw new KmsException(KmsErrorCode.InvalidSignature, "The signature is not valid.");
        return new VerifyResponse { KeyId = key.Arn, SignatureValid = true, SigningAlgorithm = request.SigningAlgorithm };
    }
}
