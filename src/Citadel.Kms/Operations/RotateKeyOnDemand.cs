using Citadel.Kms.Keys;

namespace Citadel.Kms.Operations;

/// <summary>RotateKeyOnDemand request.</summary>
public sealed class RotateKeyOnDemandRequest : IKeyRequest
{
    /// <summary>Key id or key ARN.</summary>
    public required string KeyId { get; init; }
}

/// <summary>RotateKeyOnDemand response.</summary>
public sealed class RotateKeyOnDemandResponse
{
    /// <summary>The key id.</summary>
    public required string KeyId { get; init; }
}

/// <summary>
/// Rotates a customer managed symmetric encryption key now: new material becomes current, older
/// material stays to decrypt. At most 25 times per key; the automatic schedule is unchanged.
/// </summary>
public sealed class RotateKeyOnDemand : KmsOperation<RotateKeyOnDemandRequest, RotateKeyOnDemandResponse>
{
    /// <inheritdoc />
    public override async Task<RotateKeyOnDemandResponse> ExecuteAsync(KmsContext context, KmsCall call, RotateKeyOnDemandRequest request, CancellationToken cancellationToken)
    {
        var key = await call.KeyAsync(context, request.KeyId, cancellationToken).ConfigureAwait(false);
        call.Touch(key);
        var now = context.Time.GetUtcNow();
        await context.Keys.MutateAsync(key.KeyId, record =>
        {
            KeyGuards.RequireCustomerManaged(record, Name);
            ManagementRules.RequireRotatable(record);
            KeyGuards.RequireEnabled(record);
            if (record.Versions.Count(v => v.RotationType == "ON_DEMAND") >= ManagementRules.MaxOnDemandRotations)
                throw new KmsException(KmsErrorCode.LimitExceeded,
                    $"{record.Arn} has reached the limit of {ManagementRules.MaxOnDemandRotations} on-demand rotations.");
            record.OnDemandRotationStartDate = now;
            record.Versions.Add(KeyFactory.NewVersion(context.Keys, record, context.Random, now, "ON_DEMAND"));
            return true;
        }, cancellationToken).ConfigureAwait(false);
        return new RotateKeyOnDemandResponse { KeyId = key.KeyId };
    }
}
