using Citadel.Kms.Keys;

namespace Citadel.Kms.Operations;

/// <summary>UpdateKeyDescription request.</summary>
public sealed class UpdateKeyDescriptionRequest : IKeyRequest
{
    /// <summary>Key id or key ARN.</summary>
    public required string KeyId { get; init; }
    /// <summary>The new description (may be empty).</summary>
    public required string Description { get; init; }
}

/// <summary>Replaces a key's description.</summary>
public sealed class UpdateKeyDescription : KmsOperation<UpdateKeyDescriptionRequest, EmptyResponse>
{
    /// <inheritdoc />
    public override async Task<EmptyResponse> ExecuteAsync(KmsContext context, KmsCall call, UpdateKeyDescriptionRequest request, CancellationToken cancellationToken)
    {
        var key = await call.KeyAsync(context, request.KeyId, cancellationToken).ConfigureAwait(false);
        call.Touch(key);
        await context.Keys.MutateAsync(key.KeyId, record =>
        {
            ManagementRules.RequireManageable(record, Name);
            record.Description = request.Description;
            return true;
        }, cancellationToken).ConfigureAwait(false);
        return EmptyResponse.Instance;
    }
}
