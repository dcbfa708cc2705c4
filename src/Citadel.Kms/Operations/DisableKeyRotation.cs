using Citadel.Kms.Keys;

namespace Citadel.Kms.Operations;

/// <summary>DisableKeyRotation request.</summary>
public sealed class DisableKeyRotationRequest : IKeyRequest
{
    /// <summary>Key id or key ARN.</summary>
    public required string KeyId { get; init; }
}

/// <summary>Turns off automatic rotation of a customer managed symmetric encryption key.</summary>
public sealed class DisableKeyRotation : KmsOperation<DisableKeyRotationRequest, EmptyResponse>
{
    /// <inheritdoc />
    public override async Task<EmptyResponse> ExecuteAsync(KmsContext context, KmsCall call, DisableKeyRotationRequest request, CancellationToken cancellationToken)
    {
        var key = await call.KeyAsync(context, request.KeyId, cancellationToken).ConfigureAwait(false);
        call.Touch(key);
        await context.Keys.MutateAsync(key.KeyId, record =>
        {
            KeyGuards.RequireCustomerManaged(record, Name);
            ManagementRules.RequireRotatable(record);
            KeyGuards.RequireEnabled(record);
            record.RotationEnabled = false;
            record.RotationPeriodInDays = null;
            record.NextRotationDate = null;
            return true;
        }, cancellationToken).ConfigureAwait(false);
        return EmptyResponse.Instance;
    }
}
