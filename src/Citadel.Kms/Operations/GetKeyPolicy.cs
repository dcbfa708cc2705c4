using Citadel.Kms.Keys;

namespace Citadel.Kms.Operations;

/// <summary>GetKeyPolicy request.</summary>
public sealed class GetKeyPolicyRequest : IKeyRequest
{
    /// <summary>Key id or key ARN.</summary>
    public required string KeyId { get; init; }
    /// <summary>Only "default" exists (the default when absent).</summary>
    public string? PolicyName { get; init; }
}

/// <summary>GetKeyPolicy response.</summary>
public sealed class GetKeyPolicyResponse
{
    /// <summary>The key policy document.</summary>
    public required string Policy { get; init; }
    /// <summary>"default".</summary>
    public required string PolicyName { get; init; }
}

/// <summary>Returns a key's key policy.</summary>
public sealed class GetKeyPolicy : KmsOperation<GetKeyPolicyRequest, GetKeyPolicyResponse>
{
    /// <inheritdoc />
    public override bool ReadOnly => true;

    /// <inheritdoc />
    public override async Task<GetKeyPolicyResponse> ExecuteAsync(KmsContext context, KmsCall call, GetKeyPolicyRequest request, CancellationToken cancellationToken)
    {
        var key = await call.KeyAsync(context, request.KeyId, cancellationToken).ConfigureAwait(false);
        call.Touch(key);
        ManagementRules.RequirePolicyName(request.PolicyName);
        return new GetKeyPolicyResponse { Policy = key.Policy, PolicyName = KeyPolicies.DefaultName };
    }
}
