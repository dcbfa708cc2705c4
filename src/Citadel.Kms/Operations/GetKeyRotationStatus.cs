using Citadel.Kms.Keys;

namespace Citadel.Kms.Operations;

/// <summary>GetKeyRotationStatus request.</summary>
public sealed class GetKeyRotationStatusRequest : IKeyRequest
{
    /// <summary>Key id or key ARN.</summary>
    public required string KeyId { get; init; }
}

/// <summary>GetKeyRotationStatus response.</summary>
public sealed class GetKeyRotationStatusResponse
{
    /// <summary>Whether automatic rotation is on (false while the key is pending deletion).</summary>
    public required bool KeyRotationEnabled { get; init; }
    /// <summary>The key id.</summary>
    public required string KeyId { get; init; }
    /// <summary>Days between rotations, when rotation is on.</summary>
    public int? RotationPeriodInDays { get; init; }
    /// <summary>When the next automatic rotation happens, when rotation is on.</summary>
    public DateTimeOffset? NextRotationDate { get; init; }
    /// <summary>Start of an on-demand rotation in progress; on-demand rotations complete at once, so never set.</summary>
    public DateTimeOffset? OnDemandRotationStartDate { get; init; }
}

/// <summary>Reports automatic rotation of a symmetric encryption key.</summary>
public sealed class GetKeyRotationStatus : KmsOperation<GetKeyRotationStatusRequest, GetKeyRotationStatusResponse>
{
    /// <inheritdoc />
    public override bool ReadOnly => true;

    /// <inheritdoc />
    public override async Task<GetKeyRotationStatusResponse> ExecuteAsync(KmsContext context, KmsCall call, GetKeyRotationStatusRequest request, CancellationToken cancellationToken)
    {
        var key = await call.KeyAsync(context, request.KeyId, cancellationToken).ConfigureAwait(false);
        call.Touch(key);
        if (key.KeySpec != "SYMMETRIC_DEFAULT")
            throw new KmsException(KmsErrorCode.UnsupportedOperation, $"{key.Arn} key spec {key.KeySpec} is not valid for this operation.");
        var enabled = ManagementRules.RotationInEffect(key);
        return new GetKeyRotationStatusResponse
        {
            KeyRotationEnabled = enabled,
            KeyId = key.KeyId,
            RotationPeriodInDays = enabled ? key.RotationPeriodInDays : null,
            NextRotationDate = enabled ? key.NextRotationDate : null,
        };
    }
}
