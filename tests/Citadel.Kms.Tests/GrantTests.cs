using Citadel.Kms.Grants;
using Citadel.Kms.Keys;
using Citadel.Kms.Model;
using Citadel.Kms.Operations;

namespace Citadel.Kms.Tests;

public sealed class GrantTests : IDisposable
{
    private const string Bob = "arn:aws:iam::111122223333:user/bob";
    private const string Carol = "arn:aws:iam::111122223333:role/carol";

    private readonly TestKms _kms = new(maxGrantsPerKey: 3);

    public void Dispose() => _kms.Dispose();

    private Task<CreateGrantResponse> Create(string keyId, string grantee = Bob, List<string>? operations = null, GrantConstraints? constraints = null,
        string? name = null, string? retiring = null, bool? dryRun = null)
        => _kms.Run<CreateGrantResponse>("CreateGrant", new CreateGrantRequest
        {
            KeyId = keyId,
            GranteePrincipal = grantee,
            Operations = operations ?? ["Decrypt"],
            Constraints = constraints,
            Name = name,
            RetiringPrincipal = retiring,
            DryRun = dryRun,
        });

    private Task<KmsErrorCode> CreateFails(string keyId, List<string> operations, GrantConstraints? constraints = null, string grantee = Bob)
        => _kms.Code("CreateGrant", new CreateGrantRequest { KeyId = keyId, GranteePrincipal = grantee, Operations = operations, Constraints = constraints });

    private async Task<List<GrantListEntry>> List(string keyId, string? grantId = null, string? grantee = null)
        => (await _kms.Run<ListGrantsResponse>("ListGrants", new ListGrantsRequest { KeyId = keyId, GrantId = grantId, GranteePrincipal = grantee })).Grants;

    [Fact]
    public async Task CreatedGrantsAreListedWithEverythingTheySay()
    {
        var keyId = await _kms.NewKey();
        var constraints = new GrantConstraints { EncryptionContextSubset = new() { ["app"] = "web" } };
        var created = await Create(keyId, operations: ["Decrypt", "Encrypt", "Decrypt"], constraints: constraints, name: "web-decrypt", retiring: Carol);
        Assert.True(GrantOperations.IsGrantId(created.GrantId));
        Assert.Equal((keyId, created.GrantId), GrantTokens.Open(_kms.Root.Current, created.GrantToken));

        var grant = Assert.Single(await List(keyId));
        Assert.Equal(_kms.Settings.KeyArn(keyId), grant.KeyId);
        Assert.Equal(created.GrantId, grant.GrantId);
        Assert.Equal("web-decrypt", grant.Name);
        Assert.Equal(Bob, grant.GranteePrincipal);
        Assert.Equal(Carol, grant.RetiringPrincipal);
        Assert.Equal("arn:aws:iam::111122223333:root", grant.IssuingAccount);
        Assert.Equal(["Decrypt", "Encrypt"], grant.Operations);
        Assert.Equal("web", grant.Constraints!.EncryptionContextSubset!["app"]);
        Assert.Null(grant.Constraints.EncryptionContextEquals);
        Assert.Equal(_kms.Time.GetUtcNow(), grant.CreationDate);
    }

    [Fact]
    public async Task GrantsAreDurableInTheDocumentStore()
    {
        var keyId = await _kms.NewKey();
        var created = await Create(keyId);
        var reopened = new KmsContext(_kms.Settings, new KeyRepository(_kms.Store, _kms.Root), _kms.Root, _kms.Time, Citadel.Crypto.SystemRandom.Instance);
        var grant = Assert.Single(await reopened.Grants.OfKeyAsync(keyId));
        Assert.Equal(created.GrantId, grant.GrantId);
        Assert.Equal(["Decrypt"], grant.Operations);
        Assert.NotNull(await _kms.Store.GetAsync(GrantStore.Collection, GrantStore.DocumentId(keyId, created.GrantId)));
    }

