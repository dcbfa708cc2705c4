using Citadel.Kms.Grants;
using Citadel.Kms.Keys;

namespace Citadel.Kms.Operations;

/// <summary>RetireGrant request.</summary>
public sealed class RetireGrantRequest : IKeyRequest, IDryRunRequest
{
    /// <summary>A token of the grant (or give KeyId and GrantId).</summary>
    public string? GrantToken { get; init; }
    /// <summary>Key id or key ARN.</summary>
    public string? KeyId { get; init; }
    /// <summary>The grant id.</summary>
    public string? GrantId { get; init; }
    /// <summary>Checks permission only.</summary>
    public bool? DryRun { get; init; }
}

/// <summary>
/// Deletes a grant its user is done with, named by a grant token or by key and grant id. Who may retire is decided by
/// the grant (see <see cref="GrantAuthority.ForRetirement"/>) and by the server's authorizer; it takes effect at once.
/// </summary>
public sealed class RetireGrant : KmsOperation<RetireGrantRequest, EmptyResponse>
{
    /// <inheritdoc />
    public override async Task<EmptyResponse> ExecuteAsync(KmsContext context, KmsCall call, RetireGrantRequest request, CancellationToken cancellationToken)
    {
        var (keyId, grantId) = await IdentifyAsync(context, request, cancellationToken).ConfigureAwait(false);
        var key = await call.KeyAsync(context, keyId, cancellationToken).ConfigureAwait(false);
        call.Touch(key);
        await context.Grants.GetAsync(key, grantId, cancellationToken).ConfigureAwait(false);
        DryRuns.Check(request.DryRun);
        if (!await context.Grants.DeleteAsync(key.KeyId, grantId, cancellationToken).ConfigureAwait(false))
            throw new KmsException(KmsErrorCode.NotFound, $"Grant ID {grantId} not found for {key.Arn}.");
        return EmptyResponse.Instance;
    }

    /// <summary>
    /// The key identifier and grant id a RetireGrant request names: from its token, or from KeyId and GrantId (which,
    /// when given beside a token, must name the same grant). ValidationException when it names none.
    /// </summary>
    public static async Task<(string KeyId, string GrantId)> IdentifyAsync(KmsContext context, RetireGrantRequest request, CancellationToken cancellationToken)
    {
        if (request.GrantToken is { } token)
        {
            var (keyId, grantId) = GrantTokens.Open(context.Root.Current, token);
            if (request.GrantId is not null && request.GrantId != grantId)
                throw new KmsException(KmsErrorCode.Validation, "The GrantId does not identify the grant of the GrantToken.");
            if (request.KeyId is not null && await context.Resolver.ResolveKeyIdAsync(request.KeyId, cancellationToken).ConfigureAwait(false) != keyId)
                throw new KmsException(KmsErrorCode.Validation, "The KeyId does not identify the key of the GrantToken.");
            return (keyId, grantId);
        }
        if (request.KeyId is null || request.GrantId is null)
            throw new KmsException(KmsErrorCode.Validation, "Either GrantToken, or both KeyId and GrantId, must be specified.");
        GrantOperations.RequireGrantId(request.GrantId);
        return (request.KeyId, request.GrantId);
    }
}
