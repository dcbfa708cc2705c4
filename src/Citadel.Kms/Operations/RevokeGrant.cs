using Citadel.Kms.Grants;
using Citadel.Kms.Keys;

namespace Citadel.Kms.Operations;

/// <summary>RevokeGrant request.</summary>
public sealed class RevokeGrantRequest : IKeyRequest, IDryRunRequest
{
    /// <summary>Key id or key ARN.</summary>
    public required string KeyId { get; init; }
    /// <summary>The grant id.</summary>
    public required string GrantId { get; init; }
    /// <summary>Checks permission only.</summary>
    public bool? DryRun { get; init; }
}

/// <summary>
/// Deletes a grant to take its permissions away; authorized like any key operation (kms:RevokeGrant in the key
/// policy, or IAM policies where it delegates), in any key state. It takes effect at once.
/// </summary>
public sealed class RevokeGrant : KmsOperation<RevokeGrantRequest, EmptyResponse>
{
    /// <inheritdoc />
    public override async Task<EmptyResponse> ExecuteAsync(KmsContext context, KmsCall call, RevokeGrantRequest request, CancellationToken cancellationToken)
    {
        GrantOperations.RequireGrantId(request.GrantId);
        var key = await call.KeyAsync(context, request.KeyId, cancellationToken).ConfigureAwait(false);
        call.Touch(key);
        await context.Grants.GetAsync(key, request.GrantId, cancellationToken).ConfigureAwait(false);
        DryRuns.Check(request.DryRun);
        if (!await context.Grants.DeleteAsync(key.KeyId, request.GrantId, cancellationToken).ConfigureAwait(false))
            throw new KmsException(KmsErrorCode.NotFound, $"Grant ID {request.GrantId} not found for {key.Arn}.");
        return EmptyResponse.Instance;
    }
}
