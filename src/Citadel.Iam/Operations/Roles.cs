using Citadel.Iam.Identity;
using Citadel.Iam.Policies;

namespace Citadel.Iam.Operations;

/// <summary>Rules of roles.</summary>
internal static class RoleRules
{
    /// <summary>A trust policy: valid grammar, and every statement names who may assume the role.</summary>
    public static void ValidateTrustPolicy(string document)
    {
        try
        {
            var policy = PolicyDocument.Parse(document);
            if (policy.Statements.Any(s => s.Principal is null && s.NotPrincipal is null))
                throw new IamException(IamErrorCode.MalformedPolicyDocumentException, "Has prohibited field Resource or missing required field Principal in a trust policy statement.");
        }
        catch (MalformedPolicyDocumentException e)
        {
            throw new IamException(IamErrorCode.MalformedPolicyDocumentException, e.Message);
        }
    }

    /// <summary>An identity policy for a role.</summary>
    public static void ValidatePermissionsPolicy(string document)
    {
        try
        {
            PolicyDocument.Parse(document, PolicyKind.Identity);
        }
        catch (MalformedPolicyDocumentException e)
        {
            throw new IamException(IamErrorCode.MalformedPolicyDocumentException, e.Message);
        }
    }
}

/// <summary>The Role structure of the IAM API.</summary>
public sealed class RoleView
{
    /// <summary>Path.</summary>
    public required string Path { get; init; }
    /// <summary>Name.</summary>
    public required string RoleName { get; init; }
    /// <summary>Id.</summary>
    public required string RoleId { get; init; }
    /// <summary>ARN.</summary>
    public required string Arn { get; init; }
    /// <summary>Created.</summary>
    public required DateTimeOffset CreateDate { get; init; }
    /// <summary>The trust policy, URL-encoded as IAM returns it.</summary>
    public string? AssumeRolePolicyDocument { get; init; }
    /// <summary>Description.</summary>
    public string? Description { get; init; }
    /// <summary>Longest session.</summary>
    public int MaxSessionDuration { get; init; }
    /// <summary>Tags.</summary>
    public List<TagView>? Tags { get; init; }

    /// <summary>The view of a stored role.</summary>
    public static RoleView Of(IamRoleRecord role) => new()
    {
        Path = role.Path,
        RoleName = role.RoleName,
        RoleId = role.RoleId,
        Arn = role.Arn,
        CreateDate = role.CreateDate,
        AssumeRolePolicyDocument = Uri.EscapeDataString(role.AssumeRolePolicyDocument),
        Description = role.Description,
        MaxSessionDuration = role.MaxSessionDuration,
        Tags = role.Tags.Count == 0 ? null : role.Tags.Select(t => new TagView { Key = t.Key, Value = t.Value }).ToList(),
    };
}

/// <summary>CreateRole request.</summary>
public sealed class CreateRoleRequest : IRoleRequest, IPathRequest
{
    /// <summary>Path.</summary>
    public string? Path { get; init; }
    /// <summary>Name.</summary>
    public required string RoleName { get; init; }
    /// <summary>Trust policy.</summary>
    public required string AssumeRolePolicyDocument { get; init; }
    /// <summary>Description.</summary>
    public string? Description { get; init; }
    /// <summary>3600 to 43200 seconds.</summary>
    public int? MaxSessionDuration { get; init; }
    /// <summary>Not supported yet.</summary>
    public string? PermissionsBoundary { get; init; }
    /// <summary>Tags.</summary>
    public List<TagView>? Tags { get; init; }
}

/// <summary>CreateRole/GetRole response.</summary>
public sealed class RoleResponse
{
    /// <summary>The role.</summary>
    public required RoleView Role { get; init; }
}

/// <summary>Creates a role with a trust policy and no permissions.</summary>
public sealed class CreateRole : IamOperation<CreateRoleRequest, RoleResponse>
{
    /// <inheritdoc />
    public override async Task<RoleResponse> ExecuteAsync(IamDirectory directory, Principal caller, CreateRoleRequest request, CancellationToken cancellationToken)
    {
        if (request.PermissionsBoundary is not null)
            throw new IamException(IamErrorCode.InvalidInputException, "Permissions boundaries are not supported by Citadel yet.");
        RoleRules.ValidateTrustPolicy(request.AssumeRolePolicyDocument);
        TagRules.RefuseDuplicates(request.Tags);
        var tags = (request.Tags ?? []).ToDictionary(t => t.Key, t => t.Value, StringComparer.Ordinal);
        var role = await directory.CreateRoleAsync(request.RoleName, request.Path ?? "/", request.AssumeRolePolicyDocument, request.Description,
            request.MaxSessionDuration ?? 3600, tags, cancellationToken).ConfigureAwait(false);
        return new RoleResponse { Role = RoleView.Of(role) };
    }
}

