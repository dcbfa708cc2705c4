using Citadel.Iam.Identity;
using Citadel.Kms.Grants;

namespace Citadel.Server.Services;

/// <summary>
/// Tells KMS which principal ARNs exist, from IAM: the account root, users and roles (by their full ARN, path
/// included), and sessions of existing roles. Other accounts and federated users do not exist in Citadel.
/// </summary>
public sealed class IamPrincipalDirectory(IamDirectory directory) : IPrincipalDirectory
{
    /// <inheritdoc />
    public async Task<bool> ExistsAsync(string principalArn, CancellationToken cancellationToken = default)
    {
        var parts = principalArn.Split(':', 6);
        if (parts.Length != 6 || parts[0] != "arn" || parts[1] != directory.Partition || parts[4] != directory.AccountId) return false;
        var resource = parts[5];
        var name = resource[(resource.LastIndexOf('/') + 1)..];
        return (parts[2], resource) switch
        {
            ("iam", "root") => true,
            ("iam", _) when resource.StartsWith("user/", StringComparison.Ordinal)
                => (await directory.FindUserAsync(name, cancellationToken).ConfigureAwait(false))?.Arn == principalArn,
            ("iam", _) when resource.StartsWith("role/", StringComparison.Ordinal)
                => (await directory.FindRoleAsync(name, cancellationToken).ConfigureAwait(false))?.Arn == principalArn,
            ("sts", _) when resource.StartsWith("assumed-role/", StringComparison.Ordinal) && resource.Split('/') is { Length: 3 } session
                => await directory.FindRoleAsync(session[1], cancellationToken).ConfigureAwait(false) is not null,
            _ => false,
        };
    }
}
