using Citadel.Crypto;
using Citadel.Kms.Keys;

namespace Citadel.Kms.Operations;

/// <summary>VerifyMac request.</summary>
public sealed class VerifyMacRequest : IKeyRequest, IGrantTokensRequest, IDryRunRequest
{
    /// <summary>The message.</summary>
    public required byte[] Message { get; init; }
    /// <summary>Any key identifier form of an HMAC key.</summary>
    public required string KeyId { get; init; }
    /// <summary>The key spec's MAC algorithm.</summary>
    public required string MacAlgorithm { get; init; }
    /// <summary>The tag to check.</summary>
    public required byte[] Mac { get; init; }
    /// <summary>Grant tokens.</summary>
    public List<string>? GrantTokens { get; init; }
    /// <summary>Checks permission only.</summary>
    public bool? DryRun { get; init; }
}

/// <summary>VerifyMac response.</summary>
public sealed class VerifyMacResponse
{
    /// <summary>Key ARN.</summary>
    public required string KeyId { get; init; }
    /// <summary>Always true: an invalid tag is KMSInvalidMacException.</summary>
    public required bool MacValid { get; init; }
    /// <summary>Algorithm used.</summary>
    public required string MacAlgorithm { get; init; }
}

/// <summary>Recomputes the HMAC of a message and compares it with the given tag in constant time.</summary>
public sealed class VerifyMac : KmsOperation<VerifyMacRequest, VerifyMacResponse>
{
    /// <inheritdoc />
    public override bool ReadOnly => true;

    /// <inheritdoc />
    public override async Task<VerifyMacResponse> ExecuteAsync(KmsContext context, KmsCall call, VerifyMacRequest request, CancellationToken cancellationToken)
    {
        var key = await call.KeyAsync(context, request.KeyId, cancellationToken).ConfigureAwait(false);
        call.Touch(key);
        var algorithm = Macs.Check(key, request.MacAlgorithm, Name);
        DryRuns.Check(request.DryRun);
        if (!Mac.Verify(algorithm, Macs.CurrentMaterial(context, key), request.Message, request.Mac))
            throw new KmsException(KmsErrorCode.InvalidMac, "The MAC is not valid for this message, key and algorithm.");
        return new VerifyMacResponse { KeyId = key.Arn, MacValid = true, MacAlgorithm = request.MacAlgorithm };
    }
}
