using Citadel.Iam.Identity;
using Citadel.Iam.Policies;

namespace Citadel.Iam.Operations;

/// <summary>Rules shared by the managed policy operations.</summary>
internal static class ManagedPolicyRules
{
    /// <summary>A managed policy has at most five versions.</summary>
    public const int MaxVersions = 5;
    /// <summary>A user has at most ten managed policies attached.</summary>
    public const int MaxAttachedPerUser = 10;

    /// <summary>Parses an identity policy document within the managed-policy size, as IAM validates it.</summary>
    public static void Validate(string document)
    {
        if (document.Count(c => !char.IsWhiteSpace(c)) > PolicyDocument.MaxManagedPolicyLength)
            throw new IamException(IamErrorCode.LimitExceededException, $"Cannot exceed quota for PolicySize: {PolicyDocument.MaxManagedPolicyLength}");
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

/// <summary>The Policy structure of the IAM API.</summary>
public sealed class PolicyView
{
    /// <summary>Name.</summary>
    public required string PolicyName { get; init; }
    /// <summary>Id.</summary>
    public required string PolicyId { get; init; }
    /// <summary>ARN.</summary>
    public required string Arn { get; init; }
    /// <summary>Path.</summary>
    public required string Path { get; init; }
    /// <summary>Default version.</summary>
    public required string DefaultVersionId { get; init; }
    /// <summary>Attachments.</summary>
    public int AttachmentCount { get; init; }
    /// <summary>Permissions-boundary uses (none).</summary>
    public int PermissionsBoundaryUsageCount { get; init; }
    /// <summary>Always true for customer managed policies.</summary>
    public bool IsAttachable { get; init; } = true;
    /// <summary>Description.</summary>
    public string? Description { get; init; }
    /// <summary>Created.</summary>
    public DateTimeOffset CreateDate { get; init; }
    /// <summary>Last changed.</summary>
    public DateTimeOffset UpdateDate { get; init; }

    /// <summary>The view of a stored policy.</summary>
    public static PolicyView Of(ManagedPolicyRecord p) => new()
    {
        PolicyName = p.PolicyName,
        PolicyId = p.PolicyId,
        Arn = p.Arn,
        Path = p.Path,
        DefaultVersionId = p.DefaultVersionId,
        AttachmentCount = p.AttachmentCount,
        Description = p.Description,
        CreateDate = p.CreateDate,
        UpdateDate = p.UpdateDate,
    };
}

/// <summary>The PolicyVersion structure (the document URL-encoded, as IAM returns it).</summary>
public sealed class PolicyVersionView
{
    /// <summary>The document, URL-encoded.</summary>
    public string? Document { get; init; }
    /// <summary>v1, v2, ...</summary>
    public required string VersionId { get; init; }
    /// <summary>Whether it is in force.</summary>
    public bool IsDefaultVersion { get; init; }
    /// <summary>Created.</summary>
    public DateTimeOffset CreateDate { get; init; }

    /// <summary>The view of a version.</summary>
    public static PolicyVersionView Of(ManagedPolicyRecord policy, PolicyVersionRecord version, bool withDocument) => new()
    {
        Document = withDocument ? Uri.EscapeDataString(version.Document) : null,
        VersionId = version.VersionId,
        IsDefaultVersion = version.VersionId == policy.DefaultVersionId,
        CreateDate = version.CreateDate,
    };
}

/// <summary>CreatePolicy request.</summary>
public sealed class CreatePolicyRequest : IPathRequest
{
    /// <summary>Name.</summary>
    public required string PolicyName { get; init; }
    /// <summary>Path.</summary>
    public string? Path { get; init; }
    /// <summary>Document.</summary>
    public required string PolicyDocument { get; init; }
    /// <summary>Description.</summary>
    public string? Description { get; init; }
}

/// <summary>CreatePolicy/GetPolicy response.</summary>
public sealed class PolicyResponse
{
    /// <summary>The policy.</summary>
    public required PolicyView Policy { get; init; }
}

/// <summary>Creates a customer managed policy.</summary>
public sealed class CreatePolicy : IamOperation<CreatePolicyRequest, PolicyResponse>
{
    /// <inheritdoc />
    public override async Task<PolicyResponse> ExecuteAsync(IamDirectory directory, Principal caller, CreatePolicyRequest request, CancellationToken cancellationToken)
    {
        ManagedPolicyRules.Validate(request.PolicyDocument);
        var policy = await directory.CreatePolicyAsync(request.PolicyName, request.Path ?? "/", request.PolicyDocument, request.Description, cancellationToken).ConfigureAwait(false);
        return new PolicyResponse { Policy = PolicyView.Of(policy) };
    }
}

/// <summary>GetPolicy request.</summary>
public sealed class GetPolicyRequest : IPolicyArnRequest
{
    /// <summary>ARN.</summary>
    public required string PolicyArn { get; init; }
}

/// <summary>Returns a managed policy.</summary>
public sealed class GetPolicy : IamOperation<GetPolicyRequest, PolicyResponse>
{
    /// <inheritdoc />
    public override bool ReadOnly => true;

    /// <inheritdoc />
    public override async Task<PolicyResponse> ExecuteAsync(IamDirectory directory, Principal caller, GetPolicyRequest request, CancellationToken cancellationToken)
        => new() { Policy = PolicyView.Of(await directory.GetPolicyAsync(request.PolicyArn, cancellationToken).ConfigureAwait(false)) };
}

/// <summary>GetPolicyVersion request.</summary>
public sealed class GetPolicyVersionRequest : IPolicyArnRequest
{
    /// <summary>ARN.</summary>
    public required string PolicyArn { get; init; }
    /// <summary>Version.</summary>
    public required string VersionId { get; init; }
}

/// <summary>A policy version response.</summary>
public sealed class PolicyVersionResponse
{
    /// <summary>The version.</summary>
    public required PolicyVersionView PolicyVersion { get; init; }
}

/// <summary>Returns one version of a managed policy, with its document.</summary>
public sealed class GetPolicyVersion : IamOperation<GetPolicyVersionRequest, PolicyVersionResponse>
{
    /// <inheritdoc />
    public override bool ReadOnly => true;

    /// <inheritdoc />
    public override async Task<PolicyVersionResponse> ExecuteAsync(IamDirectory directory, Principal caller, GetPolicyVersionRequest request, CancellationToken cancellationToken)
    {
        var policy = await directory.GetPolicyAsync(request.PolicyArn, cancellationToken).ConfigureAwait(false);
        var version = policy.Versions.FirstOrDefault(v => v.VersionId == request.VersionId)
            ?? throw new IamException(IamErrorCode.NoSuchEntityException, $"Policy {request.PolicyArn} version {request.VersionId} does not exist or is not attachable.");
        return new PolicyVersionResponse { PolicyVersion = PolicyVersionView.Of(policy, version, withDocument: true) };
    }
}

/// <summary>CreatePolicyVersion request.</summary>
public sealed class CreatePolicyVersionRequest : IPolicyArnRequest
{
    /// <summary>ARN.</summary>
    public required string PolicyArn { get; init; }
    /// <summary>Document.</summary>
    public required string PolicyDocument { get; init; }
    /// <summary>Make it the version in force.</summary>
    public bool? SetAsDefault { get; init; }
}

/// <summary>Adds a version to a managed policy (at most five), optionally making it the default.</summary>
public sealed class CreatePolicyVersion : IamOperation<CreatePolicyVersionRequest, PolicyVersionResponse>
{
    /// <inheritdoc />
    public override async Task<PolicyVersionResponse> ExecuteAsync(IamDirectory directory, Principal caller, CreatePolicyVersionRequest request, CancellationToken cancellationToken)
    {
        ManagedPolicyRules.Validate(request.PolicyDocument);
        return await directory.MutatePolicyAsync(request.PolicyArn, policy =>
        {
            if (policy.Versions.Count >= ManagedPolicyRules.MaxVersions)
                throw new IamException(IamErrorCode.LimitExceededException, $"A managed policy can have up to {ManagedPolicyRules.MaxVersions} versions. Before you create a new version, you must delete an existing version.");
            var version = new PolicyVersionRecord { VersionId = $"v{policy.NextVersion++}", Document = request.PolicyDocument, CreateDate = directory.Time.GetUtcNow() };
            policy.Versions.Add(version);
            if (request.SetAsDefault == true) policy.DefaultVersionId = version.VersionId;
            return new PolicyVersionResponse { PolicyVersion = PolicyVersionView.Of(policy, version, withDocument: false) };
        }, cancellationToken).ConfigureAwait(false);
    }
}

/// <summary>DeletePolicyVersion request.</summary>
public sealed class DeletePolicyVersionRequest : IPolicyArnRequest
{
    /// <summary>ARN.</summary>
    public required string PolicyArn { get; init; }
    /// <summary>Version.</summary>
    public required string VersionId { get; init; }
}

/// <summary>Deletes a version that is not the default.</summary>
public sealed class DeletePolicyVersion : IamOperation<DeletePolicyVersionRequest, NoOutput>
{
    /// <inheritdoc />
    public override async Task<NoOutput> ExecuteAsync(IamDirectory directory, Principal caller, DeletePolicyVersionRequest request, CancellationToken cancellationToken)
    {
        await directory.MutatePolicyAsync(request.PolicyArn, policy =>
        {
            if (request.VersionId == policy.DefaultVersionId)
                throw new IamException(IamErrorCode.DeleteConflictException, "Cannot delete the default version of a policy.");
            if (policy.Versions.RemoveAll(v => v.VersionId == request.VersionId) == 0)
                throw new IamException(IamErrorCode.NoSuchEntityException, $"Policy {request.PolicyArn} version {request.VersionId} does not exist.");
            return true;
        }, cancellationToken).ConfigureAwait(false);
        return NoOutput.Instance;
    }
}

/// <summary>ListPolicies request.</summary>
public sealed class ListPoliciesRequest
{
    /// <summary>All, AWS or Local (Citadel has only Local policies).</summary>
    public string? Scope { get; init; }
    /// <summary>Only policies attached to something.</summary>
    public bool? OnlyAttached { get; init; }
    /// <summary>Path prefix.</summary>
    public string? PathPrefix { get; init; }
    /// <summary>Usage filter (ignored: no permissions boundaries yet).</summary>
    public string? PolicyUsageFilter { get; init; }
    /// <summary>Continuation: the last ARN of the previous page.</summary>
    public string? Marker { get; init; }
    /// <summary>Page size.</summary>
    public int? MaxItems { get; init; }
}

/// <summary>ListPolicies response.</summary>
public sealed class ListPoliciesResponse
{
    /// <summary>Policies.</summary>
    public required List<PolicyView> Policies { get; init; }
    /// <summary>More pages.</summary>
    public bool IsTruncated { get; init; }
    /// <summary>Continuation.</summary>
    public string? Marker { get; init; }
}

/// <summary>Lists the account's managed policies.</summary>
public sealed class ListPolicies : IamOperation<ListPoliciesRequest, ListPoliciesResponse>
{
    /// <inheritdoc />
    public override bool ReadOnly => true;

    /// <inheritdoc />
    public override async Task<ListPoliciesResponse> ExecuteAsync(IamDirectory directory, Principal caller, ListPoliciesRequest request, CancellationToken cancellationToken)
    {
        var limit = request.MaxItems ?? 100;
        var all = (await directory.ListPoliciesAsync(cancellationToken).ConfigureAwait(false))
            .Where(p => request.Scope != "AWS")
            .Where(p => request.OnlyAttached != true || p.AttachmentCount > 0)
            .Where(p => p.Path.StartsWith(request.PathPrefix ?? "/", StringComparison.Ordinal))
            .Where(p => request.Marker is null || string.CompareOrdinal(p.Arn, request.Marker) > 0)
            .ToList();
        var page = all.Take(limit).ToList();
        var more = all.Count > limit;
        return new ListPoliciesResponse { Policies = page.Select(PolicyView.Of).ToList(), IsTruncated = more, Marker = more ? page[^1].Arn : null };
    }
}

/// <summary>DeletePolicy request.</summary>
public sealed class DeletePolicyRequest : IPolicyArnRequest
{
    /// <summary>ARN.</summary>
    public required string PolicyArn { get; init; }
}

/// <summary>Deletes a managed policy that is attached nowhere and has only its default version.</summary>
public sealed class DeletePolicy : IamOperation<DeletePolicyRequest, NoOutput>
{
    /// <inheritdoc />
    public override async Task<NoOutput> ExecuteAsync(IamDirectory directory, Principal caller, DeletePolicyRequest request, CancellationToken cancellationToken)
    {
        await directory.DeletePolicyAsync(request.PolicyArn, cancellationToken).ConfigureAwait(false);
        return NoOutput.Instance;
    }
}

/// <summary>AttachUserPolicy / DetachUserPolicy request.</summary>
public sealed class AttachUserPolicyRequest : IUserRequest, IPolicyArnRequest
{
    /// <summary>User.</summary>
    public required string UserName { get; init; }
    /// <summary>Policy ARN.</summary>
    public required string PolicyArn { get; init; }
}

/// <summary>Attaches a managed policy to a user (at most ten per user).</summary>
public sealed class AttachUserPolicy : IamOperation<AttachUserPolicyRequest, NoOutput>
{
    /// <inheritdoc />
    public override async Task<NoOutput> ExecuteAsync(IamDirectory directory, Principal caller, AttachUserPolicyRequest request, CancellationToken cancellationToken)
    {
        await directory.SetAttachmentAsync(request.UserName, request.PolicyArn, attach: true, ManagedPolicyRules.MaxAttachedPerUser, cancellationToken).ConfigureAwait(false);
        return NoOutput.Instance;
    }
}

/// <summary>DetachUserPolicy request.</summary>
public sealed class DetachUserPolicyRequest : IUserRequest, IPolicyArnRequest
{
    /// <summary>User.</summary>
    public required string UserName { get; init; }
    /// <summary>Policy ARN.</summary>
    public required string PolicyArn { get; init; }
}

/// <summary>Detaches a managed policy from a user.</summary>
public sealed class DetachUserPolicy : IamOperation<DetachUserPolicyRequest, NoOutput>
{
    /// <inheritdoc />
    public override async Task<NoOutput> ExecuteAsync(IamDirectory directory, Principal caller, DetachUserPolicyRequest request, CancellationToken cancellationToken)
    {
        await directory.SetAttachmentAsync(request.UserName, request.PolicyArn, attach: false, ManagedPolicyRules.MaxAttachedPerUser, cancellationToken).ConfigureAwait(false);
        return NoOutput.Instance;
    }
}

/// <summary>ListAttachedUserPolicies request.</summary>
public sealed class ListAttachedUserPoliciesRequest : IUserRequest
{
    /// <summary>User.</summary>
    public required string UserName { get; init; }
    /// <summary>Path prefix.</summary>
    public string? PathPrefix { get; init; }
    /// <summary>Continuation (at most ten: one page).</summary>
    public string? Marker { get; init; }
    /// <summary>Page size.</summary>
    public int? MaxItems { get; init; }
}

/// <summary>An attached policy.</summary>
public sealed class AttachedPolicyView
{
    /// <summary>Name.</summary>
    public required string PolicyName { get; init; }
    /// <summary>ARN.</summary>
    public required string PolicyArn { get; init; }
}

/// <summary>ListAttachedUserPolicies response.</summary>
public sealed class ListAttachedUserPoliciesResponse
{
    /// <summary>Attached policies.</summary>
    public required List<AttachedPolicyView> AttachedPolicies { get; init; }
    /// <summary>Always false.</summary>
    public bool IsTruncated { get; init; }
}

/// <summary>Lists the managed policies attached to a user.</summary>
public sealed class ListAttachedUserPolicies : IamOperation<ListAttachedUserPoliciesRequest, ListAttachedUserPoliciesResponse>
{
    /// <inheritdoc />
    public override bool ReadOnly => true;

    /// <inheritdoc />
    public override async Task<ListAttachedUserPoliciesResponse> ExecuteAsync(IamDirectory directory, Principal caller, ListAttachedUserPoliciesRequest request, CancellationToken cancellationToken)
        => await AttachedPolicies.ListAsync(directory, (await directory.GetUserAsync(request.UserName, cancellationToken).ConfigureAwait(false)).AttachedPolicies, request.PathPrefix, cancellationToken).ConfigureAwait(false);
}
