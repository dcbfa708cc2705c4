using Citadel.Kms.Operations;

namespace Citadel.Kms.Tests;

public sealed class RotationTests : IDisposable
{
    private readonly TestKms _kms = new();

    public void Dispose() => _kms.Dispose();

    private Task<GetKeyRotationStatusResponse> Status(string keyId)
        => _kms.Run<GetKeyRotationStatusResponse>("GetKeyRotationStatus", new GetKeyRotationStatusRequest { KeyId = keyId });

    private Task<EmptyResponse> Enable(string keyId, int? days = null)
        => _kms.Run<EmptyResponse>("EnableKeyRotation", new EnableKeyRotationRequest { KeyId = keyId, RotationPeriodInDays = days });

    private Task<RotateKeyOnDemandResponse> RotateNow(string keyId)
        => _kms.Run<RotateKeyOnDemandResponse>("RotateKeyOnDemand", new RotateKeyOnDemandRequest { KeyId = keyId });

    private Task<ListKeyRotationsResponse> Rotations(string keyId, string? include = null, int? limit = null, string? marker = null)
        => _kms.Run<ListKeyRotationsResponse>("ListKeyRotations", new ListKeyRotationsRequest { KeyId = keyId, IncludeKeyMaterial = include, Limit = limit, Marker = marker });

    [Fact]
    public async Task NewKeysDoNotRotate()
    {
        var keyId = await _kms.NewKey();
        var status = await Status(keyId);
        Assert.False(status.KeyRotationEnabled);
        Assert.Equal(keyId, status.KeyId);
        Assert.Null(status.RotationPeriodInDays);
        Assert.Null(status.NextRotationDate);
        Assert.Null(status.OnDemandRotationStartDate);
        Assert.Empty((await Rotations(keyId)).Rotations);
    }

    [Fact]
    public async Task EnableKeyRotationDefaultsToOneYear()
    {
        var keyId = await _kms.NewKey();
        Assert.Same(EmptyResponse.Instance, await Enable(_kms.Settings.KeyArn(keyId)));
        var status = await Status(keyId);
        Assert.True(status.KeyRotationEnabled);
        Assert.Equal(365, status.RotationPeriodInDays);
        Assert.Equal(_kms.Time.GetUtcNow().AddDays(365), status.NextRotationDate);
    }

    [Fact]
    public async Task EnableKeyRotationWithPeriodAndChangeOfPeriod()
    {
        var keyId = await _kms.NewKey();
        var enabledAt = _kms.Time.GetUtcNow();
        await Enable(keyId, 90);
        Assert.Equal(enabledAt.AddDays(90), (await Status(keyId)).NextRotationDate);

        // Enabling again without a period changes nothing; a new period counts from the last rotation.
        _kms.Time.Advance(TimeSpan.FromDays(10));
        await Enable(keyId);
        Assert.Equal(90, (await Status(keyId)).RotationPeriodInDays);
        await Enable(keyId, 2560);
        var status = await Status(keyId);
        Assert.Equal(2560, status.RotationPeriodInDays);
        Assert.Equal(enabledAt.AddDays(2560), status.NextRotationDate);
    }

    [Fact]
    public async Task DisableKeyRotationTurnsItOff()
    {
        var keyId = await _kms.NewKey();
        await Enable(keyId, 180);
        await _kms.Run<EmptyResponse>("DisableKeyRotation", new DisableKeyRotationRequest { KeyId = keyId });
        var status = await Status(keyId);
        Assert.False(status.KeyRotationEnabled);
        Assert.Null(status.RotationPeriodInDays);
        Assert.Null(status.NextRotationDate);
        // Idempotent, and rotation can be turned on again.
        await _kms.Run<EmptyResponse>("DisableKeyRotation", new DisableKeyRotationRequest { KeyId = keyId });
        await Enable(keyId);
        Assert.True((await Status(keyId)).KeyRotationEnabled);
    }

    [Theory]
    [InlineData("RSA_2048", "ENCRYPT_DECRYPT")]
    [InlineData("ECC_NIST_P256", null)]
    [InlineData("HMAC_256", null)]
    public async Task OnlySymmetricEncryptionKeysRotate(string spec, string? usage)
    {
        var keyId = await _kms.NewKey(spec, usage);
        Assert.Equal(KmsErrorCode.UnsupportedOperation, await _kms.Code("EnableKeyRotation", new EnableKeyRotationRequest { KeyId = keyId }));
        Assert.Equal(KmsErrorCode.UnsupportedOperation, await _kms.Code("DisableKeyRotation", new DisableKeyRotationRequest { KeyId = keyId }));
        Assert.Equal(KmsErrorCode.UnsupportedOperation, await _kms.Code("GetKeyRotationStatus", new GetKeyRotationStatusRequest { KeyId = keyId }));
        Assert.Equal(KmsErrorCode.UnsupportedOperation, await _kms.Code("RotateKeyOnDemand", new RotateKeyOnDemandRequest { KeyId = keyId }));
        Assert.Equal(KmsErrorCode.UnsupportedOperation, await _kms.Code("ListKeyRotations", new ListKeyRotationsRequest { KeyId = keyId }));
    }

