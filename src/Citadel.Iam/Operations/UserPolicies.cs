using Citadel.Iam.Identity;
using Citadel.Iam.Policies;

namespace Citadel.Iam.Operations;

/// <summary>Rules of inline user policies.</summary>
internal static class InlinePolicies
{
    /// <summary>AWS's quota: all inline policies of a user together, whitespace not counted.</summary>
    public const int MaxAggregateCharacters = 2048;

    public static int Size(string document) => document.Count(c => !char.IsWhiteSpace(c));

    public static IamException NotFound(string userName, string policyName)
        => new(IamErrorCode.NoSuchEntityException, $"The user policy with name {policyName} cannot be found for user {userName}.");
}

/// <summary>PutUserPolicy request.</summary>
public sealed class PutUserPolicyRequest : IUserRequest
{
    /// <summary>User.</summary>
    public required string UserName { get; init; }
    /// <summary>Policy name.</summary>
    public required string PolicyName { get; init; }
    /// <summary>The policy document (JSON).</summary>
    public required string PolicyDocument { get; init; }
}

/// <summary>
/// Adds or replaces an inline policy of a user, validated with the policy parser (MalformedPolicyDocument
/// names what is wrong). The server's authorizer evaluates a user's inline policies on every request.
/// </summary>
public sealed class PutUserPolicy : IamOperation<PutUserPolicyRequest, NoOutput>
{
    /// <inheritdoc />
    public override async Task<NoOutput> ExecuteAsync(IamDirectory directory, Principal caller, PutUserPolicyRequest request, CancellationToken cancellationToken)
    {
        try
        {
            PolicyDocument.Parse(request.PolicyDocument, PolicyKind.Identity);
        }
        catch (MalformedPolicyDocumentException e)
        {
            throw new IamException(IamErrorCode.MalformedPolicyDocumentException, e.Message);
        }
        await directory.MutateUserAsync(request.UserName, user =>
        {
            var others = user.InlinePolicies.Where(p => p.Key != request.PolicyName).Sum(p => InlinePolicies.Size(p.Value));
            if (others + InlinePolicies.Size(request.PolicyDocument) > InlinePolicies.MaxAggregateCharacters)
                throw new IamException(IamErrorCode.LimitExceededException, $"Maximum policy size of {InlinePolicies.MaxAggregateCharacters} bytes exceeded for user {user.UserName}");
            user.InlinePolicies[request.PolicyName] = request.PolicyDocument;
            return true;
        }, cancellationToken).ConfigureAwait(false);
        return NoOutput.Instance;
    }
}

/// <summary>GetUserPolicy request.</summary>
public sealed class GetUserPolicyRequest : IUserRequest
{
    /// <summary>User.</summary>
    public required string UserName { get; init; }
    /// <summary>Policy name.</summary>
    public required string PolicyName { get; init; }
}

/// <summary>GetUserPolicy response.</summary>
public sealed class GetUserPolicyResponse
{
    /// <summary>User.</summary>
    public required string UserName { get; init; }
    /// <summary>Policy name.</summary>
    public required string PolicyName { get; init; }
    /// <summary>The document, URL-encoded (RFC 3986) as IAM returns it; SDKs and the CLI decode it.</summary>
    public required string PolicyDocument { get; init; }
}

/// <summary>Returns an inline policy of a user.</summary>
public sealed class GetUserPolicy : IamOperation<GetUserPolicyRequest, GetUserPolicyResponse>
{
    /// <inheritdoc />
    public override bool ReadOnly => true;

    /// <inheritdoc />
    public override async Task<GetUserPolicyResponse> ExecuteAsync(IamDirectory directory, Principal caller, GetUserPolicyRequest request, CancellationToken cancellationToken)
    {
        var user = await directory.GetUserAsync(request.UserName, cancellationToken).ConfigureAwait(false);
        if (!user.InlinePolicies.TryGetValue(request.PolicyName, out var document)) throw InlinePolicies.NotFound(user.UserName, request.PolicyName);
        return new GetUserPolicyResponse { UserName = user.UserName, PolicyName = request.PolicyName, PolicyDocument = Uri.EscapeDataString(document) };
    }
}

/// <summary>ListUserPolicies request.</summary>
public sealed class ListUserPoliciesRequest : IUserRequest
{
    /// <summary>User.</summary>
    public required string UserName { get; init; }
    /// <summary>Continuation (a user's inline policies fit one page).</summary>
    public string? Marker { get; init; }
    /// <summary>Page size.</summary>
    public int? MaxItems { get; init; }
}

/// <summary>ListUserPolicies response.</summary>
public sealed class ListUserPoliciesResponse
{
    /// <summary>Names.</summary>
    public required List<string> PolicyNames { get; init; }
    /// <summary>Always false.</summary>
    public bool IsTruncated { get; init; }
}

/// <summary>Lists the names of a user's inline policies.</summary>
public sealed class ListUserPolicies : IamOperation<ListUserPoliciesRequest, ListUserPoliciesResponse>
{
    /// <inheritdoc />
    public override bool ReadOnly => true;

    /// <inheritdoc />
    public override async Task<ListUserPoliciesResponse> ExecuteAsync(IamDirectory directory, Principal caller, ListUserPoliciesRequest request, CancellationToken cancellationToken)
        => new() { PolicyNames = (await directory.GetUserAsync(request.UserName, cancellationToken).ConfigureAwait(false)).InlinePolicies.Keys.ToList() };
}

/// <summary>DeleteUserPolicy request.</summary>
public sealed class DeleteUserPolicyRequest : IUserRequest
{
    /// <summary>User.</summary>
    public required string UserName { get; init; }
    /// <summary>Policy name.</summary>
    public required string PolicyName { get; init; }
}

/// <summary>Deletes an inline policy of a user.</summary>
public sealed class DeleteUserPolicy : IamOperation<DeleteUserPolicyRequest, NoOutput>
{
    /// <inheritdoc />
    public override async Task<NoOutput> ExecuteAsync(IamDirectory directory, Principal caller, DeleteUserPolicyRequest request, CancellationToken cancellationToken)
    {
        await directory.MutateUserAsync(request.UserName, user => user.InlinePolicies.Remove(request.PolicyName)
            ? true
            : throw InlinePolicies.NotFound(user.UserName, request.PolicyName), cancellationToken).ConfigureAwait(false);
        return NoOutput.Instance;
    }
}
