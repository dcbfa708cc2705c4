using Citadel.Kms.Keys;
using Citadel.Kms.Model;

namespace Citadel.Kms.Operations;

/// <summary>TagResource request.</summary>
public sealed class TagResourceRequest : IKeyRequest
{
    /// <summary>Key id or key ARN.</summary>
    public required string KeyId { get; init; }
    /// <summary>Tags to add or overwrite.</summary>
    public required List<Tag> Tags { get; init; }
}

/// <summary>Adds or overwrites tags of a customer managed key (at most 50 tags in all).</summary>
public sealed class TagResource : KmsOperation<TagResourceRequest, EmptyResponse>
{
    /// <inheritdoc />
    public override async Task<EmptyResponse> ExecuteAsync(KmsContext context, KmsCall call, TagResourceRequest request, CancellationToken cancellationToken)
    {
        TagRules.Validate(request.Tags);
        var key = await call.KeyAsync(context, request.KeyId, cancellationToken).ConfigureAwait(false);
        call.Touch(key);
        await context.Keys.MutateAsync(key.KeyId, record =>
        {
            ManagementRules.RequireManageable(record, Name);
            var total = record.Tags.Count + request.Tags.Count(t => !record.Tags.ContainsKey(t.TagKey));
            if (total > TagRules.MaxTags)
                throw new KmsException(KmsErrorCode.LimitExceeded,
                    $"A key can have at most {TagRules.MaxTags} tags; {record.Arn} would have {total}.");
            foreach (var tag in request.Tags) record.Tags[tag.TagKey] = tag.TagValue;
            return true;
        }, cancellationToken).ConfigureAwait(false);
        return EmptyResponse.Instance;
    }
}