    [Fact]
    public async Task KeysWithImportedMaterialDoNotRotate()
    {
        var keyId = await _kms.NewKey(origin: "EXTERNAL");
        Assert.Equal(KmsErrorCode.UnsupportedOperation, await _kms.Code("EnableKeyRotation", new EnableKeyRotationRequest { KeyId = keyId }));
        Assert.Equal(KmsErrorCode.UnsupportedOperation, await _kms.Code("RotateKeyOnDemand", new RotateKeyOnDemandRequest { KeyId = keyId }));
        Assert.False((await Status(keyId)).KeyRotationEnabled);
        Assert.Empty((await Rotations(keyId)).Rotations);
    }

    [Fact]
    public async Task RotationNeedsAnEnabledKey()
    {
        var keyId = await _kms.NewKey();
        await Enable(keyId, 100);
        await _kms.Run<EmptyResponse>("DisableKey", new DisableKeyRequest { KeyId = keyId });
        Assert.Equal(KmsErrorCode.Disabled, await _kms.Code("EnableKeyRotation", new EnableKeyRotationRequest { KeyId = keyId }));
        Assert.Equal(KmsErrorCode.Disabled, await _kms.Code("DisableKeyRotation", new DisableKeyRotationRequest { KeyId = keyId }));
        Assert.Equal(KmsErrorCode.Disabled, await _kms.Code("RotateKeyOnDemand", new RotateKeyOnDemandRequest { KeyId = keyId }));
        // Disabling the key does not change its rotation status.
        Assert.True((await Status(keyId)).KeyRotationEnabled);

        await _kms.ScheduleDeletion(keyId);
        Assert.Equal(KmsErrorCode.InvalidState, await _kms.Code("EnableKeyRotation", new EnableKeyRotationRequest { KeyId = keyId }));
        Assert.Equal(KmsErrorCode.InvalidState, await _kms.Code("RotateKeyOnDemand", new RotateKeyOnDemandRequest { KeyId = keyId }));
    }

    [Fact]
    public async Task RotationStatusIsFalseWhilePendingDeletionAndComesBack()
    {
        var keyId = await _kms.NewKey();
        await Enable(keyId, 120);
        await _kms.ScheduleDeletion(keyId);
        var pending = await Status(keyId);
        Assert.False(pending.KeyRotationEnabled);
        Assert.Null(pending.NextRotationDate);
        await _kms.Run<CancelKeyDeletionResponse>("CancelKeyDeletion", new CancelKeyDeletionRequest { KeyId = keyId });
        var restored = await Status(keyId);
        Assert.True(restored.KeyRotationEnabled);
        Assert.Equal(120, restored.RotationPeriodInDays);
    }

    [Fact]
    public async Task AwsManagedKeysAlwaysRotateYearly()
    {
        var managed = await _kms.ManagedKey();
        var status = await Status(managed);
        Assert.True(status.KeyRotationEnabled);
        Assert.Equal(365, status.RotationPeriodInDays);
        Assert.Equal(KmsErrorCode.UnsupportedOperation, await _kms.Code("EnableKeyRotation", new EnableKeyRotationRequest { KeyId = managed }));
        Assert.Equal(KmsErrorCode.UnsupportedOperation, await _kms.Code("DisableKeyRotation", new DisableKeyRotationRequest { KeyId = managed }));
        Assert.Equal(KmsErrorCode.UnsupportedOperation, await _kms.Code("RotateKeyOnDemand", new RotateKeyOnDemandRequest { KeyId = managed }));
    }

    [Fact]
    public async Task OnDemandRotationMakesNewMaterialCurrentAndOldCiphertextsStillDecrypt()
    {
        var keyId = await _kms.NewKey();
        var before = await _kms.Describe(keyId);
        var oldBlob = await _kms.Encrypt(keyId, [1, 2, 3]);
        var oldDecrypt = await _kms.Decrypt(oldBlob);
        Assert.Equal(before.CurrentKeyMaterialId, oldDecrypt.KeyMaterialId);

        _kms.Time.Advance(TimeSpan.FromMinutes(5));
        var rotated = await RotateNow(_kms.Settings.KeyArn(keyId));
        Assert.Equal(keyId, rotated.KeyId);

        var after = await _kms.Describe(keyId);
        Assert.NotEqual(before.CurrentKeyMaterialId, after.CurrentKeyMaterialId);
        Assert.Matches("^[0-9a-f]{64}$", after.CurrentKeyMaterialId!);
        var newBlob = await _kms.Encrypt(keyId, [4, 5, 6]);
        var newDecrypt = await _kms.Decrypt(newBlob);
        Assert.Equal(after.CurrentKeyMaterialId, newDecrypt.KeyMaterialId);
        Assert.Equal([4, 5, 6], newDecrypt.Plaintext);

        var oldAgain = await _kms.Decrypt(oldBlob);
        Assert.Equal([1, 2, 3], oldAgain.Plaintext);
        Assert.Equal(before.CurrentKeyMaterialId, oldAgain.KeyMaterialId);

        // ReEncrypt moves an old ciphertext to the new material.
        var reencrypted = await _kms.Run<ReEncryptResponse>("ReEncrypt", new ReEncryptRequest { CiphertextBlob = oldBlob, DestinationKeyId = keyId });
        Assert.Equal(before.CurrentKeyMaterialId, reencrypted.SourceKeyMaterialId);
        Assert.Equal(after.CurrentKeyMaterialId, reencrypted.DestinationKeyMaterialId);

        var rotations = (await Rotations(keyId)).Rotations;
        var entry = Assert.Single(rotations);
        Assert.Equal(keyId, entry.KeyId);
        Assert.Equal("ON_DEMAND", entry.RotationType);
        Assert.Equal(_kms.Time.GetUtcNow(), entry.RotationDate);
        Assert.Equal(after.CurrentKeyMaterialId, entry.KeyMaterialId);
        Assert.Equal("CURRENT", entry.KeyMaterialState);
        Assert.Null(entry.ImportState);
        Assert.Null((await Status(keyId)).OnDemandRotationStartDate);
    }

