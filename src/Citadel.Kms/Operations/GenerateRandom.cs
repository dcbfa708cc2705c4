namespace Citadel.Kms.Operations;

/// <summary>GenerateRandom request.</summary>
public sealed class GenerateRandomRequest
{
    /// <summary>1 to 1024.</summary>
    public int? NumberOfBytes { get; init; }
    /// <summary>Custom key store (not supported).</summary>
    public string? CustomKeyStoreId { get; init; }
    /// <summary>Nitro enclave recipient (not supported).</summary>
    public RecipientInfo? Recipient { get; init; }
}

/// <summary>GenerateRandom response.</summary>
public sealed class GenerateRandomResponse
{
    /// <summary>Random bytes.</summary>
    public required byte[] Plaintext { get; init; }
}

/// <summary>Returns random bytes from the server's CSPRNG.</summary>
public sealed class GenerateRandom : KmsOperation<GenerateRandomRequest, GenerateRandomResponse>
{
    /// <inheritdoc />
    public override bool ReadOnly => true;

    /// <inheritdoc />
    public override Task<GenerateRandomResponse> ExecuteAsync(KmsContext context, KmsCall call, GenerateRandomRequest request, CancellationToken cancellationToken)
    {
        if (request.CustomKeyStoreId is not null)
            throw new KmsException(KmsErrorCode.UnsupportedOperation, "Custom key stores are not supported yet.");
        if (request.Recipient is not null)
            throw new KmsException(KmsErrorCode.UnsupportedOperation, "Recipient (Nitro Enclaves attestation) is not supported by Citadel.");
        var count = request.NumberOfBytes ?? throw new KmsException(KmsErrorCode.Validation, "NumberOfBytes is required.");
        var bytes = new byte[count];
        context.Random.Fill(bytes);
        return Task.FromResult(new GenerateRandomResponse { Plaintext = bytes });
    }
}
