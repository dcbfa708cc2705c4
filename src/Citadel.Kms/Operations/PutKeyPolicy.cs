using Citadel.Kms.Keys;

namespace Citadel.Kms.Operations;

/// <summary>PutKeyPolicy request.</summary>
public sealed class PutKeyPolicyRequest : IKeyRequest
{
    /// <summary>Key id or key ARN.</summary>
    public required string KeyId { get; init; }
    /// <summary>Only "default" (the default when absent).</summary>
    public string? PolicyName { get; init; }
    /// <summary>The key policy document.</summary>
    public required string Policy { get; init; }
    /// <summary>Skips the lockout check.</summary>
    public bool? BypassPolicyLockoutSafetyCheck { get; init; }
}

/// <summary>Replaces the key policy of a customer managed key.</summary>
public sealed class PutKeyPolicy : KmsOperation<PutKeyPolicyRequest, EmptyResponse>
{
    /// <inheritdoc />
    public override async Task<EmptyResponse> ExecuteAsync(KmsContext context, KmsCall call, PutKeyPolicyRequest request, CancellationToken cancellationToken)
    {
        var key = await call.KeyAsync(context, request.KeyId, cancellationToken).ConfigureAwait(false);
        call.Touch(key);
        ManagementRules.RequirePolicyName(request.PolicyName);
        KeyPolicies.Validate(request.Policy);
        await context.Keys.MutateAsync(key.KeyId, record =>
        {
            KeyGuards.RequireCustomerManaged(record, Name);
            record.Policy = request.Policy;
            return true;
        }, cancellationToken).ConfigureAwait(false);
        return EmptyResponse.Instance;
    }
}
