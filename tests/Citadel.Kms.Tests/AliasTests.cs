using Citadel.Kms.Operations;

namespace Citadel.Kms.Tests;

public sealed class AliasTests : IDisposable
{
    private readonly TestKms _kms = new();

    public void Dispose() => _kms.Dispose();

    private Task<EmptyResponse> Create(string aliasName, string target)
        => _kms.Run<EmptyResponse>("CreateAlias", new CreateAliasRequest { AliasName = aliasName, TargetKeyId = target });

    private Task<KmsErrorCode> CreateFails(string aliasName, string target)
        => _kms.Code("CreateAlias", new CreateAliasRequest { AliasName = aliasName, TargetKeyId = target });

    private Task<ListAliasesResponse> List(string? keyId = null, int? limit = null, string? marker = null)
        => _kms.Run<ListAliasesResponse>("ListAliases", new ListAliasesRequest { KeyId = keyId, Limit = limit, Marker = marker });

    [Fact]
    public async Task CreatedAliasResolvesToItsKey()
    {
        var keyId = await _kms.NewKey();
        Assert.Same(EmptyResponse.Instance, await Create("alias/payments", keyId));
        Assert.Equal(keyId, (await _kms.Describe("alias/payments")).KeyId);
        Assert.Equal(keyId, (await _kms.Describe(_kms.Settings.AliasArn("alias/payments"))).KeyId);
        var blob = await _kms.Encrypt("alias/payments", [4, 2]);
        Assert.Equal(_kms.Settings.KeyArn(keyId), (await _kms.Decrypt(blob)).KeyId);
    }

    [Fact]
    public async Task TargetMayBeAKeyArnAndKeyMayHaveManyAliases()
    {
        var keyId = await _kms.NewKey();
        await Create("alias/one", _kms.Settings.KeyArn(keyId));
        await Create("alias/two/nested_name-x", keyId);
        var listed = await List(keyId);
        Assert.Equal(["alias/one", "alias/two/nested_name-x"], listed.Aliases.Select(a => a.AliasName));
        Assert.All(listed.Aliases, a => Assert.Equal(keyId, a.TargetKeyId));
    }

    [Fact]
    public async Task AliasNameRules()
    {
        var keyId = await _kms.NewKey();
        var noPrefix = await _kms.Fails("CreateAlias", new CreateAliasRequest { AliasName = "payments", TargetKeyId = keyId });
        Assert.Equal(KmsErrorCode.Validation, noPrefix.Code);
        Assert.StartsWith("Alias must start with the prefix \"alias/\".", noPrefix.Message);
        Assert.Equal(KmsErrorCode.InvalidAliasName, await CreateFails("alias/aws/mine", keyId));
        Assert.Equal(KmsErrorCode.InvalidAliasName, await CreateFails("alias/aws/", keyId));
        Assert.Equal(KmsErrorCode.InvalidAliasName, await CreateFails("alias/", keyId));
        Assert.Equal(KmsErrorCode.Validation, await CreateFails("alias/a:b", keyId));
        // alias/aws without the slash is an ordinary name.
        await Create("alias/awsome", keyId);
        Assert.Equal(["alias/awsome"], (await List()).Aliases.Select(a => a.AliasName));
    }

    [Fact]
    public async Task TargetMustBeAKeyNotAnAlias()
    {
        var keyId = await _kms.NewKey();
        await Create("alias/first", keyId);
        var error = await _kms.Fails("CreateAlias", new CreateAliasRequest { AliasName = "alias/second", TargetKeyId = "alias/first" });
        Assert.Equal(KmsErrorCode.Validation, error.Code);
        Assert.Equal("Aliases must refer to keys. Not aliases", error.Message);
        Assert.Equal(KmsErrorCode.Validation, await CreateFails("alias/second", _kms.Settings.AliasArn("alias/first")));
        Assert.Equal(KmsErrorCode.NotFound, await CreateFails("alias/second", Guid.NewGuid().ToString()));
        Assert.Single((await List()).Aliases);
    }

    [Fact]
    public async Task DuplicateAliasIsAlreadyExists()
    {
        var first = await _kms.NewKey();
        var second = await _kms.NewKey();
        await Create("alias/shared", first);
        var error = await _kms.Fails("CreateAlias", new CreateAliasRequest { AliasName = "alias/shared", TargetKeyId = second });
        Assert.Equal(KmsErrorCode.AlreadyExists, error.Code);
        Assert.Equal($"An alias with the name {_kms.Settings.AliasArn("alias/shared")} already exists", error.Message);
        Assert.Equal(first, (await _kms.Describe("alias/shared")).KeyId);
    }

