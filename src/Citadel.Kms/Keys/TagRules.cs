using Citadel.Kms.Model;

namespace Citadel.Kms.Keys;

/// <summary>Tag rules of KMS: at most 50 tags, no reserved <c>aws:</c> prefix, no duplicate keys in one request.</summary>
public static class TagRules
{
    /// <summary>The most tags a key can have.</summary>
    public const int MaxTags = 50;

    /// <summary>Validates tags of a request; throws TagException.</summary>
    public static void Validate(IReadOnlyList<Tag>? tags)
    {
        if (tags is null) return;
        foreach (var tag in tags)
        {
            if (tag.TagKey.StartsWith("aws:", StringComparison.OrdinalIgnoreCase))
                throw new KmsException(KmsErrorCode.Tag, "Tags beginning with aws: are reserved.");
        }
        if (tags.Select(t => t.TagKey).Distinct(StringComparer.Ordinal).Count() != tags.Count)
            throw new KmsException(KmsErrorCode.Tag, "Duplicate tag keys.");
        if (tags.Count > MaxTags)
            throw new KmsException(KmsErrorCode.LimitExceeded, $"A key can have at most {MaxTags} tags.");
    }
}
