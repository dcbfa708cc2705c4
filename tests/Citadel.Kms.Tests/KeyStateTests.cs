using Citadel.Kms.Operations;

namespace Citadel.Kms.Tests;

public sealed class KeyStateTests : IDisposable
{
    private readonly TestKms _kms = new();

    public void Dispose() => _kms.Dispose();

    [Fact]
    public async Task DisableAndEnableSwitchStateAndCryptography()
    {
        var keyId = await _kms.NewKey();
        Assert.Same(EmptyResponse.Instance, await _kms.Run<EmptyResponse>("DisableKey", new DisableKeyRequest { KeyId = keyId }));
        var disabled = await _kms.Describe(keyId);
        Assert.Equal("Disabled", disabled.KeyState);
        Assert.False(disabled.Enabled);
        Assert.Equal(KmsErrorCode.Disabled, await _kms.Code("Encrypt", new EncryptRequest { KeyId = keyId, Plaintext = [1] }));

        // Both are idempotent.
        await _kms.Run<EmptyResponse>("DisableKey", new DisableKeyRequest { KeyId = keyId });
        await _kms.Run<EmptyResponse>("EnableKey", new EnableKeyRequest { KeyId = _kms.Settings.KeyArn(keyId) });
        await _kms.Run<EmptyResponse>("EnableKey", new EnableKeyRequest { KeyId = keyId });
        var enabled = await _kms.Describe(keyId);
        Assert.Equal("Enabled", enabled.KeyState);
        Assert.True(enabled.Enabled);
        await _kms.Encrypt(keyId, [1]);
    }

    [Fact]
    public async Task EnableAndDisableRefusePendingDeletionAndPendingImport()
    {
        var pending = await _kms.NewKey();
        await _kms.ScheduleDeletion(pending);
        var external = await _kms.NewKey(origin: "EXTERNAL");
        foreach (var op in new[] { "EnableKey", "DisableKey" })
        {
            object Request(string id) => op == "EnableKey" ? new EnableKeyRequest { KeyId = id } : new DisableKeyRequest { KeyId = id };
            var error = await _kms.Fails(op, Request(pending));
            Assert.Equal(KmsErrorCode.InvalidState, error.Code);
            Assert.Equal($"{_kms.Settings.KeyArn(pending)} is pending deletion.", error.Message);
            error = await _kms.Fails(op, Request(external));
            Assert.Equal(KmsErrorCode.InvalidState, error.Code);
            Assert.Equal($"{_kms.Settings.KeyArn(external)} is pending import.", error.Message);
        }
        Assert.Equal("PendingDeletion", (await _kms.Describe(pending)).KeyState);
        Assert.Equal("PendingImport", (await _kms.Describe(external)).KeyState);
    }

    [Fact]
    public async Task AwsManagedKeysRefuseCustomerManagement()
    {
        var managed = await _kms.ManagedKey();
        Assert.Equal(KmsErrorCode.UnsupportedOperation, await _kms.Code("DisableKey", new DisableKeyRequest { KeyId = managed }));
        Assert.Equal(KmsErrorCode.UnsupportedOperation, await _kms.Code("EnableKey", new EnableKeyRequest { KeyId = managed }));
        Assert.Equal(KmsErrorCode.UnsupportedOperation, await _kms.Code("UpdateKeyDescription", new UpdateKeyDescriptionRequest { KeyId = managed, Description = "x" }));
        Assert.Equal(KmsErrorCode.UnsupportedOperation, await _kms.Code("ScheduleKeyDeletion", new ScheduleKeyDeletionRequest { KeyId = managed }));
        Assert.Equal(KmsErrorCode.UnsupportedOperation, await _kms.Code("CancelKeyDeletion", new CancelKeyDeletionRequest { KeyId = managed }));
        Assert.Equal("Enabled", (await _kms.Describe(managed)).KeyState);
    }