    [Fact]
    public async Task ARetryWithTheSameNameAndParametersReturnsTheSameGrant()
    {
        var keyId = await _kms.NewKey();
        var constraints = new GrantConstraints { EncryptionContextEquals = new() { ["a"] = "1" } };
        var first = await Create(keyId, operations: ["Encrypt", "Decrypt"], constraints: constraints, name: "retry");
        var retry = await Create(keyId, operations: ["Decrypt", "Encrypt"], constraints: new GrantConstraints { EncryptionContextEquals = new() { ["a"] = "1" } }, name: "retry");
        Assert.Equal(first.GrantId, retry.GrantId);
        // Every answer has its own token; both name the grant.
        Assert.NotEqual(first.GrantToken, retry.GrantToken);
        Assert.Equal(first.GrantId, GrantTokens.Open(_kms.Root.Current, retry.GrantToken).GrantId);
        Assert.Single(await List(keyId));

        // The same name with other parameters, or no name at all, is a new grant.
        var other = await Create(keyId, operations: ["Encrypt"], name: "retry");
        Assert.NotEqual(first.GrantId, other.GrantId);
        var unnamed = await Create(keyId, operations: ["Encrypt"]);
        Assert.NotEqual(other.GrantId, unnamed.GrantId);
        Assert.Equal(3, (await List(keyId)).Count);
        // At the quota, a retry still answers (it creates nothing); a new grant does not.
        Assert.Equal(first.GrantId, (await Create(keyId, operations: ["Encrypt", "Decrypt"], constraints: constraints, name: "retry")).GrantId);
        Assert.Equal(KmsErrorCode.LimitExceeded, await CreateFails(keyId, ["Encrypt"]));
    }

    [Fact]
    public async Task OperationsMustSuitTheKeyAndConstraintsTheOperations()
    {
        var symmetric = await _kms.NewKey();
        var rsa = await _kms.NewKey("RSA_2048", "ENCRYPT_DECRYPT");
        var signing = await _kms.NewKey("ECC_NIST_P256", "SIGN_VERIFY");
        var hmac = await _kms.NewKey("HMAC_256", "GENERATE_VERIFY_MAC");
        var context = new GrantConstraints { EncryptionContextSubset = new() { ["k"] = "v" } };

        Assert.Equal(KmsErrorCode.Validation, await CreateFails(symmetric, []));
        Assert.Equal(KmsErrorCode.Validation, await CreateFails(symmetric, ["Sign"]));
        Assert.Equal(KmsErrorCode.Validation, await CreateFails(symmetric, ["GenerateMac"]));
        Assert.Equal(KmsErrorCode.Validation, await CreateFails(symmetric, ["Launch"]));
        Assert.Equal(KmsErrorCode.Validation, await CreateFails(rsa, ["GenerateDataKey"]));
        Assert.Equal(KmsErrorCode.Validation, await CreateFails(signing, ["Decrypt"]));
        Assert.Equal(KmsErrorCode.Validation, await CreateFails(hmac, ["Sign"]));
        await Create(rsa, operations: ["Encrypt", "Decrypt", "GetPublicKey", "DescribeKey"]);
        await Create(signing, operations: ["Sign", "Verify", "GetPublicKey", "CreateGrant", "RetireGrant"]);
        await Create(hmac, operations: ["GenerateMac", "VerifyMac"]);

        // Constraints: only on symmetric keys, only beside operations that take an encryption context
        // (and DescribeKey, RetireGrant, CreateGrant), at most 8 pairs of at most 384 characters.
        await Create(symmetric, operations: ["Decrypt", "GenerateDataKeyPair", "ReEncryptFrom", "DescribeKey", "RetireGrant", "CreateGrant"], constraints: context);
        Assert.Equal(KmsErrorCode.Validation, await CreateFails(rsa, ["Decrypt"], context));
        Assert.Equal(KmsErrorCode.Validation, await CreateFails(hmac, ["GenerateMac"], context));
        var nine = new GrantConstraints { EncryptionContextEquals = Enumerable.Range(0, 9).ToDictionary(i => $"k{i}", i => "v") };
        Assert.Equal(KmsErrorCode.Validation, await CreateFails(symmetric, ["Decrypt"], nine));
        var long385 = new GrantConstraints { EncryptionContextSubset = new() { ["k"] = new string('v', 384) } };
        Assert.Equal(KmsErrorCode.Validation, await CreateFails(symmetric, ["Decrypt"], long385));
    }

