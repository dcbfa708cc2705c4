using Citadel.Kms.Keys;

namespace Citadel.Kms.Operations;

/// <summary>DisableKey request.</summary>
public sealed class DisableKeyRequest : IKeyRequest
{
    /// <summary>Key id or key ARN.</summary>
    public required string KeyId { get; init; }
}

/// <summary>Sets a key's state to Disabled, so cryptographic operations refuse it until it is enabled again.</summary>
public sealed class DisableKey : KmsOperation<DisableKeyRequest, EmptyResponse>
{
    /// <inheritdoc />
    public override async Task<EmptyResponse> ExecuteAsync(KmsContext context, KmsCall call, DisableKeyRequest request, CancellationToken cancellationToken)
    {
        var key = await call.KeyAsync(context, request.KeyId, cancellationToken).ConfigureAwait(false);
        call.Touch(key);
        await context.Keys.MutateAsync(key.KeyId, record =>
        {
            ManagementRules.RequireManageable(record, Name);
            ManagementRules.RequireNotPendingImport(record);
            record.KeyState = "Disabled";
            return true;
        }, cancellationToken).ConfigureAwait(false);
        return EmptyResponse.Instance;
    }
}
