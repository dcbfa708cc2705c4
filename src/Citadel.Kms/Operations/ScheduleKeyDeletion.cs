using Citadel.Kms.Keys;

namespace Citadel.Kms.Operations;

/// <summary>ScheduleKeyDeletion request.</summary>
public sealed class ScheduleKeyDeletionRequest : IKeyRequest
{
    /// <summary>Key id or key ARN.</summary>
    public required string KeyId { get; init; }
    /// <summary>Waiting period, 7 to 30 days (default 30).</summary>
    public int? PendingWindowInDays { get; init; }
}

/// <summary>ScheduleKeyDeletion response.</summary>
public sealed class ScheduleKeyDeletionResponse
{
    /// <summary>Key ARN.</summary>
    public required string KeyId { get; init; }
    /// <summary>When the key will be destroyed.</summary>
    public required DateTimeOffset DeletionDate { get; init; }
    /// <summary>PendingDeletion.</summary>
    public required string KeyState { get; init; }
    /// <summary>The waiting period.</summary>
    public required int PendingWindowInDays { get; init; }
}

/// <summary>Puts a key in PendingDeletion; key maintenance destroys it when the waiting period ends.</summary>
public sealed class ScheduleKeyDeletion : KmsOperation<ScheduleKeyDeletionRequest, ScheduleKeyDeletionResponse>
{
    /// <summary>Shortest waiting period.</summary>
    public const int MinWindowInDays = 7;
    /// <summary>Longest (and default) waiting period.</summary>
    public const int MaxWindowInDays = 30;

    /// <inheritdoc />
    public override async Task<ScheduleKeyDeletionResponse> ExecuteAsync(KmsContext context, KmsCall call, ScheduleKeyDeletionRequest request, CancellationToken cancellationToken)
    {
        var window = request.PendingWindowInDays ?? MaxWindowInDays;
        if (window is < MinWindowInDays or > MaxWindowInDays)
            throw new KmsException(KmsErrorCode.Validation,
                $"PendingWindowInDays must be between {MinWindowInDays} and {MaxWindowInDays}, inclusive; it is {window}.");
        var key = await call.KeyAsync(context, request.KeyId, cancellationToken).ConfigureAwait(false);
        call.Touch(key);
        var deletionDate = context.Time.GetUtcNow().AddDays(window);
        var arn = await context.Keys.MutateAsync(key.KeyId, record =>
        {
            ManagementRules.RequireManageable(record, Name);
            record.StateBeforeDeletion = record.KeyState;
            record.KeyState = "PendingDeletion";
            record.DeletionDate = deletionDate;
            record.PendingDeletionWindowInDays = window;
            return record.Arn;
        }, cancellationToken).ConfigureAwait(false);
        return new ScheduleKeyDeletionResponse { KeyId = arn, DeletionDate = deletionDate, KeyState = "PendingDeletion", PendingWindowInDays = window };
    }
}