    [Fact]
    public async Task TargetStateRules()
    {
        var pending = await _kms.NewKey();
        await _kms.ScheduleDeletion(pending);
        Assert.Equal(KmsErrorCode.InvalidState, await CreateFails("alias/pending", pending));

        // Disabled and PendingImport keys can be aliased.
        var disabled = await _kms.NewKey();
        await _kms.Run<EmptyResponse>("DisableKey", new DisableKeyRequest { KeyId = disabled });
        await Create("alias/disabled", disabled);
        await Create("alias/external", await _kms.NewKey(origin: "EXTERNAL"));

        // AWS managed keys cannot get customer aliases.
        Assert.Equal(KmsErrorCode.UnsupportedOperation, await CreateFails("alias/managed", await _kms.ManagedKey()));
    }

    [Fact]
    public async Task UpdateAliasMovesItToAnotherKey()
    {
        var first = await _kms.NewKey();
        var second = await _kms.NewKey();
        await Create("alias/app", first);
        var created = (await List()).Aliases.Single();
        _kms.Time.Advance(TimeSpan.FromHours(1));
        await _kms.Run<EmptyResponse>("UpdateAlias", new UpdateAliasRequest { AliasName = "alias/app", TargetKeyId = _kms.Settings.KeyArn(second) });
        Assert.Equal(second, (await _kms.Describe("alias/app")).KeyId);
        var updated = (await List()).Aliases.Single();
        Assert.Equal(second, updated.TargetKeyId);
        Assert.Equal(created.CreationDate, updated.CreationDate);
        Assert.Equal(created.LastUpdatedDate!.Value.AddHours(1), updated.LastUpdatedDate);
        Assert.Empty((await List(first)).Aliases);
    }

    [Fact]
    public async Task UpdateAliasErrors()
    {
        var symmetric = await _kms.NewKey();
        await Create("alias/app", symmetric);
        var other = await _kms.NewKey();

        var missing = await _kms.Fails("UpdateAlias", new UpdateAliasRequest { AliasName = "alias/missing", TargetKeyId = other });
        Assert.Equal(KmsErrorCode.NotFound, missing.Code);
        Assert.Equal($"Alias {_kms.Settings.AliasArn("alias/missing")} is not found.", missing.Message);
        Assert.Equal(KmsErrorCode.NotFound, await _kms.Code("UpdateAlias", new UpdateAliasRequest { AliasName = "alias/app", TargetKeyId = Guid.NewGuid().ToString() }));
        Assert.Equal(KmsErrorCode.Validation, await _kms.Code("UpdateAlias", new UpdateAliasRequest { AliasName = "alias/app", TargetKeyId = "alias/app" }));
        Assert.Equal(KmsErrorCode.InvalidAliasName, await _kms.Code("UpdateAlias", new UpdateAliasRequest { AliasName = "alias/aws/s3", TargetKeyId = other }));

        // Another type of key (HMAC) or another usage is refused.
        var hmac = await _kms.NewKey("HMAC_256");
        Assert.Equal(KmsErrorCode.Validation, await _kms.Code("UpdateAlias", new UpdateAliasRequest { AliasName = "alias/app", TargetKeyId = hmac }));
        var rsaEncrypt = await _kms.NewKey("RSA_2048", "ENCRYPT_DECRYPT");
        var rsaSign = await _kms.NewKey("RSA_2048", "SIGN_VERIFY");
        await Create("alias/rsa", rsaEncrypt);
        Assert.Equal(KmsErrorCode.Validation, await _kms.Code("UpdateAlias", new UpdateAliasRequest { AliasName = "alias/rsa", TargetKeyId = rsaSign }));
        var ecc = await _kms.NewKey("ECC_NIST_P256");
        await Create("alias/ecc", ecc);
        // Asymmetric to asymmetric with the same usage is fine, whatever the spec.
        await _kms.Run<EmptyResponse>("UpdateAlias", new UpdateAliasRequest { AliasName = "alias/ecc", TargetKeyId = rsaSign });

        // A new target pending deletion is refused; a current target pending deletion is not.
        var pending = await _kms.NewKey();
        await _kms.ScheduleDeletion(pending);
        Assert.Equal(KmsErrorCode.InvalidState, await _kms.Code("UpdateAlias", new UpdateAliasRequest { AliasName = "alias/app", TargetKeyId = pending }));
        await _kms.ScheduleDeletion(symmetric);
        await _kms.Run<EmptyResponse>("UpdateAlias", new UpdateAliasRequest { AliasName = "alias/app", TargetKeyId = other });
        Assert.Equal(other, (await _kms.Describe("alias/app")).KeyId);
    }

