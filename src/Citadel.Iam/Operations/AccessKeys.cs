using Citadel.Iam.Identity;

namespace Citadel.Iam.Operations;

/// <summary>CreateAccessKey request.</summary>
public sealed class CreateAccessKeyRequest : IUserRequest
{
    /// <summary>The user; the caller when absent.</summary>
    public string? UserName { get; init; }
}

/// <summary>An access key with its secret (only in CreateAccessKey's answer).</summary>
public sealed class AccessKeyView
{
    /// <summary>Owner.</summary>
    public required string UserName { get; init; }
    /// <summary>Id.</summary>
    public required string AccessKeyId { get; init; }
    /// <summary>Active.</summary>
    public required string Status { get; init; }
    /// <summary>The secret.</summary>
    public required string SecretAccessKey { get; init; }
    /// <summary>Created.</summary>
    public DateTimeOffset CreateDate { get; init; }
}

/// <summary>CreateAccessKey response.</summary>
public sealed class CreateAccessKeyResponse
{
    /// <summary>The new key.</summary>
    public required AccessKeyView AccessKey { get; init; }
}

/// <summary>Creates an access key for a user (at most two per user).</summary>
public sealed class CreateAccessKey : IamOperation<CreateAccessKeyRequest, CreateAccessKeyResponse>
{
    /// <inheritdoc />
    public override async Task<CreateAccessKeyResponse> ExecuteAsync(IamDirectory directory, Principal caller, CreateAccessKeyRequest request, CancellationToken cancellationToken)
    {
        var name = request.UserName ?? caller.UserName
            ?? throw new IamException(IamErrorCode.InvalidInputException, "Citadel does not create access keys for the account root; give UserName.");
        var (key, secret) = await directory.CreateAccessKeyAsync(name, cancellationToken).ConfigureAwait(false);
        return new CreateAccessKeyResponse
        {
            AccessKey = new AccessKeyView { UserName = key.UserName, AccessKeyId = key.AccessKeyId, Status = key.Status, SecretAccessKey = secret, CreateDate = key.CreateDate },
        };
    }
}

/// <summary>ListAccessKeys request.</summary>
public sealed class ListAccessKeysRequest : IUserRequest
{
    /// <summary>The user; the caller when absent.</summary>
    public string? UserName { get; init; }
    /// <summary>Continuation (keys per user are few; one page).</summary>
    public string? Marker { get; init; }
    /// <summary>Page size.</summary>
    public int? MaxItems { get; init; }
}

/// <summary>Key metadata without the secret.</summary>
public sealed class AccessKeyMetadataView
{
    /// <summary>Owner.</summary>
    public required string UserName { get; init; }
    /// <summary>Id.</summary>
    public required string AccessKeyId { get; init; }
    /// <summary>Active or Inactive.</summary>
    public required string Status { get; init; }
    /// <summary>Created.</summary>
    public DateTimeOffset CreateDate { get; init; }
}

/// <summary>ListAccessKeys response.</summary>
public sealed class ListAccessKeysResponse
{
    /// <summary>Keys.</summary>
    public required List<AccessKeyMetadataView> AccessKeyMetadata { get; init; }
    /// <summary>Always false (a user has at most two keys).</summary>
    public bool IsTruncated { get; init; }
}

/// <summary>Lists a user's access keys, without secrets.</summary>
public sealed class ListAccessKeys : IamOperation<ListAccessKeysRequest, ListAccessKeysResponse>
{
    /// <inheritdoc />
    public override bool ReadOnly => true;

    /// <inheritdoc />
    public override async Task<ListAccessKeysResponse> ExecuteAsync(IamDirectory directory, Principal caller, ListAccessKeysRequest request, CancellationToken cancellationToken)
    {
        var name = request.UserName ?? caller.UserName
            ?? throw new IamException(IamErrorCode.InvalidInputException, "Give UserName: the account root's own key is not an IAM access key.");
        var user = await directory.GetUserAsync(name, cancellationToken).ConfigureAwait(false);
        var keys = await directory.KeysOfAsync(user.UserName, cancellationToken).ConfigureAwait(false);
        return new ListAccessKeysResponse
        {
            AccessKeyMetadata = keys.Select(k => new AccessKeyMetadataView { UserName = k.UserName, AccessKeyId = k.AccessKeyId, Status = k.Status, CreateDate = k.CreateDate }).ToList(),
        };
    }
}

/// <summary>UpdateAccessKey request.</summary>
public sealed class UpdateAccessKeyRequest : IUserRequest
{
    /// <summary>The user; the caller when absent.</summary>
    public string? UserName { get; init; }
    /// <summary>Key id.</summary>
    public required string AccessKeyId { get; init; }
    /// <summary>Active or Inactive.</summary>
    public required string Status { get; init; }
}

/// <summary>Activates or deactivates a key.</summary>
public sealed class UpdateAccessKey : IamOperation<UpdateAccessKeyRequest, NoOutput>
{
    /// <inheritdoc />
    public override async Task<NoOutput> ExecuteAsync(IamDirectory directory, Principal caller, UpdateAccessKeyRequest request, CancellationToken cancellationToken)
    {
        if (request.Status is not ("Active" or "Inactive"))
            throw new IamException(IamErrorCode.InvalidInputException, "Status must be Active or Inactive.");
        var name = request.UserName ?? caller.UserName ?? throw new IamException(IamErrorCode.InvalidInputException, "Give UserName.");
        await directory.UpdateAccessKeyAsync(name, request.AccessKeyId, request.Status, cancellationToken).ConfigureAwait(false);
        return NoOutput.Instance;
    }
}

/// <summary>DeleteAccessKey request.</summary>
public sealed class DeleteAccessKeyRequest : IUserRequest
{
    /// <summary>The user; the caller when absent.</summary>
    public string? UserName { get; init; }
    /// <summary>Key id.</summary>
    public required string AccessKeyId { get; init; }
}

/// <summary>Deletes a key.</summary>
public sealed class DeleteAccessKey : IamOperation<DeleteAccessKeyRequest, NoOutput>
{
    /// <inheritdoc />
    public override async Task<NoOutput> ExecuteAsync(IamDirectory directory, Principal caller, DeleteAccessKeyRequest request, CancellationToken cancellationToken)
    {
        var name = request.UserName ?? caller.UserName ?? throw new IamException(IamErrorCode.InvalidInputException, "Give UserName.");
        await directory.DeleteAccessKeyAsync(name, request.AccessKeyId, cancellationToken).ConfigureAwait(false);
        return NoOutput.Instance;
    }
}
