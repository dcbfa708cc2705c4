namespace Citadel.Kms;

/// <summary>Where KMS lives: the account, region and ARN partition its ARNs carry.</summary>
/// <param name="AccountId">12-digit account id.</param>
/// <param name="Region">Region name.</param>
/// <param name="Partition">ARN partition (aws, aws-us-gov, ...).</param>
public sealed record KmsSettings(string AccountId, string Region, string Partition)
{
    /// <summary>The key ARN of a key id.</summary>
    public string KeyArn(string keyId) => $"arn:{Partition}:kms:{Region}:{AccountId}:key/{keyId}";

    /// <summary>The alias ARN of an alias name (alias/...).</summary>
    public string AliasArn(string aliasName) => $"arn:{Partition}:kms:{Region}:{AccountId}:{aliasName}";

    /// <summary>The most grants one key can have (AWS's quota is 50,000).</summary>
    public int MaxGrantsPerKey { get; init; } = 50_000;

    /// <summary>The account's root ARN.</summary>
    public string RootArn => $"arn:{Partition}:iam::{AccountId}:root";
}