    [Fact]
    public async Task UnknownKeysAreNotFound()
    {
        var missing = Guid.NewGuid().ToString();
        Assert.Equal(KmsErrorCode.NotFound, await _kms.Code("EnableKey", new EnableKeyRequest { KeyId = missing }));
        Assert.Equal(KmsErrorCode.NotFound, await _kms.Code("DisableKey", new DisableKeyRequest { KeyId = missing }));
        Assert.Equal(KmsErrorCode.NotFound, await _kms.Code("ScheduleKeyDeletion", new ScheduleKeyDeletionRequest { KeyId = missing }));
        Assert.Equal(KmsErrorCode.NotFound, await _kms.Code("CancelKeyDeletion", new CancelKeyDeletionRequest { KeyId = missing }));
        Assert.Equal(KmsErrorCode.NotFound, await _kms.Code("UpdateKeyDescription", new UpdateKeyDescriptionRequest { KeyId = missing, Description = "" }));
    }

    [Fact]
    public async Task UpdateKeyDescriptionReplacesIt()
    {
        var keyId = await _kms.NewKey();
        await _kms.Run<EmptyResponse>("UpdateKeyDescription", new UpdateKeyDescriptionRequest { KeyId = keyId, Description = "payments" });
        Assert.Equal("payments", (await _kms.Describe(keyId)).Description);
        await _kms.Run<EmptyResponse>("UpdateKeyDescription", new UpdateKeyDescriptionRequest { KeyId = keyId, Description = "" });
        Assert.Equal("", (await _kms.Describe(keyId)).Description);

        // Disabled keys can be described; keys pending deletion cannot.
        await _kms.Run<EmptyResponse>("DisableKey", new DisableKeyRequest { KeyId = keyId });
        await _kms.Run<EmptyResponse>("UpdateKeyDescription", new UpdateKeyDescriptionRequest { KeyId = keyId, Description = "off" });
        await _kms.ScheduleDeletion(keyId);
        Assert.Equal(KmsErrorCode.InvalidState, await _kms.Code("UpdateKeyDescription", new UpdateKeyDescriptionRequest { KeyId = keyId, Description = "x" }));
        Assert.Equal("off", (await _kms.Describe(keyId)).Description);
    }

    [Fact]
    public async Task ScheduleKeyDeletionDefaultsToThirtyDays()
    {
        var keyId = await _kms.NewKey();
        var now = _kms.Time.GetUtcNow();
        var scheduled = await _kms.ScheduleDeletion(keyId);
        Assert.Equal(_kms.Settings.KeyArn(keyId), scheduled.KeyId);
        Assert.Equal("PendingDeletion", scheduled.KeyState);
        Assert.Equal(30, scheduled.PendingWindowInDays);
        Assert.Equal(now.AddDays(30), scheduled.DeletionDate);

        var described = await _kms.Describe(keyId);
        Assert.Equal("PendingDeletion", described.KeyState);
        Assert.False(described.Enabled);
        Assert.Equal(now.AddDays(30), described.DeletionDate);
        Assert.Equal(30, described.PendingDeletionWindowInDays);
        var error = await _kms.Fails("Encrypt", new EncryptRequest { KeyId = keyId, Plaintext = [1] });
        Assert.Equal(KmsErrorCode.InvalidState, error.Code);

        var again = await _kms.Fails("ScheduleKeyDeletion", new ScheduleKeyDeletionRequest { KeyId = keyId, PendingWindowInDays = 7 });
        Assert.Equal(KmsErrorCode.InvalidState, again.Code);
        Assert.Equal($"{_kms.Settings.KeyArn(keyId)} is pending deletion.", again.Message);
    }

    [Theory]
    [InlineData(6)]
    [InlineData(31)]
    [InlineData(365)]
    public async Task ScheduleKeyDeletionWindowMustBeSevenToThirtyDays(int days)
    {
        var keyId = await _kms.NewKey();
        Assert.Equal(KmsErrorCode.Validation, await _kms.Code("ScheduleKeyDeletion", new ScheduleKeyDeletionRequest { KeyId = keyId, PendingWindowInDays = days }));
        Assert.Equal("Enabled", (await _kms.Describe(keyId)).KeyState);
    }