    [Fact]
    public async Task KeyStateAndPrincipalsAreChecked()
    {
        // As AWS's key state table has it for CreateGrant: only enabled keys get grants.
        var keyId = await _kms.NewKey();
        await Create(keyId);
        var retirable = await Create(keyId, retiring: Carol);
        await _kms.Run<EmptyResponse>("DisableKey", new DisableKeyRequest { KeyId = keyId });
        Assert.Equal(KmsErrorCode.Disabled, await CreateFails(keyId, ["Decrypt"]));
        await _kms.ScheduleDeletion(keyId);
        Assert.Equal(KmsErrorCode.InvalidState, await CreateFails(keyId, ["Decrypt"]));
        Assert.Equal(KmsErrorCode.InvalidState, await CreateFails(await _kms.NewKey(origin: "EXTERNAL"), ["Decrypt"]));
        // Listing, retiring and revoking work in every key state.
        Assert.Equal(2, (await List(keyId)).Count);
        await _kms.Run<EmptyResponse>("RetireGrant", new RetireGrantRequest { GrantToken = retirable.GrantToken });
        var grant = Assert.Single(await List(keyId));
        await _kms.Run<EmptyResponse>("RevokeGrant", new RevokeGrantRequest { KeyId = keyId, GrantId = grant.GrantId });
        Assert.Empty(await List(keyId));

        var other = await _kms.NewKey();
        Assert.Equal(KmsErrorCode.InvalidArn, await CreateFails(other, ["Decrypt"], grantee: "bob"));
        Assert.Equal(KmsErrorCode.InvalidArn, await CreateFails(other, ["Decrypt"], grantee: "arn:aws:s3:::bucket"));
        Assert.Equal(KmsErrorCode.NotFound, await CreateFails(Guid.NewGuid().ToString(), ["Decrypt"]));

        using var strict = new TestKms(principals: new KnownPrincipals(Bob));
        var strictKey = await strict.NewKey();
        await strict.Run<CreateGrantResponse>("CreateGrant", new CreateGrantRequest { KeyId = strictKey, GranteePrincipal = Bob, Operations = ["Decrypt"] });
        Assert.Equal(KmsErrorCode.InvalidArn, await strict.Code("CreateGrant", new CreateGrantRequest { KeyId = strictKey, GranteePrincipal = Carol, Operations = ["Decrypt"] }));
        Assert.Equal(KmsErrorCode.InvalidArn, await strict.Code("CreateGrant", new CreateGrantRequest { KeyId = strictKey, GranteePrincipal = Bob, RetiringPrincipal = Carol, Operations = ["Decrypt"] }));
    }

    [Fact]
    public async Task DryRunsCreateRetireAndRevokeNothing()
    {
        var keyId = await _kms.NewKey();
        Assert.Equal(KmsErrorCode.DryRunOperation, await _kms.Code("CreateGrant", new CreateGrantRequest { KeyId = keyId, GranteePrincipal = Bob, Operations = ["Decrypt"], DryRun = true }));
        Assert.Empty(await List(keyId));
        var created = await Create(keyId);
        Assert.Equal(KmsErrorCode.DryRunOperation, await _kms.Code("RevokeGrant", new RevokeGrantRequest { KeyId = keyId, GrantId = created.GrantId, DryRun = true }));
        Assert.Equal(KmsErrorCode.DryRunOperation, await _kms.Code("RetireGrant", new RetireGrantRequest { GrantToken = created.GrantToken, DryRun = true }));
        Assert.Single(await List(keyId));
    }

