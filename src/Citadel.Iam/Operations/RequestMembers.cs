namespace Citadel.Iam.Operations;

// The members of IAM requests that authorization reads (to check a request on the ARN of the user, group, role or
// policy it names), as interfaces the request types implement: the compiler checks them, where reading them by
// name would silently skip a renamed member. A test checks that every request type with such a member implements it.

/// <summary>A request about a user (a missing name means the caller itself, as in IAM).</summary>
public interface IUserRequest
{
    /// <summary>The user's name.</summary>
    string? UserName { get; }
}

/// <summary>A request about a group.</summary>
public interface IGroupRequest
{
    /// <summary>The group's name.</summary>
    string? GroupName { get; }
}

/// <summary>A request about a role.</summary>
public interface IRoleRequest
{
    /// <summary>The role's name.</summary>
    string? RoleName { get; }
}

/// <summary>A request about a managed policy.</summary>
public interface IPolicyArnRequest
{
    /// <summary>The policy's ARN.</summary>
    string? PolicyArn { get; }
}

/// <summary>A request that gives the path of what it creates or lists.</summary>
public interface IPathRequest
{
    /// <summary>The path.</summary>
    string? Path { get; }
}
