using Citadel.Kms.Keys;

namespace Citadel.Kms.Operations;

/// <summary>GetParametersForImport request.</summary>
public sealed class GetParametersForImportRequest : IKeyRequest
{
    /// <summary>Any key identifier form of an EXTERNAL-origin key.</summary>
    public required string KeyId { get; init; }
    /// <summary>RSAES_OAEP_SHA_1/256 or RSA_AES_KEY_WRAP_SHA_1/256.</summary>
    public required string WrappingAlgorithm { get; init; }
    /// <summary>RSA_2048, RSA_3072 or RSA_4096.</summary>
    public required string WrappingKeySpec { get; init; }
}

/// <summary>GetParametersForImport response.</summary>
public sealed class GetParametersForImportResponse
{
    /// <summary>Key ARN.</summary>
    public required string KeyId { get; init; }
    /// <summary>The opaque token to send back with ImportKeyMaterial.</summary>
    public required byte[] ImportToken { get; init; }
    /// <summary>The RSA wrapping public key, DER SubjectPublicKeyInfo.</summary>
    public required byte[] PublicKey { get; init; }
    /// <summary>When the token and public key stop being accepted (24 hours).</summary>
    public required DateTimeOffset ParametersValidTo { get; init; }
}

/// <summary>Returns a fresh RSA wrapping public key and import token for importing key material into an EXTERNAL-origin key.</summary>
public sealed class GetParametersForImport : KmsOperation<GetParametersForImportRequest, GetParametersForImportResponse>
{
    /// <inheritdoc />
    public override bool ReadOnly => true;

    /// <inheritdoc />
    public override async Task<GetParametersForImportResponse> ExecuteAsync(KmsContext context, KmsCall call, GetParametersForImportRequest request, CancellationToken cancellationToken)
    {
        var key = await call.KeyAsync(context, request.KeyId, cancellationToken).ConfigureAwait(false);
        call.Touch(key);
        ImportedMaterial.RequireExternal(key, Name);
        KeyGuards.RequireNotPendingDeletion(key);
        if (!ImportedMaterial.WrappingAlgorithms.Contains(request.WrappingAlgorithm))
            throw new KmsException(KmsErrorCode.UnsupportedOperation,
                $"WrappingAlgorithm {request.WrappingAlgorithm} is not supported. Use one of: {string.Join(", ", ImportedMaterial.WrappingAlgorithms)}.");
        if (!ImportedMaterial.WrappingKeySpecs.Contains(request.WrappingKeySpec))
            throw new KmsException(KmsErrorCode.UnsupportedOperation,
                $"WrappingKeySpec {request.WrappingKeySpec} is not supported. Use one of: {string.Join(", ", ImportedMaterial.WrappingKeySpecs)}.");

        var tokens = new ImportTokenStore(context.Keys.Store, context.Root);
        var now = context.Time.GetUtcNow();
        await tokens.PurgeExpiredAsync(now, cancellationToken).ConfigureAwait(false);
        var (blob, record) = await tokens.CreateAsync(key, request.WrappingAlgorithm, request.WrappingKeySpec, now, context.Random, cancellationToken).ConfigureAwait(false);
        return new GetParametersForImportResponse { KeyId = key.Arn, ImportToken = blob, PublicKey = record.PublicKey, ParametersValidTo = record.ValidTo };
    }
}