    [Fact]
    public async Task RetireByTokenOrIdsAndRevokeDeleteAtOnce()
    {
        var keyId = await _kms.NewKey();
        var byToken = await Create(keyId);
        var byIds = await Create(keyId, operations: ["Encrypt"]);
        var revoked = await Create(keyId, operations: ["DescribeKey"]);

        await _kms.Run<EmptyResponse>("RetireGrant", new RetireGrantRequest { GrantToken = byToken.GrantToken });
        await _kms.Run<EmptyResponse>("RetireGrant", new RetireGrantRequest { KeyId = _kms.Settings.KeyArn(keyId), GrantId = byIds.GrantId });
        await _kms.Run<EmptyResponse>("RevokeGrant", new RevokeGrantRequest { KeyId = keyId, GrantId = revoked.GrantId });
        Assert.Empty(await List(keyId));
        Assert.Empty(await _kms.Context.Grants.OfKeyAsync(keyId));

        // Gone is gone; a malformed grant id or a token Citadel did not issue is refused as such.
        Assert.Equal(KmsErrorCode.NotFound, await _kms.Code("RetireGrant", new RetireGrantRequest { GrantToken = byToken.GrantToken }));
        Assert.Equal(KmsErrorCode.NotFound, await _kms.Code("RevokeGrant", new RevokeGrantRequest { KeyId = keyId, GrantId = revoked.GrantId }));
        Assert.Equal(KmsErrorCode.InvalidGrantId, await _kms.Code("RevokeGrant", new RevokeGrantRequest { KeyId = keyId, GrantId = "not-a-grant" }));
        Assert.Equal(KmsErrorCode.InvalidGrantId, await _kms.Code("RetireGrant", new RetireGrantRequest { KeyId = keyId, GrantId = "not-a-grant" }));
        Assert.Equal(KmsErrorCode.InvalidGrantId, await _kms.Code("ListGrants", new ListGrantsRequest { KeyId = keyId, GrantId = "XYZ" }));
        Assert.Equal(KmsErrorCode.InvalidGrantToken, await _kms.Code("RetireGrant", new RetireGrantRequest { GrantToken = "garbage" }));
        Assert.Equal(KmsErrorCode.Validation, await _kms.Code("RetireGrant", new RetireGrantRequest { KeyId = keyId }));
        Assert.Equal(KmsErrorCode.Validation, await _kms.Code("RetireGrant", new RetireGrantRequest()));

        // A token names its own key: given with another key id, it is refused.
        var other = await _kms.NewKey();
        var live = await Create(keyId);
        Assert.Equal(KmsErrorCode.Validation, await _kms.Code("RetireGrant", new RetireGrantRequest { GrantToken = live.GrantToken, KeyId = other }));
        Assert.Single(await List(keyId));
    }

    [Fact]
    public async Task GrantTokensInAnyRequestMustBeOnesCitadelIssued()
    {
        var keyId = await _kms.NewKey();
        var created = await Create(keyId, operations: ["Encrypt"]);
        await _kms.Run<EncryptResponse>("Encrypt", new EncryptRequest { KeyId = keyId, Plaintext = [1], GrantTokens = [created.GrantToken] });
        var tampered = created.GrantToken[..20] + (created.GrantToken[20] == 'A' ? 'B' : 'A') + created.GrantToken[21..];
        Assert.Equal(KmsErrorCode.InvalidGrantToken, await _kms.Code("Encrypt", new EncryptRequest { KeyId = keyId, Plaintext = [1], GrantTokens = [tampered] }));
        Assert.Equal(KmsErrorCode.InvalidGrantToken, await _kms.Code("DescribeKey", new DescribeKeyRequest { KeyId = keyId, GrantTokens = [created.GrantToken, "x"] }));
        Assert.Equal(KmsErrorCode.InvalidGrantToken, await _kms.Code("CreateGrant",
            new CreateGrantRequest { KeyId = keyId, GranteePrincipal = Bob, Operations = ["Decrypt"], GrantTokens = ["not a token"] }));

        // A token from another root key (another Citadel) is not one of ours either.
        using var elsewhere = new TestKms();
        var foreignKey = await elsewhere.NewKey();
        var foreign = await elsewhere.Run<CreateGrantResponse>("CreateGrant", new CreateGrantRequest { KeyId = foreignKey, GranteePrincipal = Bob, Operations = ["Encrypt"] });
        Assert.Equal(KmsErrorCode.InvalidGrantToken, await _kms.Code("Encrypt", new EncryptRequest { KeyId = keyId, Plaintext = [1], GrantTokens = [foreign.GrantToken] }));
    }

