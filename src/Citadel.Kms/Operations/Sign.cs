using Citadel.Crypto;
using Citadel.Kms.Keys;

namespace Citadel.Kms.Operations;

/// <summary>Sign request.</summary>
public sealed class SignRequest : IKeyRequest, IGrantTokensRequest, IDryRunRequest
{
    /// <summary>Any key identifier form of a SIGN_VERIFY key.</summary>
    public required string KeyId { get; init; }
    /// <summary>The message (RAW) or its digest (DIGEST).</summary>
    public required byte[] Message { get; init; }
    /// <summary>RAW (default) or DIGEST.</summary>
    public string? MessageType { get; init; }
    /// <summary>Grant tokens.</summary>
    public List<string>? GrantTokens { get; init; }
    /// <summary>One of the key's SigningAlgorithms.</summary>
    public required string SigningAlgorithm { get; init; }
    /// <summary>Checks permission only.</summary>
    public bool? DryRun { get; init; }
}

/// <summary>Sign response.</summary>
public sealed class SignResponse
{
    /// <summary>Key ARN.</summary>
    public required string KeyId { get; init; }
    /// <summary>The signature: DER for ECDSA, the raw RSA signature for RSASSA.</summary>
    public required byte[] Signature { get; init; }
    /// <summary>Algorithm used.</summary>
    public required string SigningAlgorithm { get; init; }
}

/// <summary>Signs a message or digest with the private key of an asymmetric SIGN_VERIFY key.</summary>
public sealed class Sign : KmsOperation<SignRequest, SignResponse>
{
    /// <inheritdoc />
    public override bool ReadOnly => true;

    /// <inheritdoc />
    public override async Task<SignResponse> ExecuteAsync(KmsContext context, KmsCall call, SignRequest request, CancellationToken cancellationToken)
    {
        var key = await call.KeyAsync(context, request.KeyId, cancellationToken).ConfigureAwait(false);
        call.Touch(key);
        var plan = Signing.Check(key, request.SigningAlgorithm, request.MessageType, request.Message.Length, Name);
        DryRuns.Check(request.DryRun);
        var signature = AsymmetricKeys.Sign(plan.Type, context.Keys.Material(key, key.Current!), plan.Scheme, request.Message, plan.IsDigest);
        return new SignResponse { KeyId = key.Arn, Signature = signature, SigningAlgorithm = request.SigningAlgorithm };
    }
}
