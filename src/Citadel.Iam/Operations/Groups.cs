using Citadel.Iam.Identity;

namespace Citadel.Iam.Operations;

/// <summary>The Group structure of the IAM API.</summary>
public sealed class GroupView
{
    /// <summary>Path.</summary>
    public required string Path { get; init; }
    /// <summary>Name.</summary>
    public required string GroupName { get; init; }
    /// <summary>Id.</summary>
    public required string GroupId { get; init; }
    /// <summary>ARN.</summary>
    public required string Arn { get; init; }
    /// <summary>Created.</summary>
    public required DateTimeOffset CreateDate { get; init; }

    /// <summary>The view of a stored group.</summary>
    public static GroupView Of(IamGroupRecord g) => new() { Path = g.Path, GroupName = g.GroupName, GroupId = g.GroupId, Arn = g.Arn, CreateDate = g.CreateDate };
}

/// <summary>CreateGroup request.</summary>
public sealed class CreateGroupRequest : IGroupRequest, IPathRequest
{
    /// <summary>Path.</summary>
    public string? Path { get; init; }
    /// <summary>Name.</summary>
    public required string GroupName { get; init; }
}

/// <summary>CreateGroup response.</summary>
public sealed class CreateGroupResponse
{
    /// <summary>The group.</summary>
    public required GroupView Group { get; init; }
}

/// <summary>Creates a group.</summary>
public sealed class CreateGroup : IamOperation<CreateGroupRequest, CreateGroupResponse>
{
    /// <inheritdoc />
    public override async Task<CreateGroupResponse> ExecuteAsync(IamDirectory directory, Principal caller, CreateGroupRequest request, CancellationToken cancellationToken)
        => new() { Group = GroupView.Of(await directory.CreateGroupAsync(request.GroupName, request.Path ?? "/", cancellationToken).ConfigureAwait(false)) };
}

/// <summary>GetGroup request.</summary>
public sealed class GetGroupRequest : IGroupRequest
{
    /// <summary>Name.</summary>
    public required string GroupName { get; init; }
    /// <summary>Continuation (one page).</summary>
    public string? Marker { get; init; }
    /// <summary>Page size.</summary>
    public int? MaxItems { get; init; }
}

/// <summary>GetGroup response.</summary>
public sealed class GetGroupResponse
{
    /// <summary>The group.</summary>
    public required GroupView Group { get; init; }
    /// <summary>Its members.</summary>
    public required List<UserView> Users { get; init; }
    /// <summary>Always false.</summary>
    public bool IsTruncated { get; init; }
}

/// <summary>Returns a group and its members.</summary>
public sealed class GetGroup : IamOperation<GetGroupRequest, GetGroupResponse>
{
    /// <inheritdoc />
    public override bool ReadOnly => true;

    /// <inheritdoc />
    public override async Task<GetGroupResponse> ExecuteAsync(IamDirectory directory, Principal caller, GetGroupRequest request, CancellationToken cancellationToken)
    {
        var group = await directory.GetGroupAsync(request.GroupName, cancellationToken).ConfigureAwait(false);
        var users = (await directory.ListUsersAsync(null, 10_000, cancellationToken).ConfigureAwait(false))
            .Where(u => u.Groups.Contains(group.GroupName, StringComparer.OrdinalIgnoreCase));
        return new GetGroupResponse { Group = GroupView.Of(group), Users = users.Select(u => UserView.Of(u) with { Tags = null }).ToList() };
    }
}

/// <summary>ListGroups request.</summary>
public sealed class ListGroupsRequest
{
    /// <summary>Path prefix.</summary>
    public string? PathPrefix { get; init; }
    /// <summary>Continuation (one page).</summary>
    public string? Marker { get; init; }
    /// <summary>Page size.</summary>
    public int? MaxItems { get; init; }
}

/// <summary>ListGroups / ListGroupsForUser response.</summary>
public sealed class GroupsResponse
{
    /// <summary>Groups.</summary>
    public required List<GroupView> Groups { get; init; }
    /// <summary>Always false.</summary>
    public bool IsTruncated { get; init; }
}

/// <summary>Lists groups.</summary>
public sealed class ListGroups : IamOperation<ListGroupsRequest, GroupsResponse>
{
    /// <inheritdoc />
    public override bool ReadOnly => true;

