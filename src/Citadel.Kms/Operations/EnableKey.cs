using Citadel.Kms.Keys;

namespace Citadel.Kms.Operations;

/// <summary>EnableKey request.</summary>
public sealed class EnableKeyRequest : IKeyRequest
{
    /// <summary>Key id or key ARN.</summary>
    public required string KeyId { get; init; }
}

/// <summary>Sets a key's state to Enabled; keys pending deletion or import are refused.</summary>
public sealed class EnableKey : KmsOperation<EnableKeyRequest, EmptyResponse>
{
    /// <inheritdoc />
    public override async Task<EmptyResponse> ExecuteAsync(KmsContext context, KmsCall call, EnableKeyRequest request, CancellationToken cancellationToken)
    {
        var key = await call.KeyAsync(context, request.KeyId, cancellationToken).ConfigureAwait(false);
        call.Touch(key);
        await context.Keys.MutateAsync(key.KeyId, record =>
        {
            ManagementRules.RequireManageable(record, Name);
            ManagementRules.RequireNotPendingImport(record);
            record.KeyState = "Enabled";
            return true;
        }, cancellationToken).ConfigureAwait(false);
        return EmptyResponse.Instance;
    }
}
