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

/// <summary>
/// One call: who makes it, the keys and aliases it resolved, and what it touched (for the audit record and metrics).
/// A request resolves each identifier it names once: authorization and the operation both resolve through the call,
/// so the operation runs on the very key its permission was decided on, even if an alias moves in between.
/// </summary>
public sealed class KmsCall(string callerArn, string callerAccount)
{
    private readonly List<(string Arn, string KeySpec)> _touched = [];
    private Dictionary<string, Model.KeyRecord?>? _keys;
    private Dictionary<string, Model.AliasRecord?>? _aliases;

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

    /// <summary>The key an identifier (any form) names, resolved on the call's first ask and the same on every later one.</summary>
    public async Task<Model.KeyRecord> KeyAsync(KmsContext context, string identifier, CancellationToken cancellationToken)
    {
        if (_keys is not null && _keys.TryGetValue(identifier, out var known) && known is not null) return known;
        var key = await context.Resolver.ResolveAsync(identifier, cancellationToken).ConfigureAwait(false);
        (_keys ??= new(StringComparer.Ordinal))[identifier] = key;
        return key;
    }

    /// <summary>The key with this key id (as a ciphertext names it), or null; looked up once per call.</summary>
    public async Task<Model.KeyRecord?> FindKeyAsync(KmsContext context, string keyId, CancellationToken cancellationToken)
    {
        if (_keys is not null && _keys.TryGetValue(keyId, out var known)) return known;
        var key = await context.Keys.FindAsync(keyId, cancellationToken).ConfigureAwait(false);
        (_keys ??= new(StringComparer.Ordinal))[keyId] = key;
        return key;
    }

    /// <summary>The key id an identifier names without loading the key: the resolved key's, when the call resolved it already.</summary>
    public async Task<string> KeyIdAsync(KmsContext context, string identifier, CancellationToken cancellationToken)
        => _keys is not null && _keys.TryGetValue(identifier, out var known) && known is not null
            ? known.KeyId
            : await context.Resolver.ResolveKeyIdAsync(identifier, cancellationToken).ConfigureAwait(false);

    /// <summary>The alias, or null; looked up once per call, so an alias operation changes the alias it was authorized on.</summary>
    public async Task<Model.AliasRecord?> AliasAsync(KmsContext context, string aliasName, CancellationToken cancellationToken)
    {
        if (_aliases is not null && _aliases.TryGetValue(aliasName, out var known)) return known;
        var alias = await context.Keys.FindAliasAsync(aliasName, cancellationToken).ConfigureAwait(false);
        (_aliases ??= new(StringComparer.Ordinal))[aliasName] = alias;
        return alias;
    }
}
