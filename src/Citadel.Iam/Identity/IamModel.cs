namespace Citadel.Iam.Identity;

/// <summary>An IAM user as stored (document <c>iam-users/&lt;lower-case name&gt;</c>: IAM names are unique ignoring case).</summary>
public sealed class IamUserRecord
{
    /// <summary>User name, case as created.</summary>
    public required string UserName { get; init; }
    /// <summary>Unique id (AIDA...).</summary>
    public required string UserId { get; init; }
    /// <summary>Path, "/" by default.</summary>
    public required string Path { get; init; }
    /// <summary>ARN.</summary>
    public required string Arn { get; init; }
    /// <summary>Creation time.</summary>
    public required DateTimeOffset CreateDate { get; init; }
    /// <summary>Tags by key.</summary>
    public SortedDictionary<string, string> Tags { get; init; } = new(StringComparer.Ordinal);
    /// <summary>Inline policies by name (documents as given; validated on write).</summary>
    public SortedDictionary<string, string> InlinePolicies { get; init; } = new(StringComparer.Ordinal);
}

/// <summary>An access key as stored (document <c>iam-access-keys/&lt;id&gt;</c>); the secret only wrapped under the root key.</summary>
public sealed class AccessKeyRecord
{
    /// <summary>AKIA...</summary>
    public required string AccessKeyId { get; init; }
    /// <summary>Owner.</summary>
    public required string UserName { get; init; }
    /// <summary>Active or Inactive.</summary>
    public required string Status { get; set; }
    /// <summary>Creation time.</summary>
    public required DateTimeOffset CreateDate { get; init; }
    /// <summary>The secret, wrapped under the root key bound to the access key id.</summary>
    public required byte[] WrappedSecret { get; init; }
}

/// <summary>IAM error types, named as their model shapes (the wire code comes from the model).</summary>
public enum IamErrorCode
{
    /// <summary>NoSuchEntity (404).</summary>
    NoSuchEntityException,
    /// <summary>EntityAlreadyExists (409).</summary>
    EntityAlreadyExistsException,
    /// <summary>DeleteConflict (409).</summary>
    DeleteConflictException,
    /// <summary>LimitExceeded (409).</summary>
    LimitExceededException,
    /// <summary>InvalidInput (400).</summary>
    InvalidInputException,
    /// <summary>MalformedPolicyDocument (400).</summary>
    MalformedPolicyDocumentException,
}

/// <summary>An IAM domain error.</summary>
public sealed class IamException(IamErrorCode code, string message) : Exception(message)
{
    /// <summary>The error shape.</summary>
    public IamErrorCode Code { get; } = code;
}