    [Fact]
    public async Task OnDemandRotationKeepsTheAutomaticSchedule()
    {
        var keyId = await _kms.NewKey();
        await Enable(keyId, 730);
        var scheduled = (await Status(keyId)).NextRotationDate;
        _kms.Time.Advance(TimeSpan.FromDays(3));
        await RotateNow(keyId);
        var status = await Status(keyId);
        Assert.True(status.KeyRotationEnabled);
        Assert.Equal(scheduled, status.NextRotationDate);
    }

    [Fact]
    public async Task AtMostTwentyFiveOnDemandRotations()
    {
        var keyId = await _kms.NewKey();
        for (var i = 0; i < 25; i++) await RotateNow(keyId);
        var error = await _kms.Fails("RotateKeyOnDemand", new RotateKeyOnDemandRequest { KeyId = keyId });
        Assert.Equal(KmsErrorCode.LimitExceeded, error.Code);
        Assert.Equal(25, (await Rotations(keyId)).Rotations.Count);
    }

    [Fact]
    public async Task ListKeyRotationsPaginatesAndCanIncludeTheFirstMaterial()
    {
        var keyId = await _kms.NewKey();
        var first = (await _kms.Describe(keyId)).CurrentKeyMaterialId;
        var rotationIds = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            _kms.Time.Advance(TimeSpan.FromDays(1));
            await RotateNow(keyId);
            rotationIds.Add((await _kms.Describe(keyId)).CurrentKeyMaterialId!);
        }

        var seen = new List<string>();
        string? marker = null;
        var pages = 0;
        do
        {
            var page = await Rotations(keyId, limit: 2, marker: marker);
            pages++;
            Assert.True(page.Rotations.Count <= 2);
            Assert.Equal(page.Truncated, page.NextMarker is not null);
            seen.AddRange(page.Rotations.Select(r => r.KeyMaterialId!));
            marker = page.NextMarker;
        } while (marker is not null);
        Assert.Equal(3, pages);
        Assert.Equal(rotationIds, seen);

        var all = (await Rotations(keyId, "ALL_KEY_MATERIAL")).Rotations;
        Assert.Equal(6, all.Count);
        Assert.Equal(first, all[0].KeyMaterialId);
        Assert.Null(all[0].RotationType);
        Assert.Null(all[0].RotationDate);
        Assert.Equal(["NON_CURRENT", "NON_CURRENT", "NON_CURRENT", "NON_CURRENT", "NON_CURRENT", "CURRENT"], all.Select(r => r.KeyMaterialState));
        Assert.True(all.Skip(1).Zip(all.Skip(2)).All(p => p.First.RotationDate < p.Second.RotationDate));

        Assert.Equal(KmsErrorCode.InvalidMarker, await _kms.Code("ListKeyRotations", new ListKeyRotationsRequest { KeyId = keyId, Marker = "bogus" }));
    }

    [Fact]
    public async Task UnknownKeysAreNotFound()
    {
        var missing = Guid.NewGuid().ToString();
        Assert.Equal(KmsErrorCode.NotFound, await _kms.Code("EnableKeyRotation", new EnableKeyRotationRequest { KeyId = missing }));
        Assert.Equal(KmsErrorCode.NotFound, await _kms.Code("DisableKeyRotation", new DisableKeyRotationRequest { KeyId = missing }));
        Assert.Equal(KmsErrorCode.NotFound, await _kms.Code("GetKeyRotationStatus", new GetKeyRotationStatusRequest { KeyId = missing }));
        Assert.Equal(KmsErrorCode.NotFound, await _kms.Code("RotateKeyOnDemand", new RotateKeyOnDemandRequest { KeyId = missing }));
        Assert.Equal(KmsErrorCode.NotFound, await _kms.Code("ListKeyRotations", new ListKeyRotationsRequest { KeyId = missing }));
    }
}
