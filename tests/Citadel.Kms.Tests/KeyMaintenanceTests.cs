using Citadel.Crypto;
using Citadel.Kms.Keys;
using Citadel.Kms.Operations;

namespace Citadel.Kms.Tests;

public sealed class KeyMaintenanceTests : IDisposable
{
    private readonly TestKms _kms = new();
    private readonly KeyMaintenance _maintenance = new();

    public void Dispose() => _kms.Dispose();

    private Task<int> Run() => _maintenance.RunOnceAsync(_kms.Context, CancellationToken.None);

    private Task<GetKeyRotationStatusResponse> Status(string keyId)
        => _kms.Run<GetKeyRotationStatusResponse>("GetKeyRotationStatus", new GetKeyRotationStatusRequest { KeyId = keyId });

    private async Task<List<RotationsListEntry>> Rotations(string keyId)
        => (await _kms.Run<ListKeyRotationsResponse>("ListKeyRotations", new ListKeyRotationsRequest { KeyId = keyId })).Rotations;

    [Fact]
    public async Task NothingToDoOnFreshKeys()
    {
        await _kms.NewKey();
        await _kms.NewKey(origin: "EXTERNAL");
        Assert.Equal(0, await Run());
    }

    [Fact]
    public async Task RotatesAutomaticallyWhenDue()
    {
        var keyId = await _kms.NewKey();
        await _kms.Run<EmptyResponse>("EnableKeyRotation", new EnableKeyRotationRequest { KeyId = keyId, RotationPeriodInDays = 90 });
        var due = (await Status(keyId)).NextRotationDate!.Value;
        var firstMaterial = (await _kms.Describe(keyId)).CurrentKeyMaterialId;
        var oldBlob = await _kms.Encrypt(keyId, [7, 7, 7]);

        _kms.Time.Advance(TimeSpan.FromDays(90) - TimeSpan.FromMinutes(1));
        Assert.Equal(0, await Run());
        Assert.Empty(await Rotations(keyId));

        _kms.Time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(1, await Run());
        var rotation = Assert.Single(await Rotations(keyId));
        Assert.Equal("AUTOMATIC", rotation.RotationType);
        Assert.Equal(_kms.Time.GetUtcNow(), rotation.RotationDate);
        Assert.Equal(due.AddDays(90), (await Status(keyId)).NextRotationDate);
        Assert.Equal(0, await Run());

        var current = (await _kms.Describe(keyId)).CurrentKeyMaterialId;
        Assert.NotEqual(firstMaterial, current);
        Assert.Equal(rotation.KeyMaterialId, current);
        var newBlob = await _kms.Encrypt(keyId, [8]);
        Assert.Equal(current, (await _kms.Decrypt(newBlob)).KeyMaterialId);
        var old = await _kms.Decrypt(oldBlob);
        Assert.Equal([7, 7, 7], old.Plaintext);
        Assert.Equal(firstMaterial, old.KeyMaterialId);

        _kms.Time.Advance(TimeSpan.FromDays(90));
        Assert.Equal(1, await Run());
        Assert.Equal(2, (await Rotations(keyId)).Count);
    }

    [Fact]
    public async Task DisabledKeysDoNotRotateAndCatchUpOnceWhenEnabled()
    {
        var keyId = await _kms.NewKey();
        await _kms.Run<EmptyResponse>("EnableKeyRotation", new EnableKeyRotationRequest { KeyId = keyId, RotationPeriodInDays = 90 });
        await _kms.Run<EmptyResponse>("DisableKey", new DisableKeyRequest { KeyId = keyId });
        _kms.Time.Advance(TimeSpan.FromDays(400));
        Assert.Equal(0, await Run());
        Assert.Empty(await Rotations(keyId));

        await _kms.Run<EmptyResponse>("EnableKey", new EnableKeyRequest { KeyId = keyId });
        Assert.Equal(1, await Run());
        Assert.Single(await Rotations(keyId));
        Assert.Equal(_kms.Time.GetUtcNow().AddDays(90), (await Status(keyId)).NextRotationDate);
        Assert.Equal(0, await Run());
    }