    [Theory]
    [InlineData(7)]
    [InlineData(30)]
    public async Task ScheduleKeyDeletionAcceptsTheBounds(int days)
    {
        var keyId = await _kms.NewKey();
        var scheduled = await _kms.ScheduleDeletion(keyId, days);
        Assert.Equal(days, scheduled.PendingWindowInDays);
        Assert.Equal(_kms.Time.GetUtcNow().AddDays(days), scheduled.DeletionDate);
    }

    [Fact]
    public async Task DisabledAndPendingImportKeysCanBeScheduledForDeletion()
    {
        var disabled = await _kms.NewKey();
        await _kms.Run<EmptyResponse>("DisableKey", new DisableKeyRequest { KeyId = disabled });
        await _kms.ScheduleDeletion(disabled);
        var external = await _kms.NewKey(origin: "EXTERNAL");
        await _kms.ScheduleDeletion(external);
        Assert.Equal("PendingDeletion", (await _kms.Describe(disabled)).KeyState);
        Assert.Equal("PendingDeletion", (await _kms.Describe(external)).KeyState);
    }

    [Fact]
    public async Task CancelKeyDeletionLeavesTheKeyDisabled()
    {
        var keyId = await _kms.NewKey();
        await _kms.ScheduleDeletion(keyId, 10);
        var cancelled = await _kms.Run<CancelKeyDeletionResponse>("CancelKeyDeletion", new CancelKeyDeletionRequest { KeyId = keyId });
        Assert.Equal(_kms.Settings.KeyArn(keyId), cancelled.KeyId);
        var described = await _kms.Describe(keyId);
        Assert.Equal("Disabled", described.KeyState);
        Assert.Null(described.DeletionDate);
        Assert.Null(described.PendingDeletionWindowInDays);
        Assert.Equal(KmsErrorCode.Disabled, await _kms.Code("Encrypt", new EncryptRequest { KeyId = keyId, Plaintext = [1] }));
        await _kms.Run<EmptyResponse>("EnableKey", new EnableKeyRequest { KeyId = keyId });
        await _kms.Encrypt(keyId, [1]);
    }

    [Fact]
    public async Task CancelKeyDeletionOfKeyNotPendingDeletionIsInvalidState()
    {
        var keyId = await _kms.NewKey();
        var error = await _kms.Fails("CancelKeyDeletion", new CancelKeyDeletionRequest { KeyId = keyId });
        Assert.Equal(KmsErrorCode.InvalidState, error.Code);
        Assert.Equal($"{_kms.Settings.KeyArn(keyId)} is not pending deletion.", error.Message);
        await _kms.Run<EmptyResponse>("DisableKey", new DisableKeyRequest { KeyId = keyId });
        Assert.Equal(KmsErrorCode.InvalidState, await _kms.Code("CancelKeyDeletion", new CancelKeyDeletionRequest { KeyId = keyId }));
    }

    [Fact]
    public async Task CancelKeyDeletionOfKeyWithoutMaterialReturnsToPendingImport()
    {
        var keyId = await _kms.NewKey(origin: "EXTERNAL");
        await _kms.ScheduleDeletion(keyId);
        await _kms.Run<CancelKeyDeletionResponse>("CancelKeyDeletion", new CancelKeyDeletionRequest { KeyId = keyId });
        Assert.Equal("PendingImport", (await _kms.Describe(keyId)).KeyState);
    }

    [Fact]
    public void ReadOnlyFlagsMatchCloudTrail()
    {
        string[] readOnly = ["GetKeyPolicy", "ListKeyPolicies", "ListAliases", "ListResourceTags", "GetKeyRotationStatus", "ListKeyRotations"];
        string[] writes = ["PutKeyPolicy", "EnableKey", "DisableKey", "UpdateKeyDescription", "ScheduleKeyDeletion", "CancelKeyDeletion", "CreateAlias",
            "UpdateAlias", "DeleteAlias", "TagResource", "UntagResource", "EnableKeyRotation", "DisableKeyRotation", "RotateKeyOnDemand"];
        foreach (var name in readOnly) Assert.True(KmsOperations.All[name].ReadOnly, name);
        foreach (var name in writes) Assert.False(KmsOperations.All[name].ReadOnly, name);
    }
}
