using Citadel.Audit;
using Citadel.Kms;
using Citadel.Kms.Keys;
using Citadel.Kms.Model;
using Citadel.Server.Hosting;
using Citadel.Server.Protocols;

namespace Citadel.Server.Services;

/// <summary>
/// What a KMS request asks the authorizer: the action on the key it names (resolved from any identifier
/// form, or from the ciphertext for Decrypt and ReEncrypt), with the key policy and the KMS condition keys;
/// ReEncrypt asks kms:ReEncryptFrom on the source key and kms:ReEncryptTo on the destination; alias
/// operations ask on the alias and on the key. Operations without a key ask on "*".
/// </summary>
public static class KmsAuthorization
{
    /// <summary>The checks of a request.</summary>
    public static async Task<IReadOnlyList<AuthorizationCheck>> ChecksAsync(KmsContext kms, string operation, object request, ResourceCollector resources, CancellationToken cancellationToken)
    {
        string? Text(string name) => request.GetType().GetProperty(name)?.GetValue(request) as string;
        var keys = RequestKeys(request);
        var checks = new List<AuthorizationCheck>();

        void AddKeyCheck(string action, KeyRecord key)
        {
            resources.Resources.Add(new AuditResource("AWS::KMS::Key", key.Arn, kms.Settings.AccountId));
            checks.Add(new AuthorizationCheck(action, key.Arn, key.Policy, true, KeyConditions(key, keys, Text("KeyId"))));
        }

        switch (operation)
        {
            case "ReEncrypt":
                if (await SourceKeyAsync(kms, Text("SourceKeyId"), request, cancellationToken).ConfigureAwait(false) is { } source)
                    AddKeyCheck("kms:ReEncryptFrom", source);
                else
                    checks.Add(AuthorizationCheck.OnAnyResource("kms:ReEncryptFrom"));
                AddKeyCheck("kms:ReEncryptTo", await kms.Resolver.ResolveAsync(Text("DestinationKeyId")!, cancellationToken).ConfigureAwait(false));
                break;
            case "Decrypt":
                if (await SourceKeyAsync(kms, Text("KeyId"), request, cancellationToken).ConfigureAwait(false) is { } decryptKey)
                    AddKeyCheck("kms:Decrypt", decryptKey);
                else
                    checks.Add(AuthorizationCheck.OnAnyResource("kms:Decrypt"));
                break;
            case "CreateAlias" or "UpdateAlias" or "DeleteAlias":
                var aliasName = Text("AliasName")!;
                checks.Add(new AuthorizationCheck($"kms:{operation}", kms.Settings.AliasArn(aliasName), null, false, keys));
                var target = Text("TargetKeyId") ?? (await kms.Keys.FindAliasAsync(aliasName, cancellationToken).ConfigureAwait(false))?.TargetKeyId;
                if (target is not null) AddKeyCheck($"kms:{operation}", await kms.Resolver.ResolveAsync(target, cancellationToken).ConfigureAwait(false));
                break;
            default:
                if (Text("KeyId") is { } keyId)
                    AddKeyCheck($"kms:{operation}", await kms.Resolver.ResolveAsync(keyId, cancellationToken).ConfigureAwait(false));
                else
                    checks.Add(new AuthorizationCheck($"kms:{operation}", "*", null, false, keys));
                break;
        }
        return checks;
    }

    private static async Task<KeyRecord?> SourceKeyAsync(KmsContext kms, string? keyId, object request, CancellationToken cancellationToken)
    {
        if (keyId is not null) return await kms.Resolver.ResolveAsync(keyId, cancellationToken).ConfigureAwait(false);
        var blob = request.GetType().GetProperty("CiphertextBlob")?.GetValue(request) as byte[];
        return blob is not null && SymmetricCiphertext.TryParse(blob) is { } header
            ? await kms.Keys.FindAsync(header.KeyId.ToString("D"), cancellationToken).ConfigureAwait(false)
            : null;
    }

    // Condition keys taken from the request itself.
    private static Dictionary<string, IReadOnlyList<string>> RequestKeys(object request)
    {
        var keys = new Dictionary<string, IReadOnlyList<string>>(StringComparer.OrdinalIgnoreCase);
        foreach (var (property, key) in new[] { ("EncryptionAlgorithm", "kms:EncryptionAlgorithm"), ("SigningAlgorithm", "kms:SigningAlgorithm"), ("MacAlgorithm", "kms:MacAlgorithm"), ("KeySpec", "kms:KeySpec"), ("KeyUsage", "kms:KeyUsage") })
        {
            if (request.GetType().GetProperty(property)?.GetValue(request) is string value) keys[key] = [value];
        }
        foreach (var name in new[] { "EncryptionContext", "DestinationEncryptionContext", "SourceEncryptionContext" })
        {
            if (request.GetType().GetProperty(name)?.GetValue(request) is not Dictionary<string, string> context || context.Count == 0) continue;
            foreach (var (k, v) in context) keys[$"kms:EncryptionContext:{k}"] = [v];
            keys["kms:EncryptionContextKeys"] = context.Keys.ToList();
        }
        if (request.GetType().GetProperty("Tags")?.GetValue(request) is List<Tag> tags && tags.Count > 0)
        {
            foreach (var tag in tags) keys[$"aws:RequestTag/{tag.TagKey}"] = [tag.TagValue];
            keys["aws:TagKeys"] = tags.Select(t => t.TagKey).ToList();
        }
        return keys;
    }

    private static Dictionary<string, IReadOnlyList<string>> KeyConditions(KeyRecord key, Dictionary<string, IReadOnlyList<string>> requestKeys, string? requestedId)
    {
        var keys = new Dictionary<string, IReadOnlyList<string>>(requestKeys, StringComparer.OrdinalIgnoreCase)
        {
            ["kms:KeySpec"] = [key.KeySpec],
            ["kms:KeyUsage"] = [key.KeyUsage],
            ["kms:KeyOrigin"] = [key.Origin],
            ["kms:CallerAccount"] = [key.Arn.Split(':')[4]],
        };
        if (requestedId is not null && requestedId.Contains("alias/", StringComparison.Ordinal)) keys["kms:RequestAlias"] = [requestedId[requestedId.IndexOf("alias/", StringComparison.Ordinal)..]];
        foreach (var (k, v) in key.Tags) keys[$"aws:ResourceTag/{k}"] = [v];
        return keys;
    }
}