    [Fact]
    public async Task KeysWithRotationOffDoNotRotate()
    {
        var keyId = await _kms.NewKey();
        await _kms.Run<EmptyResponse>("EnableKeyRotation", new EnableKeyRotationRequest { KeyId = keyId, RotationPeriodInDays = 90 });
        await _kms.Run<EmptyResponse>("DisableKeyRotation", new DisableKeyRotationRequest { KeyId = keyId });
        _kms.Time.Advance(TimeSpan.FromDays(1000));
        Assert.Equal(0, await Run());
        Assert.Empty(await Rotations(keyId));
    }

    [Fact]
    public async Task AwsManagedKeysRotateEveryYear()
    {
        var managed = await _kms.ManagedKey();
        _kms.Time.Advance(TimeSpan.FromDays(365));
        Assert.Equal(1, await Run());
        Assert.Equal("AUTOMATIC", Assert.Single(await Rotations(managed)).RotationType);
    }

    [Fact]
    public async Task DestroysKeysWhenTheWaitingPeriodEnds()
    {
        var keyId = await _kms.NewKey();
        var keep = await _kms.NewKey();
        await _kms.Run<EmptyResponse>("CreateAlias", new CreateAliasRequest { AliasName = "alias/doomed", TargetKeyId = keyId });
        await _kms.Run<EmptyResponse>("CreateAlias", new CreateAliasRequest { AliasName = "alias/kept", TargetKeyId = keep });
        var blob = await _kms.Encrypt(keyId, [1, 2]);
        await _kms.ScheduleDeletion(keyId, 7);

        _kms.Time.Advance(TimeSpan.FromDays(7) - TimeSpan.FromSeconds(1));
        Assert.Equal(0, await Run());
        Assert.Equal("PendingDeletion", (await _kms.Describe(keyId)).KeyState);

        _kms.Time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(1, await Run());
        Assert.Equal(KmsErrorCode.NotFound, await _kms.Code("DescribeKey", new DescribeKeyRequest { KeyId = keyId }));
        Assert.Equal(KmsErrorCode.NotFound, await _kms.Code("DescribeKey", new DescribeKeyRequest { KeyId = "alias/doomed" }));
        var aliases = await _kms.Run<ListAliasesResponse>("ListAliases", new ListAliasesRequest());
        Assert.Equal(["alias/kept"], aliases.Aliases.Select(a => a.AliasName));
        var keys = await _kms.Run<ListKeysResponse>("ListKeys", new ListKeysRequest());
        Assert.Equal([keep], keys.Keys.Select(k => k.KeyId));
        var error = await _kms.Fails("Decrypt", new DecryptRequest { CiphertextBlob = blob });
        Assert.Contains(error.Code, new[] { KmsErrorCode.InvalidCiphertext, KmsErrorCode.NotFound });
        Assert.Null(await _kms.Keys.FindAsync(keyId));
        Assert.Equal(0, await Run());
    }

    [Fact]
    public async Task CancelledDeletionsAreNotCarriedOut()
    {
        var keyId = await _kms.NewKey();
        await _kms.ScheduleDeletion(keyId, 7);
        await _kms.Run<CancelKeyDeletionResponse>("CancelKeyDeletion", new CancelKeyDeletionRequest { KeyId = keyId });
        _kms.Time.Advance(TimeSpan.FromDays(31));
        Assert.Equal(0, await Run());
        Assert.Equal("Disabled", (await _kms.Describe(keyId)).KeyState);
    }

    [Fact]
    public async Task KeysPendingDeletionDoNotRotate()
    {
        var keyId = await _kms.NewKey();
        await _kms.Run<EmptyResponse>("EnableKeyRotation", new EnableKeyRotationRequest { KeyId = keyId, RotationPeriodInDays = 90 });
        _kms.Time.Advance(TimeSpan.FromDays(85));
        await _kms.ScheduleDeletion(keyId, 30);
        _kms.Time.Advance(TimeSpan.FromDays(10));
        Assert.Equal(0, await Run());
        await _kms.Run<CancelKeyDeletionResponse>("CancelKeyDeletion", new CancelKeyDeletionRequest { KeyId = keyId });
        Assert.Empty(await Rotations(keyId));
    }

