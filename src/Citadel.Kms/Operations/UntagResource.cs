using Citadel.Kms.Keys;

namespace Citadel.Kms.Operations;

/// <summary>UntagResource request.</summary>
public sealed class UntagResourceRequest : IKeyRequest
{
    /// <summary>Key id or key ARN.</summary>
    public required string KeyId { get; init; }
    /// <summary>Tag keys to remove; keys the key does not have are ignored.</summary>
    public required List<string> TagKeys { get; init; }
}

/// <summary>Removes tags from a customer managed key.</summary>
public sealed class UntagResource : KmsOperation<UntagResourceRequest, EmptyResponse>
{
    /// <inheritdoc />
    public override async Task<EmptyResponse> ExecuteAsync(KmsContext context, KmsCall call, UntagResourceRequest request, CancellationToken cancellationToken)
    {
        if (request.TagKeys.Any(k => k.StartsWith("aws:", StringComparison.OrdinalIgnoreCase)))
            throw new KmsException(KmsErrorCode.Tag, "Tags beginning with aws: are reserved.");
        var key = await call.KeyAsync(context, request.KeyId, cancellationToken).ConfigureAwait(false);
        call.Touch(key);
        await context.Keys.MutateAsync(key.KeyId, record =>
        {
            ManagementRules.RequireManageable(record, Name);
            foreach (var tagKey in request.TagKeys) record.Tags.Remove(tagKey);
            return true;
        }, cancellationToken).ConfigureAwait(false);
        return EmptyResponse.Instance;
    }
}
