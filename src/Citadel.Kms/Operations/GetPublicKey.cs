using Citadel.Kms.Keys;

namespace Citadel.Kms.Operations;

/// <summary>GetPublicKey request.</summary>
public sealed class GetPublicKeyRequest : IKeyRequest, IGrantTokensRequest
{
    /// <summary>Any key identifier form of an asymmetric key.</summary>
    public required string KeyId { get; init; }
    /// <summary>Grant tokens.</summary>
    public List<string>? GrantTokens { get; init; }
}

/// <summary>GetPublicKey response.</summary>
public sealed class GetPublicKeyResponse
{
    /// <summary>Key ARN.</summary>
    public required string KeyId { get; init; }
    /// <summary>The public key, DER-encoded X.509 SubjectPublicKeyInfo.</summary>
    public required byte[] PublicKey { get; init; }
    /// <summary>The deprecated twin of KeySpec.</summary>
    public required string CustomerMasterKeySpec { get; init; }
    /// <summary>KeySpec.</summary>
    public required string KeySpec { get; init; }
    /// <summary>KeyUsage.</summary>
    public required string KeyUsage { get; init; }
    /// <summary>For ENCRYPT_DECRYPT keys.</summary>
    public IReadOnlyList<string>? EncryptionAlgorithms { get; init; }
    /// <summary>For SIGN_VERIFY keys.</summary>
    public IReadOnlyList<string>? SigningAlgorithms { get; init; }
}

/// <summary>Returns the public key of an asymmetric KMS key.</summary>
public sealed class GetPublicKey : KmsOperation<GetPublicKeyRequest, GetPublicKeyResponse>
{
    /// <inheritdoc />
    public override bool ReadOnly => true;

    /// <inheritdoc />
    public override async Task<GetPublicKeyResponse> ExecuteAsync(KmsContext context, KmsCall call, GetPublicKeyRequest request, CancellationToken cancellationToken)
    {
        var key = await call.KeyAsync(context, request.KeyId, cancellationToken).ConfigureAwait(false);
        call.Touch(key);
        if (!KeySpecs.IsAsymmetric(key.KeySpec))
            throw new KmsException(KmsErrorCode.UnsupportedOperation, $"{key.Arn} key spec {key.KeySpec} is not valid for GetPublicKey; only asymmetric KMS keys have a public key.");
        KeyGuards.RequireEnabled(key);
        return new GetPublicKeyResponse
        {
            KeyId = key.Arn,
            PublicKey = key.Current!.PublicKey!,
            CustomerMasterKeySpec = key.KeySpec,
            KeySpec = key.KeySpec,
            KeyUsage = key.KeyUsage,
            EncryptionAlgorithms = KeySpecs.EncryptionAlgorithms(key.KeySpec, key.KeyUsage),
            SigningAlgorithms = KeySpecs.SigningAlgorithms(key.KeySpec, key.KeyUsage),
        };
    }
}
