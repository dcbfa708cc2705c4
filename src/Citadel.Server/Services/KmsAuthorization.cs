using Citadel.Audit;
using Citadel.Kms;
using Citadel.Kms.Grants;
using Citadel.Kms.Keys;
using Citadel.Kms.Model;
using Citadel.Kms.Operations;
using Citadel.Server.Hosting;
using Citadel.Server.Protocols;

namespace Citadel.Server.Services;

/// <summary>
/// What a KMS request asks the authorizer: the action on the key it names (resolved from any identifier
/// form, or from the ciphertext for Decrypt and ReEncrypt), with the key policy, the KMS condition keys and the
/// grants of the key that would allow the request; ReEncrypt asks kms:ReEncryptFrom on the source key and
/// kms:ReEncryptTo on the destination; alias operations ask on the alias and on the key; RetireGrant asks on the
/// grant's key with the grant's retiring principals and no key policy (AWS does not let key policies govern it).
/// Operations without a key ask on "*". Grant tokens the request carries are checked first.
/// </summary>
public static class KmsAuthorization
{
    /// <summary>The checks of a request.</summary>
    /// <remarks>
    /// Keys and aliases are resolved through <paramref name="call"/>, the call the operation then runs with: it runs on
    /// exactly the keys decided here (an alias moved in between changes nothing for this request).
    /// </remarks>
    public static async Task<IReadOnlyList<AuthorizationCheck>> ChecksAsync(KmsContext kms, KmsCall call, string operation, object request, ResourceCollector resources, CancellationToken cancellationToken)
    {
        // A token Citadel did not issue is refused as such, not as a lack of permission.
        GrantTokens.CheckRequest(kms.Root, request);
        var requestedKeyId = (request as IKeyRequest)?.KeyId;
        var keys = RequestKeys(request);
        var checks = new List<AuthorizationCheck>();

        async Task AddKeyCheck(string action, KeyRecord key)
        {
            resources.Resources.Add(new AuditResource("AWS::KMS::Key", key.Arn, kms.Settings.AccountId));
            var conditions = KeyConditions(key, keys, requestedKeyId);
            checks.Add(new AuthorizationCheck(action, key.Arn, key.Policy, true, conditions)
            {
                Grants = await GrantsAllowingAsync(kms, action, key, request, cancellationToken).ConfigureAwait(false),
            });
        }

        switch (operation)
        {
            case "ReEncrypt":
                var reEncrypt = (ReEncryptRequest)request;
                if (await SourceKeyAsync(kms, call, reEncrypt.SourceKeyId, reEncrypt.CiphertextBlob, cancellationToken).ConfigureAwait(false) is { } source)
                    await AddKeyCheck("kms:ReEncryptFrom", source).ConfigureAwait(false);
                else
                    checks.Add(AuthorizationCheck.OnAnyResource("kms:ReEncryptFrom"));
                await AddKeyCheck("kms:ReEncryptTo", await call.KeyAsync(kms, reEncrypt.DestinationKeyId, cancellationToken).ConfigureAwait(false)).ConfigureAwait(false);
                break;
            case "Decrypt":
                var decrypt = (DecryptRequest)request;
                if (await SourceKeyAsync(kms, call, decrypt.KeyId, decrypt.CiphertextBlob, cancellationToken).ConfigureAwait(false) is { } decryptKey)
                    await AddKeyCheck("kms:Decrypt", decryptKey).ConfigureAwait(false);
                else
                    checks.Add(AuthorizationCheck.OnAnyResource("kms:Decrypt"));
                break;
            case "CreateAlias" or "UpdateAlias" or "DeleteAlias":
                var (aliasName, targetKeyId) = request switch
                {
                    CreateAliasRequest create => (create.AliasName, create.TargetKeyId),
                    UpdateAliasRequest update => (update.AliasName, update.TargetKeyId),
                    _ => (((DeleteAliasRequest)request).AliasName, (string?)null),
                };
                checks.Add(new AuthorizationCheck($"kms:{operation}", kms.Settings.AliasArn(aliasName), null, false, keys));
                // UpdateAlias also asks on the key the alias points at now, which it takes the alias from (as DeleteAlias does).
                if (operation != "CreateAlias" && (await call.AliasAsync(kms, aliasName, cancellationToken).ConfigureAwait(false))?.TargetKeyId is { } current)
                    await AddKeyCheck($"kms:{operation}", await call.KeyAsync(kms, current, cancellationToken).ConfigureAwait(false)).ConfigureAwait(false);
                if (targetKeyId is not null)
                    await AddKeyCheck($"kms:{operation}", await call.KeyAsync(kms, targetKeyId, cancellationToken).ConfigureAwait(false)).ConfigureAwait(false);
                break;
            case "RetireGrant":
                checks.Add(await RetireGrantCheckAsync(kms, call, (RetireGrantRequest)request, keys, resources, cancellationToken).ConfigureAwait(false));
                break;
            default:
                if (requestedKeyId is not null)
                    await AddKeyCheck($"kms:{operation}", await call.KeyAsync(kms, requestedKeyId, cancellationToken).ConfigureAwait(false)).ConfigureAwait(false);
                else
                    checks.Add(new AuthorizationCheck($"kms:{operation}", "*", null, false, keys));
                break;
        }
        return checks;
    }