/// <summary>GetRole request.</summary>
public sealed class GetRoleRequest : IRoleRequest
{
    /// <summary>Name.</summary>
    public required string RoleName { get; init; }
}

/// <summary>Returns a role.</summary>
public sealed class GetRole : IamOperation<GetRoleRequest, RoleResponse>
{
    /// <inheritdoc />
    public override bool ReadOnly => true;

    /// <inheritdoc />
    public override async Task<RoleResponse> ExecuteAsync(IamDirectory directory, Principal caller, GetRoleRequest request, CancellationToken cancellationToken)
        => new() { Role = RoleView.Of(await directory.GetRoleAsync(request.RoleName, cancellationToken).ConfigureAwait(false)) };
}

/// <summary>ListRoles request.</summary>
public sealed class ListRolesRequest
{
    /// <summary>Path prefix.</summary>
    public string? PathPrefix { get; init; }
    /// <summary>Continuation: the last role name of the previous page.</summary>
    public string? Marker { get; init; }
    /// <summary>Page size.</summary>
    public int? MaxItems { get; init; }
}

/// <summary>ListRoles response.</summary>
public sealed class ListRolesResponse
{
    /// <summary>Roles.</summary>
    public required List<RoleView> Roles { get; init; }
    /// <summary>More pages.</summary>
    public bool IsTruncated { get; init; }
    /// <summary>Continuation.</summary>
    public string? Marker { get; init; }
}

/// <summary>Lists roles.</summary>
public sealed class ListRoles : IamOperation<ListRolesRequest, ListRolesResponse>
{
    /// <inheritdoc />
    public override bool ReadOnly => true;

    /// <inheritdoc />
    public override async Task<ListRolesResponse> ExecuteAsync(IamDirectory directory, Principal caller, ListRolesRequest request, CancellationToken cancellationToken)
    {
        var limit = request.MaxItems ?? 100;
        var all = (await directory.ListRolesAsync(cancellationToken).ConfigureAwait(false))
            .Where(r => r.Path.StartsWith(request.PathPrefix ?? "/", StringComparison.Ordinal))
            .Where(r => request.Marker is null || string.CompareOrdinal(r.RoleName.ToLowerInvariant(), request.Marker) > 0)
            .ToList();
        var page = all.Take(limit).ToList();
        var more = all.Count > limit;
        return new ListRolesResponse { Roles = page.Select(RoleView.Of).ToList(), IsTruncated = more, Marker = more ? page[^1].RoleName.ToLowerInvariant() : null };
    }
}

/// <summary>DeleteRole request.</summary>
public sealed class DeleteRoleRequest : IRoleRequest
{
    /// <summary>Name.</summary>
    public required string RoleName { get; init; }
}

/// <summary>Deletes a role that has no policies left.</summary>
public sealed class DeleteRole : IamOperation<DeleteRoleRequest, NoOutput>
{
    /// <inheritdoc />
    public override async Task<NoOutput> ExecuteAsync(IamDirectory directory, Principal caller, DeleteRoleRequest request, CancellationToken cancellationToken)
    {
        await directory.MutateRoleAsync(request.RoleName, role => role.InlinePolicies.Count > 0 || role.AttachedPolicies.Count > 0
            ? throw new IamException(IamErrorCode.DeleteConflictException, "Cannot delete entity, must detach all policies first.")
            : null, cancellationToken).ConfigureAwait(false);
        return NoOutput.Instance;
    }
}

/// <summary>UpdateAssumeRolePolicy request.</summary>
public sealed class UpdateAssumeRolePolicyRequest : IRoleRequest
{
    /// <summary>Role.</summary>
    public required string RoleName { get; init; }
    /// <summary>The new trust policy.</summary>
    public required string PolicyDocument { get; init; }
}

