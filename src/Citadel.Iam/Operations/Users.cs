using Citadel.Iam.Identity;

namespace Citadel.Iam.Operations;

/// <summary>CreateUser request.</summary>
public sealed class CreateUserRequest : IUserRequest, IPathRequest
{
    /// <summary>Path, default "/".</summary>
    public string? Path { get; init; }
    /// <summary>Name.</summary>
    public required string UserName { get; init; }
    /// <summary>Permissions boundary (not supported yet).</summary>
    public string? PermissionsBoundary { get; init; }
    /// <summary>Tags.</summary>
    public List<TagView>? Tags { get; init; }
}

/// <summary>CreateUser/GetUser response.</summary>
public sealed class UserResponse
{
    /// <summary>The user.</summary>
    public required UserView User { get; init; }
}

/// <summary>Creates a user with no permissions.</summary>
public sealed class CreateUser : IamOperation<CreateUserRequest, UserResponse>
{
    /// <inheritdoc />
    public override async Task<UserResponse> ExecuteAsync(IamDirectory directory, Principal caller, CreateUserRequest request, CancellationToken cancellationToken)
    {
        if (request.PermissionsBoundary is not null)
            throw new IamException(IamErrorCode.InvalidInputException, "Permissions boundaries are not supported by Citadel yet.");
        if (request.Tags is { Count: > 50 }) throw new IamException(IamErrorCode.LimitExceededException, "A user can have at most 50 tags.");
        TagRules.RefuseDuplicates(request.Tags);
        var tags = (request.Tags ?? []).ToDictionary(t => t.Key, t => t.Value, StringComparer.Ordinal);
        var user = await directory.CreateUserAsync(request.UserName, request.Path ?? "/", tags, cancellationToken).ConfigureAwait(false);
        return new UserResponse { User = UserView.Of(user) };
    }
}

/// <summary>GetUser request.</summary>
public sealed class GetUserRequest : IUserRequest
{
    /// <summary>Name; the caller when absent.</summary>
    public string? UserName { get; init; }
}

/// <summary>Returns a user (the caller's own user when no name is given).</summary>
public sealed class GetUser : IamOperation<GetUserRequest, UserResponse>
{
    /// <inheritdoc />
    public override bool ReadOnly => true;

    /// <inheritdoc />
    public override async Task<UserResponse> ExecuteAsync(IamDirectory directory, Principal caller, GetUserRequest request, CancellationToken cancellationToken)
    {
        var name = request.UserName ?? caller.UserName;
        if (name is null)
        {
            // The account root has no IAM user; AWS answers with the root's identity.
            return new UserResponse { User = new UserView { Path = "/", UserName = "root", UserId = caller.AccountId, Arn = caller.Arn, CreateDate = DateTimeOffset.UnixEpoch } };
        }
        return new UserResponse { User = UserView.Of(await directory.GetUserAsync(name, cancellationToken).ConfigureAwait(false)) };
    }
}

/// <summary>ListUsers request.</summary>
public sealed class ListUsersRequest
{
    /// <summary>Only users under this path.</summary>
    public string? PathPrefix { get; init; }
    /// <summary>Continuation.</summary>
    public string? Marker { get; init; }
    /// <summary>Page size (default 100).</summary>
    public int? MaxItems { get; init; }
}

/// <summary>ListUsers response.</summary>
public sealed class ListUsersResponse
{
    /// <summary>Users.</summary>
    public required List<UserView> Users { get; init; }
    /// <summary>More pages follow.</summary>
    public bool IsTruncated { get; init; }
    /// <summary>Continuation.</summary>
    public string? Marker { get; init; }
}

/// <summary>Lists users in name order.</summary>
public sealed class ListUsers : IamOperation<ListUsersRequest, ListUsersResponse>
{
    /// <inheritdoc />
    public override bool ReadOnly => true;

    /// <inheritdoc />
    public override async Task<ListUsersResponse> ExecuteAsync(IamDirectory directory, Principal caller, ListUsersRequest request, CancellationToken cancellationToken)
    {
        var limit = request.MaxItems ?? 100;
        var prefix = request.PathPrefix ?? "/";
        var result = new List<IamUserRecord>();
        var after = request.Marker;
        var more = false;
        while (true)
        {
            var page = await directory.ListUsersAsync(after, 500, cancellationToken).ConfigureAwait(false);
            foreach (var user in page.Where(u => u.Path.StartsWith(prefix, StringComparison.Ordinal)))
            {
                if (result.Count == limit) { more = true; break; }
                result.Add(user);
            }
            if (more || page.Count < 500) break;
            after = page[^1].UserName.ToLowerInvariant();
        }
        return new ListUsersResponse
        {
            // As in AWS, ListUsers does not return tags (GetUser does).
            Users = result.Select(u => UserView.Of(u) with { Tags = null }).ToList(),
            IsTruncated = more,
            Marker = more ? result[^1].UserName.ToLowerInvariant() : null,
        };
    }
}

/// <summary>DeleteUser request.</summary>
public sealed class DeleteUserRequest : IUserRequest
{
    /// <summary>Name.</summary>
    public required string UserName { get; init; }
}

/// <summary>Deletes a user that has no access keys left.</summary>
public sealed class DeleteUser : IamOperation<DeleteUserRequest, NoOutput>
{
    /// <inheritdoc />
    public override async Task<NoOutput> ExecuteAsync(IamDirectory directory, Principal caller, DeleteUserRequest request, CancellationToken cancellationToken)
    {
        await directory.DeleteUserAsync(request.UserName, cancellationToken).ConfigureAwait(false);
        return NoOutput.Instance;
    }
}
