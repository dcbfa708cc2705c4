using Citadel.Kms.Keys;
using Citadel.Kms.Model;

namespace Citadel.Kms.Operations;

/// <summary>UpdateAlias request.</summary>
public sealed class UpdateAliasRequest
{
    /// <summary>An existing alias name.</summary>
    public required string AliasName { get; init; }
    /// <summary>Key id or key ARN of the new target.</summary>
    public required string TargetKeyId { get; init; }
}

/// <summary>
/// Points an existing alias at another key. The new key must be of the same type (symmetric,
/// asymmetric or HMAC) and usage as the current one, so code using the alias keeps working.
/// </summary>
public sealed class UpdateAlias : KmsOperation<UpdateAliasRequest, EmptyResponse>
{
    /// <inheritdoc />
    public override async Task<EmptyResponse> ExecuteAsync(KmsContext context, KmsCall call, UpdateAliasRequest request, CancellationToken cancellationToken)
    {
        ManagementRules.ValidateAliasName(request.AliasName);
        var alias = await call.AliasAsync(context, request.AliasName, cancellationToken).ConfigureAwait(false)
            ?? throw ManagementRules.AliasNotFound(context, request.AliasName);
        var target = await ManagementRules.ResolveAliasTargetAsync(context, call, request.TargetKeyId, cancellationToken).ConfigureAwait(false);
        call.Touch(target);
        ManagementRules.RequireManageable(target, Name);
        var current = await call.FindKeyAsync(context, alias.TargetKeyId, cancellationToken).ConfigureAwait(false);
        if (current is not null)
        {
            call.Touch(current);
            if (ManagementRules.KeyClass(current.KeySpec) != ManagementRules.KeyClass(target.KeySpec) || current.KeyUsage != target.KeyUsage)
                throw new KmsException(KmsErrorCode.Validation,
                    $"{request.AliasName} refers to a key of spec {current.KeySpec} and usage {current.KeyUsage}; it cannot be associated with {target.Arn} " +
                    $"of spec {target.KeySpec} and usage {target.KeyUsage}. The new key must be of the same type and key usage as the current one.");
        }
        var updated = new AliasRecord
        {
            AliasName = alias.AliasName,
            TargetKeyId = target.KeyId,
            CreationDate = alias.CreationDate,
            LastUpdatedDate = context.Time.GetUtcNow(),
        };
        if (!await context.Keys.ReplaceAliasAsync(updated, alias.TargetKeyId, cancellationToken).ConfigureAwait(false))
            throw ManagementRules.AliasNotFound(context, request.AliasName);
        return EmptyResponse.Instance;
    }
}