/// <summary>Replaces a role's trust policy.</summary>
public sealed class UpdateAssumeRolePolicy : IamOperation<UpdateAssumeRolePolicyRequest, NoOutput>
{
    /// <inheritdoc />
    public override async Task<NoOutput> ExecuteAsync(IamDirectory directory, Principal caller, UpdateAssumeRolePolicyRequest request, CancellationToken cancellationToken)
    {
        RoleRules.ValidateTrustPolicy(request.PolicyDocument);
        await directory.MutateRoleAsync(request.RoleName, role =>
        {
            role.AssumeRolePolicyDocument = request.PolicyDocument;
            return role;
        }, cancellationToken).ConfigureAwait(false);
        return NoOutput.Instance;
    }
}

/// <summary>PutRolePolicy request.</summary>
public sealed class PutRolePolicyRequest : IRoleRequest
{
    /// <summary>Role.</summary>
    public required string RoleName { get; init; }
    /// <summary>Policy name.</summary>
    public required string PolicyName { get; init; }
    /// <summary>Document.</summary>
    public required string PolicyDocument { get; init; }
}

/// <summary>Adds or replaces an inline policy of a role.</summary>
public sealed class PutRolePolicy : IamOperation<PutRolePolicyRequest, NoOutput>
{
    /// <inheritdoc />
    public override async Task<NoOutput> ExecuteAsync(IamDirectory directory, Principal caller, PutRolePolicyRequest request, CancellationToken cancellationToken)
    {
        RoleRules.ValidatePermissionsPolicy(request.PolicyDocument);
        await directory.MutateRoleAsync(request.RoleName, role =>
        {
            role.InlinePolicies[request.PolicyName] = request.PolicyDocument;
            return role;
        }, cancellationToken).ConfigureAwait(false);
        return NoOutput.Instance;
    }
}

/// <summary>DeleteRolePolicy request.</summary>
public sealed class DeleteRolePolicyRequest : IRoleRequest
{
    /// <summary>Role.</summary>
    public required string RoleName { get; init; }
    /// <summary>Policy name.</summary>
    public required string PolicyName { get; init; }
}

/// <summary>Deletes an inline policy of a role.</summary>
public sealed class DeleteRolePolicy : IamOperation<DeleteRolePolicyRequest, NoOutput>
{
    /// <inheritdoc />
    public override async Task<NoOutput> ExecuteAsync(IamDirectory directory, Principal caller, DeleteRolePolicyRequest request, CancellationToken cancellationToken)
    {
        await directory.MutateRoleAsync(request.RoleName, role => role.InlinePolicies.Remove(request.PolicyName)
            ? role
            : throw new IamException(IamErrorCode.NoSuchEntityException, $"The role policy with name {request.PolicyName} cannot be found."), cancellationToken).ConfigureAwait(false);
        return NoOutput.Instance;
    }
}

/// <summary>AttachRolePolicy request.</summary>
public sealed class AttachRolePolicyRequest : IRoleRequest, IPolicyArnRequest
{
    /// <summary>Role.</summary>
    public required string RoleName { get; init; }
    /// <summary>Policy ARN.</summary>
    public required string PolicyArn { get; init; }
}

/// <summary>Attaches a managed policy to a role (at most ten).</summary>
public sealed class AttachRolePolicy : IamOperation<AttachRolePolicyRequest, NoOutput>
{
    /// <inheritdoc />
    public override async Task<NoOutput> ExecuteAsync(IamDirectory directory, Principal caller, AttachRolePolicyRequest request, CancellationToken cancellationToken)
    {
        await directory.SetRoleAttachmentAsync(request.RoleName, request.PolicyArn, attach: true, ManagedPolicyRules.MaxAttachedPerUser, cancellationToken).ConfigureAwait(false);
        return NoOutput.Instance;
    }
}

/// <summary>DetachRolePolicy request.</summary>
public sealed class DetachRolePolicyRequest : IRoleRequest, IPolicyArnRequest
{
    /// <summary>Role.</summary>
    public required string RoleName { get; init; }
    /// <summary>Policy ARN.</summary>
    public required string PolicyArn { get; init; }
}

/// <summary>Detaches a managed policy from a role.</summary>
public sealed class DetachRolePolicy : IamOperation<DetachRolePolicyRequest, NoOutput>
{
    /// <inheritdoc />
    public override async Task<NoOutput> ExecuteAsync(IamDirectory directory, Principal caller, DetachRolePolicyRequest request, CancellationToken cancellationToken)
    {
        await directory.SetRoleAttachmentAsync(request.RoleName, request.PolicyArn, attach: false, ManagedPolicyRules.MaxAttachedPerUser, cancellationToken).ConfigureAwait(false);
        return NoOutput.Instance;
    }
}
