namespace Citadel.Iam;

/// <summary>An authenticated caller, in the shape CloudTrail's <c>userIdentity</c> describes it.</summary>
/// <param name="Type">CloudTrail identity type: <c>Root</c>, <c>IAMUser</c>, <c>AssumedRole</c>.</param>
/// <param name="PrincipalId">The unique principal id (for the root: the account id).</param>
/// <param name="Arn">The principal's ARN.</param>
/// <param name="AccountId">The account the principal belongs to.</param>
/// <param name="UserName">The user name, when there is one.</param>
/// <param name="AccessKeyId">The access key that signed the request.</param>
public sealed record Principal(string Type, string PrincipalId, string Arn, string AccountId, string? UserName, string AccessKeyId)
{
    /// <summary>Session tags of an assumed-role session (they become aws:PrincipalTag/*).</summary>
    public IReadOnlyDictionary<string, string>? SessionTags { get; init; }

    /// <summary>When the session token of an assumed-role session was issued (<c>aws:TokenIssueTime</c>); null for long-term credentials.</summary>
    public DateTimeOffset? TokenIssueTime { get; init; }

    /// <summary>The source identity an assumed-role session was given (<c>aws:SourceIdentity</c>), if any.</summary>
    public string? SourceIdentity { get; init; }

    /// <summary>For an assumed-role session, the unique id of its role: the part of <see cref="PrincipalId"/> (RoleId:SessionName)
    /// before the colon, which a session name cannot contain; otherwise null.</summary>
    public string? RoleId => Type == "AssumedRole" && PrincipalId.IndexOf(':', StringComparison.Ordinal) is > 0 and var colon ? PrincipalId[..colon] : null;

    /// <summary>Whether this is the account's root (the administrator).</summary>
    public bool IsRoot => Type == "Root";
}

/// <summary>A secret access key and the principal it authenticates.</summary>
public sealed record Credential(string AccessKeyId, string SecretAccessKey, Principal Principal);

/// <summary>Finds credentials by access key id.</summary>
public interface ICredentialStore
{
    /// <summary>Returns the credential or null when the key is unknown or inactive.</summary>
    Credential? Find(string accessKeyId);
}