    [Fact]
    public async Task ExpiredImportedMaterialIsDeleted()
    {
        var keyId = await _kms.NewKey(origin: "EXTERNAL");
        var now = _kms.Time.GetUtcNow();
        await _kms.Keys.MutateAsync(keyId, record =>
        {
            record.Versions.Add(KeyFactory.NewVersion(_kms.Keys, record, SystemRandom.Instance, now, null));
            record.KeyState = "Enabled";
            record.ExpirationModel = "KEY_MATERIAL_EXPIRES";
            record.ValidTo = now.AddDays(10);
            return true;
        });
        var blob = await _kms.Encrypt(keyId, [3, 1, 4]);
        Assert.Equal([3, 1, 4], (await _kms.Decrypt(blob)).Plaintext);

        _kms.Time.Advance(TimeSpan.FromDays(10) - TimeSpan.FromSeconds(1));
        Assert.Equal(0, await Run());
        _kms.Time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(1, await Run());

        Assert.Equal("PendingImport", (await _kms.Describe(keyId)).KeyState);
        var record = await _kms.Keys.FindAsync(keyId);
        Assert.False(record!.HasMaterial);
        Assert.All(record.Versions, v => Assert.Null(v.WrappedMaterial));
        Assert.Equal(KmsErrorCode.InvalidState, await _kms.Code("Encrypt", new EncryptRequest { KeyId = keyId, Plaintext = [1] }));
        Assert.Equal(KmsErrorCode.InvalidState, await _kms.Code("Decrypt", new DecryptRequest { CiphertextBlob = blob }));
        Assert.Equal("PENDING_IMPORT", Assert.Single((await _kms.Run<ListKeyRotationsResponse>("ListKeyRotations",
            new ListKeyRotationsRequest { KeyId = keyId, IncludeKeyMaterial = "ALL_KEY_MATERIAL" })).Rotations).ImportState);
        Assert.Equal(0, await Run());
    }

    [Fact]
    public async Task ImportedMaterialThatDoesNotExpireIsKept()
    {
        var keyId = await _kms.NewKey(origin: "EXTERNAL");
        var now = _kms.Time.GetUtcNow();
        await _kms.Keys.MutateAsync(keyId, record =>
        {
            record.Versions.Add(KeyFactory.NewVersion(_kms.Keys, record, SystemRandom.Instance, now, null));
            record.KeyState = "Enabled";
            record.ExpirationModel = "KEY_MATERIAL_DOES_NOT_EXPIRE";
            return true;
        });
        _kms.Time.Advance(TimeSpan.FromDays(5000));
        Assert.Equal(0, await Run());
        Assert.Equal("Enabled", (await _kms.Describe(keyId)).KeyState);
        await _kms.Encrypt(keyId, [1]);
    }

    [Fact]
    public async Task PagesThroughAllKeys()
    {
        var ids = new List<string>();
        for (var i = 0; i < 103; i++)
        {
            var keyId = await _kms.NewKey();
            await _kms.Run<EmptyResponse>("EnableKeyRotation", new EnableKeyRotationRequest { KeyId = keyId, RotationPeriodInDays = 90 });
            ids.Add(keyId);
        }
        _kms.Time.Advance(TimeSpan.FromDays(90));
        Assert.Equal(103, await Run());
        foreach (var keyId in ids) Assert.Single(await Rotations(keyId));
    }

    [Fact]
    public async Task SealedServerSkipsRotationButStillDestroys()
    {
        var rotating = await _kms.NewKey();
        await _kms.Run<EmptyResponse>("EnableKeyRotation", new EnableKeyRotationRequest { KeyId = rotating, RotationPeriodInDays = 90 });
        var doomed = await _kms.NewKey();
        await _kms.ScheduleDeletion(doomed, 7);
        _kms.Time.Advance(TimeSpan.FromDays(100));
        _kms.Root.Seal();
        Assert.Equal(1, await Run());
        Assert.Null(await _kms.Keys.FindAsync(doomed));
        Assert.Empty(await Rotations(rotating));
    }
}