    /// <inheritdoc />
    public override async Task<GroupsResponse> ExecuteAsync(IamDirectory directory, Principal caller, ListGroupsRequest request, CancellationToken cancellationToken)
        => new()
        {
            Groups = (await directory.ListGroupsAsync(cancellationToken).ConfigureAwait(false))
                .Where(g => g.Path.StartsWith(request.PathPrefix ?? "/", StringComparison.Ordinal)).Select(GroupView.Of).ToList(),
        };
}

/// <summary>DeleteGroup request.</summary>
public sealed class DeleteGroupRequest : IGroupRequest
{
    /// <summary>Name.</summary>
    public required string GroupName { get; init; }
}

/// <summary>Deletes a group with no members and no policies.</summary>
public sealed class DeleteGroup : IamOperation<DeleteGroupRequest, NoOutput>
{
    /// <inheritdoc />
    public override async Task<NoOutput> ExecuteAsync(IamDirectory directory, Principal caller, DeleteGroupRequest request, CancellationToken cancellationToken)
    {
        await directory.MutateGroupAsync(request.GroupName, group => group.InlinePolicies.Count > 0 || group.AttachedPolicies.Count > 0
            ? throw new IamException(IamErrorCode.DeleteConflictException, "Cannot delete entity, must delete policies first.")
            : null, cancellationToken).ConfigureAwait(false);
        return NoOutput.Instance;
    }
}

/// <summary>AddUserToGroup / RemoveUserFromGroup request.</summary>
public sealed class AddUserToGroupRequest : IUserRequest, IGroupRequest
{
    /// <summary>Group.</summary>
    public required string GroupName { get; init; }
    /// <summary>User.</summary>
    public required string UserName { get; init; }
}

/// <summary>Adds a user to a group: the group's policies then apply to the user.</summary>
public sealed class AddUserToGroup : IamOperation<AddUserToGroupRequest, NoOutput>
{
    /// <inheritdoc />
    public override async Task<NoOutput> ExecuteAsync(IamDirectory directory, Principal caller, AddUserToGroupRequest request, CancellationToken cancellationToken)
    {
        var group = await directory.GetGroupAsync(request.GroupName, cancellationToken).ConfigureAwait(false);
        await directory.MutateUserAsync(request.UserName, user =>
        {
            if (!user.Groups.Contains(group.GroupName, StringComparer.OrdinalIgnoreCase)) user.Groups.Add(group.GroupName);
            return true;
        }, cancellationToken).ConfigureAwait(false);
        return NoOutput.Instance;
    }
}

/// <summary>RemoveUserFromGroup request.</summary>
public sealed class RemoveUserFromGroupRequest : IUserRequest, IGroupRequest
{
    /// <summary>Group.</summary>
    public required string GroupName { get; init; }
    /// <summary>User.</summary>
    public required string UserName { get; init; }
}

/// <summary>Removes a user from a group.</summary>
public sealed class RemoveUserFromGroup : IamOperation<RemoveUserFromGroupRequest, NoOutput>
{
    /// <inheritdoc />
    public override async Task<NoOutput> ExecuteAsync(IamDirectory directory, Principal caller, RemoveUserFromGroupRequest request, CancellationToken cancellationToken)
    {
        await directory.GetGroupAsync(request.GroupName, cancellationToken).ConfigureAwait(false);
        await directory.MutateUserAsync(request.UserName, user => user.Groups.RemoveAll(g => string.Equals(g, request.GroupName, StringComparison.OrdinalIgnoreCase)) > 0
            ? true
            : throw new IamException(IamErrorCode.NoSuchEntityException, $"User {request.UserName} is not in group {request.GroupName}."), cancellationToken).ConfigureAwait(false);
        return NoOutput.Instance;
    }
}

/// <summary>ListGroupsForUser request.</summary>
public sealed class ListGroupsForUserRequest : IUserRequest
{
    /// <summary>User.</summary>
    public required string UserName { get; init; }
    /// <summary>Continuation (one page).</summary>
    public string? Marker { get; init; }
    /// <summary>Page size.</summary>
    public int? MaxItems { get; init; }
}

/// <summary>Lists the groups a user belongs to.</summary>
public sealed class ListGroupsForUser : IamOperation<ListGroupsForUserRequest, GroupsResponse>
{
    /// <inheritdoc />
    public override bool ReadOnly => true;

