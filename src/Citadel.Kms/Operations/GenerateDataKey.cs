using System.Security.Cryptography;
using Citadel.Kms.Keys;

namespace Citadel.Kms.Operations;

/// <summary>GenerateDataKey request.</summary>
public class GenerateDataKeyRequest : IKeyRequest, IEncryptionContextRequest, IGrantTokensRequest, IDryRunRequest
{
    /// <summary>Any key identifier form of a symmetric encryption key.</summary>
    public required string KeyId { get; init; }
    /// <summary>Bound as associated data.</summary>
    public Dictionary<string, string>? EncryptionContext { get; init; }
    /// <summary>1 to 1024 bytes; exactly one of this and KeySpec.</summary>
    public int? NumberOfBytes { get; init; }
    /// <summary>AES_128 or AES_256.</summary>
    public string? KeySpec { get; init; }
    /// <summary>Grant tokens.</summary>
    public List<string>? GrantTokens { get; init; }
    /// <summary>Nitro enclave recipient (not supported).</summary>
    public RecipientInfo? Recipient { get; init; }
    /// <summary>Checks permission only.</summary>
    public bool? DryRun { get; init; }
}

/// <summary>GenerateDataKey response.</summary>
public sealed class GenerateDataKeyResponse
{
    /// <summary>The data key encrypted under the KMS key.</summary>
    public required byte[] CiphertextBlob { get; init; }
    /// <summary>The data key.</summary>
    public byte[]? Plaintext { get; init; }
    /// <summary>Key ARN.</summary>
    public required string KeyId { get; init; }
    /// <summary>The material that encrypted it.</summary>
    public string? KeyMaterialId { get; init; }
}

/// <summary>Returns a fresh random data key, in plaintext and encrypted under a symmetric KMS key.</summary>
public sealed class GenerateDataKey : KmsOperation<GenerateDataKeyRequest, GenerateDataKeyResponse>
{
    /// <inheritdoc />
    public override bool ReadOnly => true;

    /// <inheritdoc />
    public override Task<GenerateDataKeyResponse> ExecuteAsync(KmsContext context, KmsCall call, GenerateDataKeyRequest request, CancellationToken cancellationToken)
        => DataKeys.GenerateAsync(context, call, request, includePlaintext: true, Name, cancellationToken);
}

/// <summary>GenerateDataKeyWithoutPlaintext request (same shape as GenerateDataKey's).</summary>
public sealed class GenerateDataKeyWithoutPlaintextRequest : GenerateDataKeyRequest;

/// <summary>Like GenerateDataKey, but returns only the encrypted data key.</summary>
public sealed class GenerateDataKeyWithoutPlaintext : KmsOperation<GenerateDataKeyWithoutPlaintextRequest, GenerateDataKeyResponse>
{
    /// <inheritdoc />
    public override bool ReadOnly => true;

    /// <inheritdoc />
    public override Task<GenerateDataKeyResponse> ExecuteAsync(KmsContext context, KmsCall call, GenerateDataKeyWithoutPlaintextRequest request, CancellationToken cancellationToken)
        => DataKeys.GenerateAsync(context, call, request, includePlaintext: false, Name, cancellationToken);
}

/// <summary>Shared logic of the data key operations.</summary>
internal static class DataKeys
{
    public static async Task<GenerateDataKeyResponse> GenerateAsync(KmsContext context, KmsCall call, GenerateDataKeyRequest request, bool includePlaintext, string operation, CancellationToken cancellationToken)
    {
        if (request.Recipient is not null)
            throw new KmsException(KmsErrorCode.UnsupportedOperation, "Recipient (Nitro Enclaves attestation) is not supported by Citadel.");
        var length = (request.NumberOfBytes, request.KeySpec) switch
        {
            (null, null) => throw new KmsException(KmsErrorCode.Validation, "Please specify either number of bytes or key spec."),
            ({ }, { }) => throw new KmsException(KmsErrorCode.Validation, "Please specify either number of bytes or key spec, not both."),
            ({ } n, null) => n,
            (null, "AES_128") => 16,
            (null, _) => 32,
        };
        var key = await call.KeyAsync(context, request.KeyId, cancellationToken).ConfigureAwait(false);
        call.Touch(key);
        KeyGuards.RequireEnabled(key);
        KeyGuards.RequireSymmetric(key, operation);
        var dataKey = new byte[length];
        context.Random.Fill(dataKey);
        var blob = Envelope.Seal(context, key, dataKey, request.EncryptionContext, "SYMMETRIC_DEFAULT", operation);
        DryRuns.Check(request.DryRun);
        if (!includePlaintext) CryptographicOperations.ZeroMemory(dataKey);
        return new GenerateDataKeyResponse
        {
            CiphertextBlob = blob,
            Plaintext = includePlaintext ? dataKey : null,
            KeyId = key.Arn,
            KeyMaterialId = key.Current?.MaterialId,
        };
    }
}
