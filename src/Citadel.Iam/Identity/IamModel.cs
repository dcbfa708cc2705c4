namespace Citadel.Iam.Identity;

/// <summary>An identity that holds policies: a user or a role.</summary>
public interface IPolicyHolder
{
    /// <summary>Inline policies by name.</summary>
    SortedDictionary<string, string> InlinePolicies { get; }
    /// <summary>ARNs of attached managed policies.</summary>
    List<string> AttachedPolicies { get; }
    /// <summary>Tags by key.</summary>
    SortedDictionary<string, string> Tags { get; }
}

/// <summary>An IAM role as stored (document <c>iam-roles/&lt;lower-case name&gt;</c>).</summary>
public sealed class IamRoleRecord : IPolicyHolder
{
    /// <summary>Name.</summary>
    public required string RoleName { get; init; }
    /// <summary>Unique id (AROA...).</summary>
    public required string RoleId { get; init; }
    /// <summary>Path.</summary>
    public required string Path { get; init; }
    /// <summary>ARN.</summary>
    public required string Arn { get; init; }
    /// <summary>Created.</summary>
    public required DateTimeOffset CreateDate { get; init; }
    /// <summary>The trust policy: who may assume the role.</summary>
    public required string AssumeRolePolicyDocument { get; set; }
    /// <summary>Description.</summary>
    public string? Description { get; init; }
    /// <summary>Longest session, seconds (3600 to 43200).</summary>
    public int MaxSessionDuration { get; init; } = 3600;
    /// <inheritdoc />
    public SortedDictionary<string, string> Tags { get; init; } = new(StringComparer.Ordinal);
    /// <inheritdoc />
    public SortedDictionary<string, string> InlinePolicies { get; init; } = new(StringComparer.Ordinal);
    /// <inheritdoc />
    public List<string> AttachedPolicies { get; init; } = [];
}

/// <summary>An IAM user as stored (document <c>iam-users/&lt;lower-case name&gt;</c>: IAM names are unique ignoring case).</summary>
public sealed class IamUserRecord : IPolicyHolder
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
    /// <summary>ARNs of attached managed policies.</summary>
    public List<string> AttachedPolicies { get; init; } = [];
    /// <summary>Names of the groups the user belongs to.</summary>
    public List<string> Groups { get; init; } = [];
}

/// <summary>An IAM group as stored (document <c>iam-groups/&lt;lower-case name&gt;</c>); membership is kept on the users.</summary>
public sealed class IamGroupRecord : IPolicyHolder
{
    /// <summary>Name.</summary>
    public required string GroupName { get; init; }
    /// <summary>Unique id (AGPA...).</summary>
    public required string GroupId { get; init; }
    /// <summary>Path.</summary>
    public required string Path { get; init; }
    /// <summary>ARN.</summary>
    public required string Arn { get; init; }
    /// <summary>Created.</summary>
    public required DateTimeOffset CreateDate { get; init; }
    /// <inheritdoc />
    public SortedDictionary<string, string> InlinePolicies { get; init; } = new(StringComparer.Ordinal);
    /// <inheritdoc />
    public List<string> AttachedPolicies { get; init; } = [];
    /// <inheritdoc />
    public SortedDictionary<string, string> Tags { get; init; } = new(StringComparer.Ordinal);
}

/// <summary>A customer managed policy with its versions (document <c>iam-policies/&lt;arn&gt;</c>).</summary>
public sealed class ManagedPolicyRecord
{
    /// <summary>Name.</summary>
    public required string PolicyName { get; init; }
    /// <summary>Unique id (ANPA...).</summary>
    public required string PolicyId { get; init; }
    /// <summary>ARN.</summary>
    public required string Arn { get; init; }
    /// <summary>Path.</summary>
    public required string Path { get; init; }
    /// <summary>Description.</summary>
    public string? Description { get; init; }
    /// <summary>Created.</summary>
    public required DateTimeOffset CreateDate { get; init; }
    /// <summary>Last changed.</summary>
    public required DateTimeOffset UpdateDate { get; set; }
    /// <summary>The version in force.</summary>
    public required string DefaultVersionId { get; set; }
    /// <summary>Versions, oldest first (at most five).</summary>
    public List<PolicyVersionRecord> Versions { get; init; } = [];
    /// <summary>The number the next version gets.</summary>
    public int NextVersion { get; set; } = 2;
    /// <summary>Users it is attached to.</summary>
    public int AttachmentCount { get; set; }

    /// <summary>The document of the default version.</summary>
    public string DefaultDocument => Versions.First(v => v.VersionId == DefaultVersionId).Document;
}

/// <summary>One version of a managed policy.</summary>
public sealed class PolicyVersionRecord
{
    /// <summary>v1, v2, ...</summary>
    public required string VersionId { get; init; }
    /// <summary>The document.</summary>
    public required string Document { get; init; }
    /// <summary>Created.</summary>
    public required DateTimeOffset CreateDate { get; init; }
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
