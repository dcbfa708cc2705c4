using Citadel.Iam.Identity;

namespace Citadel.Iam.Operations;

/// <summary>Tag rules of IAM: at most 50 per user or role, no reserved <c>aws:</c> prefix.</summary>
internal static class TagRules
{
    public const int MaxTags = 50;

    public static void Apply(SortedDictionary<string, string> tags, IEnumerable<TagView> add)
    {
        foreach (var tag in add)
        {
            if (tag.Key.StartsWith("aws:", StringComparison.OrdinalIgnoreCase))
                throw new IamException(IamErrorCode.InvalidInputException, "User and role tag keys cannot start with the reserved prefix aws:.");
            tags[tag.Key] = tag.Value;
        }
        if (tags.Count > MaxTags) throw new IamException(IamErrorCode.LimitExceededException, $"Cannot exceed quota for TagsPerEntity: {MaxTags}");
    }

    /// <summary>
    /// Refuses a tag list that names a key twice (keys compare without case, as IAM's do), which would otherwise make
    /// building the new entity's tag map throw.
    /// </summary>
    public static void RefuseDuplicates(IEnumerable<TagView>? tags)
    {
        if (tags is not null && tags.GroupBy(t => t.Key, StringComparer.OrdinalIgnoreCase).Any(g => g.Skip(1).Any()))
            throw new IamException(IamErrorCode.InvalidInputException, "Duplicate tag keys found. Please note that Tag keys are case insensitive.");
    }

    public static List<TagView> View(SortedDictionary<string, string> tags) => tags.Select(t => new TagView { Key = t.Key, Value = t.Value }).ToList();
}

/// <summary>TagUser request.</summary>
public sealed class TagUserRequest : IUserRequest
{
    /// <summary>User.</summary>
    public required string UserName { get; init; }
    /// <summary>Tags to add or replace.</summary>
    public required List<TagView> Tags { get; init; }
}

/// <summary>Adds or replaces tags of a user (they become aws:PrincipalTag/* in the user's requests).</summary>
public sealed class TagUser : IamOperation<TagUserRequest, NoOutput>
{
    /// <inheritdoc />
    public override async Task<NoOutput> ExecuteAsync(IamDirectory directory, Principal caller, TagUserRequest request, CancellationToken cancellationToken)
    {
        await directory.MutateUserAsync(request.UserName, user =>
        {
            TagRules.Apply(user.Tags, request.Tags);
            return true;
        }, cancellationToken).ConfigureAwait(false);
        return NoOutput.Instance;
    }
}

/// <summary>UntagUser request.</summary>
public sealed class UntagUserRequest : IUserRequest
{
    /// <summary>User.</summary>
    public required string UserName { get; init; }
    /// <summary>Keys to remove.</summary>
    public required List<string> TagKeys { get; init; }
}

/// <summary>Removes tags of a user.</summary>
public sealed class UntagUser : IamOperation<UntagUserRequest, NoOutput>
{
    /// <inheritdoc />
    public override async Task<NoOutput> ExecuteAsync(IamDirectory directory, Principal caller, UntagUserRequest request, CancellationToken cancellationToken)
    {
        await directory.MutateUserAsync(request.UserName, user => request.TagKeys.Count(user.Tags.Remove), cancellationToken).ConfigureAwait(false);
        return NoOutput.Instance;
    }
}

/// <summary>ListUserTags / ListRoleTags response.</summary>
public sealed class TagsResponse
{
    /// <summary>Tags.</summary>
    public required List<TagView> Tags { get; init; }
    /// <summary>Always false (at most 50).</summary>
    public bool IsTruncated { get; init; }
}

/// <summary>ListUserTags request.</summary>
public sealed class ListUserTagsRequest : IUserRequest
{
    /// <summary>User.</summary>
    public required string UserName { get; init; }
    /// <summary>Continuation (one page).</summary>
    public string? Marker { get; init; }
    /// <summary>Page size.</summary>
    public int? MaxItems { get; init; }
}

/// <summary>Lists a user's tags.</summary>
public sealed class ListUserTags : IamOperation<ListUserTagsRequest, TagsResponse>
{
    /// <inheritdoc />
    public override bool ReadOnly => true;

    /// <inheritdoc />
    public override async Task<TagsResponse> ExecuteAsync(IamDirectory directory, Principal caller, ListUserTagsRequest request, CancellationToken cancellationToken)
        => new() { Tags = TagRules.View((await directory.GetUserAsync(request.UserName, cancellationToken).ConfigureAwait(false)).Tags) };
}

/// <summary>TagRole request.</summary>
public sealed class TagRoleRequest : IRoleRequest
{
    /// <summary>Role.</summary>
    public required string RoleName { get; init; }
    /// <summary>Tags to add or replace.</summary>
    public required List<TagView> Tags { get; init; }
}

/// <summary>Adds or replaces tags of a role.</summary>
public sealed class TagRole : IamOperation<TagRoleRequest, NoOutput>
{
    /// <inheritdoc />
    public override async Task<NoOutput> ExecuteAsync(IamDirectory directory, Principal caller, TagRoleRequest request, CancellationToken cancellationToken)
    {
        await directory.MutateRoleAsync(request.RoleName, role =>
        {
            TagRules.Apply(role.Tags, request.Tags);
            return role;
        }, cancellationToken).ConfigureAwait(false);
        return NoOutput.Instance;
    }
}

/// <summary>UntagRole request.</summary>
public sealed class UntagRoleRequest : IRoleRequest
{
    /// <summary>Role.</summary>
    public required string RoleName { get; init; }
    /// <summary>Keys to remove.</summary>
    public required List<string> TagKeys { get; init; }
}

/// <summary>Removes tags of a role.</summary>
public sealed class UntagRole : IamOperation<UntagRoleRequest, NoOutput>
{
    /// <inheritdoc />
    public override async Task<NoOutput> ExecuteAsync(IamDirectory directory, Principal caller, UntagRoleRequest request, CancellationToken cancellationToken)
    {
        await directory.MutateRoleAsync(request.RoleName, role =>
        {
            foreach (var key in request.TagKeys) role.Tags.Remove(key);
            return role;
        }, cancellationToken).ConfigureAwait(false);
        return NoOutput.Instance;
    }
}

/// <summary>ListRoleTags request.</summary>
public sealed class ListRoleTagsRequest : IRoleRequest
{
    /// <summary>Role.</summary>
    public required string RoleName { get; init; }
    /// <summary>Continuation (one page).</summary>
    public string? Marker { get; init; }
    /// <summary>Page size.</summary>
    public int? MaxItems { get; init; }
}

/// <summary>Lists a role's tags.</summary>
public sealed class ListRoleTags : IamOperation<ListRoleTagsRequest, TagsResponse>
{
    /// <inheritdoc />
    public override bool ReadOnly => true;

    /// <inheritdoc />
    public override async Task<TagsResponse> ExecuteAsync(IamDirectory directory, Principal caller, ListRoleTagsRequest request, CancellationToken cancellationToken)
        => new() { Tags = TagRules.View((await directory.GetRoleAsync(request.RoleName, cancellationToken).ConfigureAwait(false)).Tags) };
}
