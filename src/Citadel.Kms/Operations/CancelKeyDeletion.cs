using Citadel.Kms.Keys;

namespace Citadel.Kms.Operations;

/// <summary>CancelKeyDeletion request.</summary>
public sealed class CancelKeyDeletionRequest : IKeyRequest
{
    /// <summary>Key id or key ARN.</summary>
    public required string KeyId { get; init; }
}

/// <summary>CancelKeyDeletion response.</summary>
public sealed class CancelKeyDeletionResponse
{
    /// <summary>Key ARN.</summary>
    public required string KeyId { get; init; }
}

/// <summary>
/// Cancels a scheduled deletion. As in AWS the key comes back Disabled (whatever its state before),
/// except a key without key material, which comes back PendingImport.
/// </summary>
public sealed class CancelKeyDeletion : KmsOperation<CancelKeyDeletionRequest, CancelKeyDeletionResponse>
{
    /// <inheritdoc />
    public override async Task<CancelKeyDeletionResponse> ExecuteAsync(KmsContext context, KmsCall call, CancelKeyDeletionRequest request, CancellationToken cancellationToken)
    {
        var key = await call.KeyAsync(context, request.KeyId, cancellationToken).ConfigureAwait(false);
        call.Touch(key);
        var arn = await context.Keys.MutateAsync(key.KeyId, record =>
        {
            KeyGuards.RequireCustomerManaged(record, Name);
            if (record.KeyState != "PendingDeletion")
                throw new KmsException(KmsErrorCode.InvalidState, $"{record.Arn} is not pending deletion.");
            record.KeyState = record.Origin == "EXTERNAL" && !record.HasMaterial ? "PendingImport" : "Disabled";
            record.DeletionDate = null;
            record.PendingDeletionWindowInDays = null;
            record.StateBeforeDeletion = null;
            return record.Arn;
        }, cancellationToken).ConfigureAwait(false);
        return new CancelKeyDeletionResponse { KeyId = arn };
    }
}
