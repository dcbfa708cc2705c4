using Citadel.Kms.Keys;

namespace Citadel.Kms.Operations;

/// <summary>DeleteAlias request.</summary>
public sealed class DeleteAliasRequest
{
    /// <summary>The alias name.</summary>
    public required string AliasName { get; init; }
}

/// <summary>Deletes an alias; the key it points at is unaffected.</summary>
public sealed class DeleteAlias : KmsOperation<DeleteAliasRequest, EmptyResponse>
{
    /// <inheritdoc />
    public override async Task<EmptyResponse> ExecuteAsync(KmsContext context, KmsCall call, DeleteAliasRequest request, CancellationToken cancellationToken)
    {
        ManagementRules.ValidateAliasName(request.AliasName);
        var alias = await call.AliasAsync(context, request.AliasName, cancellationToken).ConfigureAwait(false)
            ?? throw ManagementRules.AliasNotFound(context, request.AliasName);
        var key = await call.FindKeyAsync(context, alias.TargetKeyId, cancellationToken).ConfigureAwait(false);
        if (key is not null) call.Touch(key);
        await context.Keys.DeleteAliasAsync(alias.AliasName, alias.TargetKeyId, cancellationToken).ConfigureAwait(false);
        return EmptyResponse.Instance;
    }
}
