namespace Citadel.Iam.Policies;

/// <summary>A <c>Principal</c> or <c>NotPrincipal</c> element: <c>"*"</c> or a map of principal type to identifiers.</summary>
public sealed record PolicyPrincipal
{
    /// <summary>True for <c>"*"</c> or <c>{"AWS": "*"}</c>: every principal.</summary>
    public bool IsWildcard { get; init; }

    /// <summary>The <c>AWS</c> entries: account ids, account root ARNs, user or role ARNs, or <c>*</c>.</summary>
    public IReadOnlyList<string> Aws { get; init; } = [];

    /// <summary>The <c>Service</c> entries (e.g. <c>logs.amazonaws.com</c>).</summary>
    public IReadOnlyList<string> Service { get; init; } = [];

    /// <summary>The <c>Federated</c> entries.</summary>
    public IReadOnlyList<string> Federated { get; init; } = [];

    /// <summary>The <c>CanonicalUser</c> entries.</summary>
    public IReadOnlyList<string> CanonicalUser { get; init; } = [];

    /// <summary>
    /// Whether the element names the principal: <c>*</c>; the principal ARN; the account root
    /// (<c>arn:PARTITION:iam::ACCOUNT:root</c>) or bare account id, which name every principal of that account;
    /// or a service/federated/canonical identifier equal to the principal ARN. An assumed-role session
    /// (<c>arn:PARTITION:sts::ACCOUNT:assumed-role/ROLE/SESSION</c>) is also named by its role ARN
    /// (<c>arn:PARTITION:iam::ACCOUNT:role/ROLE</c>, without a path).
    /// </summary>
    public bool Matches(string principalArn, string principalAccount) => Matches(principalArn, principalAccount, throughAccount: true);

    /// <summary>
    /// Whether the element names the principal itself, not merely its account. In a resource policy an
    /// Allow to the account (its root ARN or id) delegates to the account's identity policies rather than
    /// granting its users anything; only a Deny to the account applies to all of them.
    /// </summary>
    public bool NamesDirectly(string principalArn) => Matches(principalArn, "", throughAccount: false);

    private bool Matches(string principalArn, string principalAccount, bool throughAccount)
    {
        if (IsWildcard)
        {
            return true;
        }
        var roleArn = RoleOfSession(principalArn);
        foreach (var entry in Aws)
        {
            if (entry == "*" || string.Equals(entry, principalArn, StringComparison.Ordinal)
                || (roleArn is not null && string.Equals(entry, roleArn, StringComparison.Ordinal)))
            {
                return true;
            }
            if (throughAccount && principalAccount.Length > 0 && (entry == principalAccount || IsAccountRoot(entry, principalAccount)))
            {
                return true;
            }
        }
        return Service.Concat(Federated).Concat(CanonicalUser)
            .Any(entry => string.Equals(entry, principalArn, StringComparison.OrdinalIgnoreCase));
    }

    private static string? RoleOfSession(string principalArn)
    {
        // arn:PARTITION:sts::ACCOUNT:assumed-role/ROLE/SESSION -> arn:PARTITION:iam::ACCOUNT:role/ROLE
        var parts = principalArn.Split(':', 6);
        if (parts.Length != 6 || parts[0] != "arn" || parts[2] != "sts" || !parts[5].StartsWith("assumed-role/", StringComparison.Ordinal))
        {
            return null;
        }
        var path = parts[5].Split('/');
        return path.Length == 3 ? $"arn:{parts[1]}:iam::{parts[4]}:role/{path[1]}" : null;
    }

    private static bool IsAccountRoot(string entry, string account)
    {
        // arn:PARTITION:iam::ACCOUNT:root
        var parts = entry.Split(':');
        return parts.Length == 6 && parts[0] == "arn" && parts[2] == "iam" && parts[3].Length == 0
            && parts[4] == account && parts[5] == "root";
    }
}
