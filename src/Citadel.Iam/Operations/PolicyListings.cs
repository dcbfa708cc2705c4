using Citadel.Iam.Identity;

namespace Citadel.Iam.Operations;

/// <summary>GetRolePolicy request.</summary>
public sealed class GetRolePolicyRequest : IRoleRequest
{
    /// <summary>Role.</summary>
    public required string RoleName { get; init; }
    /// <summary>Policy name.</summary>
    public required string PolicyName { get; init; }
}

/// <summary>GetRolePolicy response.</summary>
public sealed class GetRolePolicyResponse
{
    /// <summary>Role.</summary>
    public required string RoleName { get; init; }
    /// <summary>Policy name.</summary>
    public required string PolicyName { get; init; }
    /// <summary>The document, URL-encoded as IAM returns it.</summary>
    public required string PolicyDocument { get; init; }
}

/// <summary>Returns an inline policy of a role.</summary>
public sealed class GetRolePolicy : IamOperation<GetRolePolicyRequest, GetRolePolicyResponse>
{
    /// <inheritdoc />
    public override bool ReadOnly => true;

    /// <inheritdoc />
    public override async Task<GetRolePolicyResponse> ExecuteAsync(IamDirectory directory, Principal caller, GetRolePolicyRequest request, CancellationToken cancellationToken)
    {
        var role = await directory.GetRoleAsync(request.RoleName, cancellationToken).ConfigureAwait(false);
        return role.InlinePolicies.TryGetValue(request.PolicyName, out var document)
            ? new GetRolePolicyResponse { RoleName = role.RoleName, PolicyName = request.PolicyName, PolicyDocument = Uri.EscapeDataString(document) }
            : throw new IamException(IamErrorCode.NoSuchEntityException, $"The role policy with name {request.PolicyName} cannot be found.");
    }
}

/// <summary>ListRolePolicies request.</summary>
public sealed class ListRolePoliciesRequest : IRoleRequest
{
    /// <summary>Role.</summary>
    public required string RoleName { get; init; }
    /// <summary>Continuation (one page).</summary>
    public string? Marker { get; init; }
    /// <summary>Page size.</summary>
    public int? MaxItems { get; init; }
}

/// <summary>ListRolePolicies / ListGroupPolicies response.</summary>
public sealed class PolicyNamesResponse
{
    /// <summary>Names.</summary>
    public required List<string> PolicyNames { get; init; }
    /// <summary>Always false.</summary>
    public bool IsTruncated { get; init; }
}

/// <summary>Lists the names of a role's inline policies.</summary>
public sealed class ListRolePolicies : IamOperation<ListRolePoliciesRequest, PolicyNamesResponse>
{
    /// <inheritdoc />
    public override bool ReadOnly => true;

    /// <inheritdoc />
    public override async Task<PolicyNamesResponse> ExecuteAsync(IamDirectory directory, Principal caller, ListRolePoliciesRequest request, CancellationToken cancellationToken)
        => new() { PolicyNames = (await directory.GetRoleAsync(request.RoleName, cancellationToken).ConfigureAwait(false)).InlinePolicies.Keys.ToList() };
}

/// <summary>ListGroupPolicies request.</summary>
public sealed class ListGroupPoliciesRequest : IGroupRequest
{
    /// <summary>Group.</summary>
    public required string GroupName { get; init; }
    /// <summary>Continuation (one page).</summary>
    public string? Marker { get; init; }
    /// <summary>Page size.</summary>
    public int? MaxItems { get; init; }
}

/// <summary>Lists the names of a group's inline policies.</summary>
public sealed class ListGroupPolicies : IamOperation<ListGroupPoliciesRequest, PolicyNamesResponse>
{
    /// <inheritdoc />
    public override bool ReadOnly => true;

    /// <inheritdoc />
    public override async Task<PolicyNamesResponse> ExecuteAsync(IamDirectory directory, Principal caller, ListGroupPoliciesRequest request, CancellationToken cancellationToken)
        => new() { PolicyNames = (await directory.GetGroupAsync(request.GroupName, cancellationToken).ConfigureAwait(false)).InlinePolicies.Keys.ToList() };
}

/// <summary>ListAttachedRolePolicies request.</summary>
public sealed class ListAttachedRolePoliciesRequest : IRoleRequest
{
    /// <summary>Role.</summary>
    public required string RoleName { get; init; }
    /// <summary>Path prefix.</summary>
    public string? PathPrefix { get; init; }
    /// <summary>Continuation (one page).</summary>
    public string? Marker { get; init; }
    /// <summary>Page size.</summary>
    public int? MaxItems { get; init; }
}

/// <summary>Lists the managed policies attached to a role.</summary>
public sealed class ListAttachedRolePolicies : IamOperation<ListAttachedRolePoliciesRequest, ListAttachedUserPoliciesResponse>
{
    /// <inheritdoc />
    public override bool ReadOnly => true;

    /// <inheritdoc />
    public override async Task<ListAttachedUserPoliciesResponse> ExecuteAsync(IamDirectory directory, Principal caller, ListAttachedRolePoliciesRequest request, CancellationToken cancellationToken)
        => await AttachedPolicies.ListAsync(directory, (await directory.GetRoleAsync(request.RoleName, cancellationToken).ConfigureAwait(false)).AttachedPolicies, request.PathPrefix, cancellationToken).ConfigureAwait(false);
}

/// <summary>ListAttachedGroupPolicies request.</summary>
public sealed class ListAttachedGroupPoliciesRequest : IGroupRequest
{
    /// <summary>Group.</summary>
    public required string GroupName { get; init; }
    /// <summary>Path prefix.</summary>
    public string? PathPrefix { get; init; }
    /// <summary>Continuation (one page).</summary>
    public string? Marker { get; init; }
    /// <summary>Page size.</summary>
    public int? MaxItems { get; init; }
}

/// <summary>Lists the managed policies attached to a group.</summary>
public sealed class ListAttachedGroupPolicies : IamOperation<ListAttachedGroupPoliciesRequest, ListAttachedUserPoliciesResponse>
{
    /// <inheritdoc />
    public override bool ReadOnly => true;

    /// <inheritdoc />
    public override async Task<ListAttachedUserPoliciesResponse> ExecuteAsync(IamDirectory directory, Principal caller, ListAttachedGroupPoliciesRequest request, CancellationToken cancellationToken)
        => await AttachedPolicies.ListAsync(directory, (await directory.GetGroupAsync(request.GroupName, cancellationToken).ConfigureAwait(false)).AttachedPolicies, request.PathPrefix, cancellationToken).ConfigureAwait(false);
}

/// <summary>The attached-policies listing shared by users, roles and groups.</summary>
internal static class AttachedPolicies
{
    public static async Task<ListAttachedUserPoliciesResponse> ListAsync(IamDirectory directory, IEnumerable<string> arns, string? pathPrefix, CancellationToken cancellationToken)
    {
        var views = new List<AttachedPolicyView>();
        foreach (var arn in arns)
        {
            var policy = await directory.GetPolicyAsync(arn, cancellationToken).ConfigureAwait(false);
            if (policy.Path.StartsWith(pathPrefix ?? "/", StringComparison.Ordinal))
                views.Add(new AttachedPolicyView { PolicyName = policy.PolicyName, PolicyArn = arn });
        }
        return new ListAttachedUserPoliciesResponse { AttachedPolicies = views };
    }
}