    // The grants of the key that allow this action for this request: its operation and encryption context, and for
    // CreateGrant the operations and constraints of the grant asked for.
    private static async Task<IReadOnlyList<GrantAllowance>> GrantsAllowingAsync(KmsContext kms, string action, KeyRecord key, object request, CancellationToken cancellationToken)
    {
        var operation = action["kms:".Length..];
        if (!GrantOperations.All.Contains(operation) || operation == "RetireGrant") return [];
        var grants = await kms.Grants.OfKeyAsync(key.KeyId, cancellationToken).ConfigureAwait(false);
        if (grants.Count == 0) return [];
        if (request is CreateGrantRequest create)
            return GrantAuthority.ForCreateGrant(grants, create.Operations.Distinct(StringComparer.Ordinal).ToList(), create.Constraints);
        var encryptionContext = (operation, request) switch
        {
            ("ReEncryptFrom", ReEncryptRequest reEncrypt) => reEncrypt.SourceEncryptionContext,
            ("ReEncryptTo", ReEncryptRequest reEncrypt) => reEncrypt.DestinationEncryptionContext,
            _ => (request as IEncryptionContextRequest)?.EncryptionContext,
        };
        return GrantAuthority.ForOperation(grants, operation, encryptionContext);
    }

    // RetireGrant is decided by the grant (its retiring principal; its grantee when it allows RetireGrant) and by IAM
    // policies of the account (kms:RetireGrant delegated, or denied); the key policy has no say, as in AWS.
    private static async Task<AuthorizationCheck> RetireGrantCheckAsync(KmsContext kms, KmsCall call, RetireGrantRequest request, Dictionary<string, IReadOnlyList<string>> keys,
        ResourceCollector resources, CancellationToken cancellationToken)
    {
        var (keyIdentifier, grantId) = await RetireGrant.IdentifyAsync(kms, request, cancellationToken).ConfigureAwait(false);
        var key = await call.KeyAsync(kms, keyIdentifier, cancellationToken).ConfigureAwait(false);
        resources.Resources.Add(new AuditResource("AWS::KMS::Key", key.Arn, kms.Settings.AccountId));
        var grant = await kms.Grants.FindAsync(key.KeyId, grantId, cancellationToken).ConfigureAwait(false);
        return new AuthorizationCheck("kms:RetireGrant", key.Arn, null, false, KeyConditions(key, keys, request.KeyId))
        {
            Grants = grant is null ? [] : GrantAuthority.ForRetirement(grant),
        };
    }

    // The key a decryption names, or the one its (symmetric) ciphertext was made under.
    private static async Task<KeyRecord?> SourceKeyAsync(KmsContext kms, KmsCall call, string? keyId, byte[]? blob, CancellationToken cancellationToken)
    {
        if (keyId is not null) return await call.KeyAsync(kms, keyId, cancellationToken).ConfigureAwait(false);
        return blob is not null && SymmetricCiphertext.TryParse(blob) is { } header
            ? await call.FindKeyAsync(kms, header.KeyId.ToString("D"), cancellationToken).ConfigureAwait(false)
            : null;
    }

