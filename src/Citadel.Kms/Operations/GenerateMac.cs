using Citadel.Crypto;
using Citadel.Kms.Keys;

namespace Citadel.Kms.Operations;

/// <summary>GenerateMac request.</summary>
public sealed class GenerateMacRequest : IKeyRequest, IGrantTokensRequest, IDryRunRequest
{
    /// <summary>The message to authenticate.</summary>
    public required byte[] Message { get; init; }
    /// <summary>Any key identifier form of an HMAC key.</summary>
    public required string KeyId { get; init; }
    /// <summary>The key spec's MAC algorithm.</summary>
    public required string MacAlgorithm { get; init; }
    /// <summary>Grant tokens.</summary>
    public List<string>? GrantTokens { get; init; }
    /// <summary>Checks permission only.</summary>
    public bool? DryRun { get; init; }
}

/// <summary>GenerateMac response.</summary>
public sealed class GenerateMacResponse
{
    /// <summary>The HMAC tag.</summary>
    public required byte[] Mac { get; init; }
    /// <summary>Algorithm used.</summary>
    public required string MacAlgorithm { get; init; }
    /// <summary>Key ARN.</summary>
    public required string KeyId { get; init; }
}

/// <summary>Computes an HMAC of a message under an HMAC KMS key.</summary>
public sealed class GenerateMac : KmsOperation<GenerateMacRequest, GenerateMacResponse>
{
    /// <inheritdoc />
    public override bool ReadOnly => true;

    /// <inheritdoc />
    public override async Task<GenerateMacResponse> ExecuteAsync(KmsContext context, KmsCall call, GenerateMacRequest request, CancellationToken cancellationToken)
    {
        var key = await call.KeyAsync(context, request.KeyId, cancellationToken).ConfigureAwait(false);
        call.Touch(key);
        var algorithm = Macs.Check(key, request.MacAlgorithm, Name);
        DryRuns.Check(request.DryRun);
        var tag = Mac.Compute(algorithm, Macs.CurrentMaterial(context, key), request.Message);
        return new GenerateMacResponse { Mac = tag, MacAlgorithm = request.MacAlgorithm, KeyId = key.Arn };
    }
}
