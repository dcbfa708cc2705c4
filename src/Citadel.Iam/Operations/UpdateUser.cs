using Citadel.Iam.Identity;

namespace Citadel.Iam.Operations;

/// <summary>UpdateUser request.</summary>
public sealed class UpdateUserRequest : IUserRequest
{
    /// <summary>The user's current name.</summary>
    public required string UserName { get; init; }
    /// <summary>A new path.</summary>
    public string? NewPath { get; init; }
    /// <summary>A new name.</summary>
    public string? NewUserName { get; init; }
}

/// <summary>
/// Renames a user or changes its path. As in IAM, the user keeps its unique id, access keys, inline and attached
/// policies, groups and tags under the new name; its ARN changes with the name and path. Policies that name the
/// old ARN (key policies, trust policies, grants) are not rewritten.
/// </summary>
public sealed class UpdateUser : IamOperation<UpdateUserRequest, NoOutput>
{
    /// <inheritdoc />
    public override async Task<NoOutput> ExecuteAsync(IamDirectory directory, Principal caller, UpdateUserRequest request, CancellationToken cancellationToken)
    {
        await directory.UpdateUserAsync(request.UserName, request.NewUserName, request.NewPath, cancellationToken).ConfigureAwait(false);
        return NoOutput.Instance;
    }
}
