using System.Text.RegularExpressions;

namespace Citadel.Kms.Grants;

/// <summary>The ARN forms a grant's principals take: an account root, an IAM user or role, an assumed-role session, a federated user.</summary>
public static partial class PrincipalArns
{
    /// <summary>Whether the text is a principal ARN of one of the forms grants accept.</summary>
    public static bool IsPrincipalArn(string arn) => PrincipalPattern().IsMatch(arn);

    [GeneratedRegex(@"^arn:[a-z-]+:(iam::\d{12}:(root|user/.+|role/.+)|sts::\d{12}:(assumed-role/[^/]+/.+|federated-user/.+))$", RegexOptions.CultureInvariant)]
    private static partial Regex PrincipalPattern();
}
