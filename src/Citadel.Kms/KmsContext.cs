using Citadel.Crypto;
using Citadel.Kms.Grants;
using Citadel.Kms.Keys;

namespace Citadel.Kms;

/// <summary>What every KMS operation works with: settings, keys, the clock and randomness.</summary>
public sealed class KmsContext(KmsSettings settings, KeyRepository keys, RootKeyHolder root, TimeProvider time, IRandom random)
{
    /// <summary>Account, region, partition.</summary>
    public KmsSettings Settings { get; } = settings;
    /// <summary>Key and alias storage.</summary>
    public KeyRepository Keys { get; } = keys;
    /// <summary>The root key (seal state).</summary>
    public RootKeyHolder Root { get; } = root;
    /// <summary>The clock.</summary>
    public TimeProvider Time { get; } = time;
    /// <summary>Randomness.</summary>
    public IRandom Random { get; } = random;
    /// <summary>Resolves key identifiers.</summary>
    public KeyResolver Resolver { get; } = new(settings, keys, time, random);
    /// <summary>Grants on the keys.</summary>
    public GrantStore Grants { get; } = new(keys);
    /// <summary>Checks grantee and retiring principals exist; null accepts any principal ARN of the account.</summary>
    public IPrincipalDirectory? Principals { get; init; }
}

/// <summary>One call: who makes it, and what it touched (for the audit record and metrics).</summary>
public sealed class KmsCall(string callerArn, string callerAccount)
{
    private readonly List<(string Arn, string KeySpec)> _touched = [];

    /// <summary>The caller's ARN.</summary>
    public string CallerArn { get; } = callerArn;
    /// <summary>The caller's account.</summary>
    public string CallerAccount { get; } = callerAccount;

    /// <summary>Keys the call used, with their spec.</summary>
    public IReadOnlyList<(string Arn, string KeySpec)> Touched => _touched;

    /// <summary>Records a key the call used.</summary>
    public void Touch(Model.KeyRecord key)
    {
        if (!_touched.Any(t => t.Arn == key.Arn)) _touched.Add((key.Arn, key.KeySpec));
    }
}
