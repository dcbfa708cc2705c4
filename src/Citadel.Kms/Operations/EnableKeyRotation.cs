using Citadel.Kms.Keys;

namespace Citadel.Kms.Operations;

/// <summary>EnableKeyRotation request.</summary>
public sealed class EnableKeyRotationRequest : IKeyRequest
{
    /// <summary>Key id or key ARN.</summary>
    public required string KeyId { get; init; }
    /// <summary>Days between rotations, 90 to 2560 (default 365).</summary>
    public int? RotationPeriodInDays { get; init; }
}

/// <summary>
/// Turns on automatic rotation of a symmetric encryption key with KMS-generated material: key
/// maintenance rotates it every period, the first time one period from now. On a key whose rotation
/// is already on, a new period is counted from the last rotation (or from when rotation was enabled).
/// </summary>
public sealed class EnableKeyRotation : KmsOperation<EnableKeyRotationRequest, EmptyResponse>
{
    /// <inheritdoc />
    public override async Task<EmptyResponse> ExecuteAsync(KmsContext context, KmsCall call, EnableKeyRotationRequest request, CancellationToken cancellationToken)
    {
        var key = await call.KeyAsync(context, request.KeyId, cancellationToken).ConfigureAwait(false);
        call.Touch(key);
        var now = context.Time.GetUtcNow();
        await context.Keys.MutateAsync(key.KeyId, record =>
        {
            KeyGuards.RequireCustomerManaged(record, Name);
            ManagementRules.RequireRotatable(record);
            KeyGuards.RequireEnabled(record);
            if (!record.RotationEnabled || record.NextRotationDate is null || record.RotationPeriodInDays is null)
            {
                var period = request.RotationPeriodInDays ?? ManagementRules.DefaultRotationPeriodInDays;
                record.RotationEnabled = true;
                record.RotationPeriodInDays = period;
                record.NextRotationDate = now.AddDays(period);
            }
            else if (request.RotationPeriodInDays is { } period && period != record.RotationPeriodInDays)
            {
                var lastRotation = record.NextRotationDate.Value.AddDays(-record.RotationPeriodInDays.Value);
                record.RotationPeriodInDays = period;
                record.NextRotationDate = lastRotation.AddDays(period);
            }
            return true;
        }, cancellationToken).ConfigureAwait(false);
        return EmptyResponse.Instance;
    }
}
