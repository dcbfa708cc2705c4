using Citadel.Crypto;
using Citadel.Kms.Model;

namespace Citadel.Kms.Keys;

/// <summary>
/// Resolves every key identifier form KMS accepts: key id, key ARN, alias name and alias ARN.
/// Reserved <c>alias/aws/*</c> aliases get their AWS-managed key on first use, as AWS does.
/// </summary>
public sealed class KeyResolver(KmsSettings settings, KeyRepository keys, TimeProvider time, IRandom random)
{
    private readonly SemaphoreSlim _managedKeyLock = new(1, 1);

    /// <summary>Resolves the identifier to a key, or throws NotFoundException / InvalidArnException.</summary>
    public async Task<KeyRecord> ResolveAsync(string identifier, CancellationToken cancellationToken = default)
    {
        var keyId = await ResolveKeyIdAsync(identifier, cancellationToken).ConfigureAwait(false);
        return await keys.FindAsync(keyId, cancellationToken).ConfigureAwait(false)
            ?? throw NotFound(keyId);
    }

    /// <summary>Resolves the identifier to a key id without loading the key.</summary>
    public async Task<string> ResolveKeyIdAsync(string identifier, CancellationToken cancellationToken = default)
    {
        if (identifier.StartsWith("arn:", StringComparison.Ordinal))
        {
            var parts = identifier.Split(':', 6);
            if (parts.Length != 6 || parts[2] != "kms" || parts[5].Length == 0)
                throw new KmsException(KmsErrorCode.InvalidArn, $"Invalid arn {identifier}");
            if (parts[1] != settings.Partition || parts[3] != settings.Region || parts[4] != settings.AccountId)
                throw new KmsException(KmsErrorCode.NotFound, $"Invalid arn {identifier}");
            var resource = parts[5];
            if (resource.StartsWith("key/", StringComparison.Ordinal)) return CheckKeyId(resource[4..], identifier);
            if (resource.StartsWith("alias/", StringComparison.Ordinal)) return await AliasTargetAsync(resource, cancellationToken).ConfigureAwait(false);
            throw new KmsException(KmsErrorCode.InvalidArn, $"Invalid arn {identifier}");
        }
        if (identifier.StartsWith("alias/", StringComparison.Ordinal)) return await AliasTargetAsync(identifier, cancellationToken).ConfigureAwait(false);
        return CheckKeyId(identifier, identifier);
    }

    /// <summary>The NotFoundException AWS gives for a key.</summary>
    public KmsException NotFound(string keyId) => new(KmsErrorCode.NotFound, $"Key '{settings.KeyArn(keyId)}' does not exist");

    private static string CheckKeyId(string keyId, string original)
    {
        if (!Guid.TryParseExact(keyId, "D", out var guid) || guid.ToString("D") != keyId)
            throw new KmsException(KmsErrorCode.NotFound, $"Invalid keyId '{original}'");
        return keyId;
    }

    private async Task<string> AliasTargetAsync(string aliasName, CancellationToken cancellationToken)
    {
        var alias = await keys.FindAliasAsync(aliasName, cancellationToken).ConfigureAwait(false);
        if (alias is not null) return alias.TargetKeyId;
        if (AliasNames.IsAwsManaged(aliasName)) return await CreateManagedKeyAsync(aliasName, cancellationToken).ConfigureAwait(false);
        throw new KmsException(KmsErrorCode.NotFound, $"Alias {settings.AliasArn(aliasName)} is not found.");
    }

    private async Task<string> CreateManagedKeyAsync(string aliasName, CancellationToken cancellationToken)
    {
        await _managedKeyLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var existing = await keys.FindAliasAsync(aliasName, cancellationToken).ConfigureAwait(false);
            if (existing is not null) return existing.TargetKeyId;
            var service = aliasName["alias/aws/".Length..];
            var now = time.GetUtcNow();
            var record = KeyFactory.NewKey(settings, keys, random, now, "SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT", "AWS_KMS",
                $"Default key that protects my {service} resources when no other key is defined", KeyPolicies.Default(settings), "AWS");
            // AWS-managed keys rotate every year, always.
            record.RotationEnabled = true;
            record.RotationPeriodInDays = 365;
            record.NextRotationDate = now.AddDays(365);
            var alias = new AliasRecord { AliasName = aliasName, TargetKeyId = record.KeyId, CreationDate = now, LastUpdatedDate = now };
            await keys.CreateAsync(record, alias, cancellationToken).ConfigureAwait(false);
            return record.KeyId;
        }
        finally
        {
            _managedKeyLock.Release();
        }
    }
}

/// <summary>Rules on alias names.</summary>
public static class AliasNames
{
    /// <summary>Whether the alias is in the reserved AWS-managed namespace.</summary>
    public static bool IsAwsManaged(string aliasName) => aliasName.StartsWith("alias/aws/", StringComparison.Ordinal) && aliasName.Length > "alias/aws/".Length;
}