    [Fact]
    public async Task ListGrantsFiltersAndPages()
    {
        using var kms = new TestKms();
        var keyId = await kms.NewKey();
        var ids = new List<string>();
        for (var i = 0; i < 5; i++)
            ids.Add((await kms.Run<CreateGrantResponse>("CreateGrant", new CreateGrantRequest { KeyId = keyId, GranteePrincipal = i % 2 == 0 ? Bob : Carol, Operations = ["Decrypt"] })).GrantId);
        await kms.Run<CreateGrantResponse>("CreateGrant", new CreateGrantRequest { KeyId = await kms.NewKey(), GranteePrincipal = Bob, Operations = ["Decrypt"] });

        var seen = new List<string>();
        string? marker = null;
        do
        {
            var page = await kms.Run<ListGrantsResponse>("ListGrants", new ListGrantsRequest { KeyId = keyId, Limit = 2, Marker = marker });
            Assert.True(page.Grants.Count <= 2);
            Assert.Equal(page.NextMarker is not null, page.Truncated);
            seen.AddRange(page.Grants.Select(g => g.GrantId));
            marker = page.NextMarker;
        }
        while (marker is not null);
        Assert.Equal(ids.Order(StringComparer.Ordinal), seen);

        var bobs = (await kms.Run<ListGrantsResponse>("ListGrants", new ListGrantsRequest { KeyId = keyId, GranteePrincipal = Bob })).Grants;
        Assert.Equal(3, bobs.Count);
        Assert.All(bobs, g => Assert.Equal(Bob, g.GranteePrincipal));
        var one = Assert.Single((await kms.Run<ListGrantsResponse>("ListGrants", new ListGrantsRequest { KeyId = keyId, GrantId = ids[3] })).Grants);
        Assert.Equal(Carol, one.GranteePrincipal);
        Assert.Equal(KmsErrorCode.InvalidMarker, await kms.Code("ListGrants", new ListGrantsRequest { KeyId = keyId, Marker = "%%%" }));
        Assert.Equal(KmsErrorCode.Validation, await kms.Code("ListGrants", new ListGrantsRequest { KeyId = keyId, Limit = 101 }));
    }

    [Fact]
    public async Task RetirableGrantsAreFoundOnEveryKeyAndPaged()
    {
        var first = await _kms.NewKey();
        var second = await _kms.NewKey();
        var a = await Create(first, retiring: Carol);
        var b = await Create(second, retiring: Carol);
        await Create(second, retiring: Bob);
        await Create(second);

        var all = await _kms.Run<ListGrantsResponse>("ListRetirableGrants", new ListRetirableGrantsRequest { RetiringPrincipal = Carol });
        Assert.Equal(new[] { a.GrantId, b.GrantId }.Order(), all.Grants.Select(g => g.GrantId).Order());
        Assert.False(all.Truncated);

        var page = await _kms.Run<ListGrantsResponse>("ListRetirableGrants", new ListRetirableGrantsRequest { RetiringPrincipal = Carol, Limit = 1 });
        Assert.True(page.Truncated);
        var rest = await _kms.Run<ListGrantsResponse>("ListRetirableGrants", new ListRetirableGrantsRequest { RetiringPrincipal = Carol, Limit = 1, Marker = page.NextMarker });
        Assert.False(rest.Truncated);
        Assert.Equal(all.Grants.Select(g => g.GrantId), page.Grants.Concat(rest.Grants).Select(g => g.GrantId));
        Assert.Empty((await _kms.Run<ListGrantsResponse>("ListRetirableGrants", new ListRetirableGrantsRequest { RetiringPrincipal = "arn:aws:iam::111122223333:user/nobody" })).Grants);
    }

    [Fact]
    public async Task GrantsDieWithTheirKey()
    {
        var doomed = await _kms.NewKey();
        var kept = await _kms.NewKey();
        await Create(doomed, retiring: Carol);
        await Create(doomed);
        var survivor = await Create(kept, retiring: Carol);
        await _kms.ScheduleDeletion(doomed, 7);
        _kms.Time.Advance(TimeSpan.FromDays(7));
        Assert.Equal(1, await new KeyMaintenance().RunOnceAsync(_kms.Context, CancellationToken.None));

        Assert.Empty(await _kms.Context.Grants.OfKeyAsync(doomed));
        var left = await _kms.Store.ListAsync(GrantStore.Collection, null, 100);
        Assert.Equal([GrantStore.DocumentId(kept, survivor.GrantId)], left.Select(d => d.Id));
        var retirable = await _kms.Run<ListGrantsResponse>("ListRetirableGrants", new ListRetirableGrantsRequest { RetiringPrincipal = Carol });
        Assert.Equal(survivor.GrantId, Assert.Single(retirable.Grants).GrantId);
        Assert.Equal(KmsErrorCode.NotFound, await _kms.Code("ListGrants", new ListGrantsRequest { KeyId = doomed }));
    }

    private sealed class KnownPrincipals(params string[] known) : IPrincipalDirectory
    {
        public Task<bool> ExistsAsync(string principalArn, CancellationToken cancellationToken = default) => Task.FromResult(known.Contains(principalArn));
    }
}