    // Condition keys taken from the request itself, member by member of the request types that carry them.
    private static Dictionary<string, IReadOnlyList<string>> RequestKeys(object request)
    {
        var keys = new Dictionary<string, IReadOnlyList<string>>(StringComparer.OrdinalIgnoreCase);
        void Add(string key, string? value)
        {
            if (value is not null) keys[key] = [value];
        }
        switch (request)
        {
            case EncryptRequest r: Add("kms:EncryptionAlgorithm", r.EncryptionAlgorithm); break;
            case DecryptRequest r: Add("kms:EncryptionAlgorithm", r.EncryptionAlgorithm); break;
            case SignRequest r: Add("kms:SigningAlgorithm", r.SigningAlgorithm); break;
            case VerifyRequest r: Add("kms:SigningAlgorithm", r.SigningAlgorithm); break;
            case GenerateMacRequest r: Add("kms:MacAlgorithm", r.MacAlgorithm); break;
            case VerifyMacRequest r: Add("kms:MacAlgorithm", r.MacAlgorithm); break;
            case GenerateDataKeyRequest r: Add("kms:KeySpec", r.KeySpec); break;
            case CreateKeyRequest r: Add("kms:KeySpec", r.KeySpec); Add("kms:KeyUsage", r.KeyUsage); break;
            default: break;
        }
        var contexts = request is ReEncryptRequest reEncrypt
            ? new[] { reEncrypt.DestinationEncryptionContext, reEncrypt.SourceEncryptionContext }
            : [(request as IEncryptionContextRequest)?.EncryptionContext];
        foreach (var context in contexts)
        {
            if (context is { Count: > 0 }) AddEncryptionContext(keys, context);
        }
        var tags = request switch { CreateKeyRequest create => create.Tags, TagResourceRequest tag => tag.Tags, _ => null };
        if (tags is { Count: > 0 })
        {
            foreach (var tag in tags) keys[$"aws:RequestTag/{tag.TagKey}"] = [tag.TagValue];
            keys["aws:TagKeys"] = tags.Select(t => t.TagKey).ToList();
        }
        switch (request)
        {
            case CreateGrantRequest create:
                keys["kms:GrantOperations"] = create.Operations.Distinct(StringComparer.Ordinal).ToList();
                keys["kms:GranteePrincipal"] = [create.GranteePrincipal];
                if (create.RetiringPrincipal is { } retiring) keys["kms:RetiringPrincipal"] = [retiring];
                keys["kms:GrantIsForAWSResource"] = ["false"];
                var types = new List<string>();
                if (create.Constraints?.EncryptionContextEquals is { } equals) { types.Add("EncryptionContextEquals"); AddEncryptionContext(keys, equals); }
                if (create.Constraints?.EncryptionContextSubset is { } subset) { types.Add("EncryptionContextSubset"); AddEncryptionContext(keys, subset); }
                if (types.Count > 0) keys["kms:GrantConstraintType"] = types;
                break;
            case ListGrantsRequest or RevokeGrantRequest:
                // No AWS service calls Citadel on a user's behalf: every grant call comes from the caller itself.
                keys["kms:GrantIsForAWSResource"] = ["false"];
                break;
            default:
                break;
        }
        return keys;
    }

    // kms:EncryptionContext:<key> and kms:EncryptionContextKeys; for CreateGrant, from the grant's constraints, as AWS evaluates them.
    private static void AddEncryptionContext(Dictionary<string, IReadOnlyList<string>> keys, Dictionary<string, string> context)
    {
        foreach (var (k, v) in context) keys[$"kms:EncryptionContext:{k}"] = [v];
        var names = keys.TryGetValue("kms:EncryptionContextKeys", out var existing) ? existing.Concat(context.Keys).Distinct(StringComparer.Ordinal).ToList() : context.Keys.ToList();
        keys["kms:EncryptionContextKeys"] = names;
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
