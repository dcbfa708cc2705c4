using Citadel.Iam.Identity;

namespace Citadel.Iam.Operations;

/// <summary>GetGroupPolicy request.</summary>
public sealed class GetGroupPolicyRequest : IGroupRequest
{
    /// <summary>Group.</summary>
    public required string GroupName { get; init; }
    /// <summary>Policy name.</summary>
    public required string PolicyName { get; init; }
}

/// <summary>GetGroupPolicy response.</summary>
public sealed class GetGroupPolicyResponse
{
    /// <summary>Group.</summary>
    public required string GroupName { get; init; }
    /// <summary>Policy name.</summary>
    public required string PolicyName { get; init; }
    /// <summary>The document, URL-encoded (RFC 3986) as IAM returns it; SDKs and the CLI decode it.</summary>
    public required string PolicyDocument { get; init; }
}

/// <summary>Returns an inline policy of a group.</summary>
public sealed class GetGroupPolicy : IamOperation<GetGroupPolicyRequest, GetGroupPolicyResponse>
{
    /// <inheritdoc />
    public override bool ReadOnly => true;

    /// <inheritdoc />
    public override async Task<GetGroupPolicyResponse> ExecuteAsync(IamDirectory directory, Principal caller, GetGroupPolicyRequest request, CancellationToken cancellationToken)
    {
        var group = await directory.GetGroupAsync(request.GroupName, cancellationToken).ConfigureAwait(false);
        return group.InlinePolicies.TryGetValue(request.PolicyName, out var document)
            ? new GetGroupPolicyResponse { GroupName = group.GroupName, PolicyName = request.PolicyName, PolicyDocument = Uri.EscapeDataString(document) }
            : throw new IamException(IamErrorCode.NoSuchEntityException, $"The group policy with name {request.PolicyName} cannot be found.");
    }
}