    [Fact]
    public async Task DeleteAliasRemovesOnlyTheAlias()
    {
        var keyId = await _kms.NewKey();
        await Create("alias/gone", keyId);
        await _kms.Run<EmptyResponse>("DeleteAlias", new DeleteAliasRequest { AliasName = "alias/gone" });
        Assert.Equal(KmsErrorCode.NotFound, await _kms.Code("DescribeKey", new DescribeKeyRequest { KeyId = "alias/gone" }));
        Assert.Equal("Enabled", (await _kms.Describe(keyId)).KeyState);
        var again = await _kms.Fails("DeleteAlias", new DeleteAliasRequest { AliasName = "alias/gone" });
        Assert.Equal(KmsErrorCode.NotFound, again.Code);
        Assert.Equal($"Alias {_kms.Settings.AliasArn("alias/gone")} is not found.", again.Message);
        // The name can be used again.
        await Create("alias/gone", keyId);
    }

    [Fact]
    public async Task DeleteAliasWorksWhenTheKeyIsPendingDeletion()
    {
        var keyId = await _kms.NewKey();
        await Create("alias/doomed", keyId);
        await _kms.ScheduleDeletion(keyId);
        await _kms.Run<EmptyResponse>("DeleteAlias", new DeleteAliasRequest { AliasName = "alias/doomed" });
        Assert.Empty((await List()).Aliases);
        Assert.Equal(KmsErrorCode.Validation, await _kms.Code("DeleteAlias", new DeleteAliasRequest { AliasName = "doomed" }));
        Assert.Equal(KmsErrorCode.InvalidAliasName, await _kms.Code("DeleteAlias", new DeleteAliasRequest { AliasName = "alias/aws/s3" }));
    }

    [Fact]
    public async Task ListAliasesEntriesAndFilter()
    {
        var first = await _kms.NewKey();
        var second = await _kms.NewKey();
        await Create("alias/b", first);
        await Create("alias/a", second);
        await Create("alias/c", first);
        var all = await List();
        Assert.False(all.Truncated);
        Assert.Null(all.NextMarker);
        Assert.Equal(["alias/a", "alias/b", "alias/c"], all.Aliases.Select(a => a.AliasName));
        var a = all.Aliases[0];
        Assert.Equal(_kms.Settings.AliasArn("alias/a"), a.AliasArn);
        Assert.Equal("arn:aws:kms:us-east-1:111122223333:alias/a", a.AliasArn);
        Assert.Equal(second, a.TargetKeyId);
        Assert.Equal(_kms.Time.GetUtcNow(), a.CreationDate);
        Assert.Equal(_kms.Time.GetUtcNow(), a.LastUpdatedDate);

        Assert.Equal(["alias/b", "alias/c"], (await List(first)).Aliases.Select(x => x.AliasName));
        Assert.Equal(["alias/a"], (await List(_kms.Settings.KeyArn(second))).Aliases.Select(x => x.AliasName));
        Assert.Empty((await List(await _kms.NewKey())).Aliases);
        Assert.Equal(KmsErrorCode.NotFound, await _kms.Code("ListAliases", new ListAliasesRequest { KeyId = Guid.NewGuid().ToString() }));
    }

    [Fact]
    public async Task ListAliasesPaginates()
    {
        var keyId = await _kms.NewKey();
        var names = Enumerable.Range(0, 51).Select(i => $"alias/page-{i:D2}").ToList();
        foreach (var name in names) await Create(name, keyId);
        var seen = new List<string>();
        string? marker = null;
        do
        {
            var page = await List(limit: 20, marker: marker);
            Assert.True(page.Aliases.Count <= 20);
            seen.AddRange(page.Aliases.Select(x => x.AliasName));
            Assert.Equal(page.Truncated, page.NextMarker is not null);
            marker = page.NextMarker;
        } while (marker is not null);
        Assert.Equal(names, seen);
        // The default page size is 50.
        var first = await List();
        Assert.Equal(50, first.Aliases.Count);
        Assert.True(first.Truncated);
        Assert.Equal(["alias/page-50"], (await List(marker: first.NextMarker)).Aliases.Select(x => x.AliasName));
    }

    [Fact]
    public async Task ListAliasesLimitAndMarkerErrors()
    {
        Assert.Equal(KmsErrorCode.Validation, await _kms.Code("ListAliases", new ListAliasesRequest { Limit = 101 }));
        Assert.Equal(KmsErrorCode.Validation, await _kms.Code("ListAliases", new ListAliasesRequest { Limit = 0 }));
        Assert.Equal(KmsErrorCode.InvalidMarker, await _kms.Code("ListAliases", new ListAliasesRequest { Marker = "not-a-marker!" }));
        Assert.Empty((await List(limit: 100)).Aliases);
    }

    [Fact]
    public async Task ListAliasesIncludesAwsManagedAliases()
    {
        var managed = await _kms.ManagedKey("alias/aws/ebs");
        var entry = (await List()).Aliases.Single();
        Assert.Equal("alias/aws/ebs", entry.AliasName);
        Assert.Equal(managed, entry.TargetKeyId);
    }
}