    /// <inheritdoc />
    public override async Task<GroupsResponse> ExecuteAsync(IamDirectory directory, Principal caller, ListGroupsForUserRequest request, CancellationToken cancellationToken)
    {
        var user = await directory.GetUserAsync(request.UserName, cancellationToken).ConfigureAwait(false);
        var groups = new List<GroupView>();
        foreach (var name in user.Groups)
        {
            if (await directory.FindGroupAsync(name, cancellationToken).ConfigureAwait(false) is { } group) groups.Add(GroupView.Of(group));
        }
        return new GroupsResponse { Groups = groups };
    }
}

/// <summary>PutGroupPolicy request.</summary>
public sealed class PutGroupPolicyRequest : IGroupRequest
{
    /// <summary>Group.</summary>
    public required string GroupName { get; init; }
    /// <summary>Policy name.</summary>
    public required string PolicyName { get; init; }
    /// <summary>Document.</summary>
    public required string PolicyDocument { get; init; }
}

/// <summary>Adds or replaces an inline policy of a group.</summary>
public sealed class PutGroupPolicy : IamOperation<PutGroupPolicyRequest, NoOutput>
{
    /// <inheritdoc />
    public override async Task<NoOutput> ExecuteAsync(IamDirectory directory, Principal caller, PutGroupPolicyRequest request, CancellationToken cancellationToken)
    {
        RoleRules.ValidatePermissionsPolicy(request.PolicyDocument);
        await directory.MutateGroupAsync(request.GroupName, group =>
        {
            group.InlinePolicies[request.PolicyName] = request.PolicyDocument;
            return group;
        }, cancellationToken).ConfigureAwait(false);
        return NoOutput.Instance;
    }
}

/// <summary>DeleteGroupPolicy request.</summary>
public sealed class DeleteGroupPolicyRequest : IGroupRequest
{
    /// <summary>Group.</summary>
    public required string GroupName { get; init; }
    /// <summary>Policy name.</summary>
    public required string PolicyName { get; init; }
}

/// <summary>Deletes an inline policy of a group.</summary>
public sealed class DeleteGroupPolicy : IamOperation<DeleteGroupPolicyRequest, NoOutput>
{
    /// <inheritdoc />
    public override async Task<NoOutput> ExecuteAsync(IamDirectory directory, Principal caller, DeleteGroupPolicyRequest request, CancellationToken cancellationToken)
    {
        await directory.MutateGroupAsync(request.GroupName, group => group.InlinePolicies.Remove(request.PolicyName)
            ? group
            : throw new IamException(IamErrorCode.NoSuchEntityException, $"The group policy with name {request.PolicyName} cannot be found."), cancellationToken).ConfigureAwait(false);
        return NoOutput.Instance;
    }
}

/// <summary>AttachGroupPolicy request.</summary>
public sealed class AttachGroupPolicyRequest : IGroupRequest, IPolicyArnRequest
{
    /// <summary>Group.</summary>
    public required string GroupName { get; init; }
    /// <summary>Policy ARN.</summary>
    public required string PolicyArn { get; init; }
}

/// <summary>Attaches a managed policy to a group.</summary>
public sealed class AttachGroupPolicy : IamOperation<AttachGroupPolicyRequest, NoOutput>
{
    /// <inheritdoc />
    public override async Task<NoOutput> ExecuteAsync(IamDirectory directory, Principal caller, AttachGroupPolicyRequest request, CancellationToken cancellationToken)
    {
        await directory.SetGroupAttachmentAsync(request.GroupName, request.PolicyArn, attach: true, ManagedPolicyRules.MaxAttachedPerUser, cancellationToken).ConfigureAwait(false);
        return NoOutput.Instance;
    }
}

/// <summary>DetachGroupPolicy request.</summary>
public sealed class DetachGroupPolicyRequest : IGroupRequest, IPolicyArnRequest
{
    /// <summary>Group.</summary>
    public required string GroupName { get; init; }
    /// <summary>Policy ARN.</summary>
    public required string PolicyArn { get; init; }
}

/// <summary>Detaches a managed policy from a group.</summary>
public sealed class DetachGroupPolicy : IamOperation<DetachGroupPolicyRequest, NoOutput>
{
    /// <inheritdoc />
    public override async Task<NoOutput> ExecuteAsync(IamDirectory directory, Principal caller, DetachGroupPolicyRequest request, CancellationToken cancellationToken)
    {
        await directory.SetGroupAttachmentAsync(request.GroupName, request.PolicyArn, attach: false, ManagedPolicyRules.MaxAttachedPerUser, cancellationToken).ConfigureAwait(false);
        return NoOutput.Instance;
    }
}
