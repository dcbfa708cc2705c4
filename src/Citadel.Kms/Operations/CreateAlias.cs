using Citadel.Kms.Keys;
using Citadel.Kms.Model;

namespace Citadel.Kms.Operations;

/// <summary>CreateAlias request.</summary>
public sealed class CreateAliasRequest
{
    /// <summary>alias/..., not in the reserved alias/aws/ namespace.</summary>
    public required string AliasName { get; init; }
    /// <summary>Key id or key ARN (not an alias).</summary>
    public required string TargetKeyId { get; init; }
}

/// <summary>Creates an alias for a customer managed key.</summary>
public sealed class CreateAlias : KmsOperation<CreateAliasRequest, EmptyResponse>
{
    /// <inheritdoc />
    public override async Task<EmptyResponse> ExecuteAsync(KmsContext context, KmsCall call, CreateAliasRequest request, CancellationToken cancellationToken)
    {
        ManagementRules.ValidateAliasName(request.AliasName);
        var key = await ManagementRules.ResolveAliasTargetAsync(context, call, request.TargetKeyId, cancellationToken).ConfigureAwait(false);
        call.Touch(key);
        ManagementRules.RequireManageable(key, Name);
        if (await context.Keys.FindAliasAsync(request.AliasName, cancellationToken).ConfigureAwait(false) is not null)
            throw new KmsException(KmsErrorCode.AlreadyExists, $"An alias with the name {context.Settings.AliasArn(request.AliasName)} already exists");
        var now = context.Time.GetUtcNow();
        var alias = new AliasRecord { AliasName = request.AliasName, TargetKeyId = key.KeyId, CreationDate = now, LastUpdatedDate = now };
        // A concurrent create of the same name fails in the store and surfaces as AlreadyExistsException.
        await context.Keys.CreateAliasAsync(alias, cancellationToken).ConfigureAwait(false);
        return EmptyResponse.Instance;
    }
}
