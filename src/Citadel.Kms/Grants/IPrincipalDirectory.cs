namespace Citadel.Kms.Grants;

/// <summary>
/// Tells KMS whether a principal ARN names an identity that exists (grantee and retiring principals of a grant), as
/// AWS checks them; the server fills it from IAM, which Citadel.Kms does not reference.
/// </summary>
public interface IPrincipalDirectory
{
    /// <summary>Whether the ARN names an existing principal of the account: its root, a user, a role, or a session of a role.</summary>
    Task<bool> ExistsAsync(string principalArn, CancellationToken cancellationToken = default);
}
