using Citadel.Crypto;
using Citadel.Kms;
using Citadel.Kms.Keys;
using Citadel.Kms.Operations;
using Citadel.Server.Protocols;
using Citadel.Server.Services;
using Citadel.Storage;

namespace Citadel.Server.Tests.Front;

/// <summary>
/// Resolve once: a request's keys are resolved by authorization and the operation runs on exactly those, even when an
/// alias is moved between the two (the race an UpdateAlias by someone else opens).
/// </summary>
public sealed class ResolveOnceTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "citadel-resolve-" + Guid.NewGuid().ToString("N"));
    private readonly RootKeyHolder _root = new();
    private readonly KmsContext _kms;

    public ResolveOnceTests()
    {
        Directory.CreateDirectory(_directory);
        _root.Unseal(RootKey.Generate());
        var settings = new KmsSettings("111122223333", "us-east-1", "aws");
        _kms = new KmsContext(settings, new KeyRepository(new SqliteDocumentStore(Path.Combine(_directory, "metadata.db")), _root), _root, TimeProvider.System, SystemRandom.Instance);
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, true);
    }

    private KmsCall NewCall() => new(_kms.Settings.RootArn, _kms.Settings.AccountId);

    private async Task<string> CreateKeyAsync()
    {
        var created = (CreateKeyResponse)(await KmsOperations.All["CreateKey"].ExecuteAsync(_kms, NewCall(), new CreateKeyRequest(), CancellationToken.None))!;
        return created.KeyMetadata.KeyId;
    }

    private Task Run(string operation, object request, KmsCall? call = null)
        => KmsOperations.All[operation].ExecuteAsync(_kms, call ?? NewCall(), request, CancellationToken.None);

    /// <summary>Authorization decides on A; the alias moves to B; the operation, with the request's call, still encrypts under A.</summary>
    [Fact]
    public async Task AnAliasMovedAfterAuthorizationDoesNotChangeTheKeyTheRequestRunsOn()
    {
        var authorized = await CreateKeyAsync();
        var other = await CreateKeyAsync();
        await Run("CreateAlias", new CreateAliasRequest { AliasName = "alias/app", TargetKeyId = authorized });
        var request = new EncryptRequest { KeyId = "alias/app", Plaintext = [1, 2, 3] };

        var call = NewCall();
        var checks = await KmsAuthorization.ChecksAsync(_kms, call, "Encrypt", request, new ResourceCollector(), CancellationToken.None);
        Assert.Equal(_kms.Settings.KeyArn(authorized), Assert.Single(checks).Resource);

        await Run("UpdateAlias", new UpdateAliasRequest { AliasName = "alias/app", TargetKeyId = other });

        var encrypted = (EncryptResponse)(await KmsOperations.All["Encrypt"].ExecuteAsync(_kms, call, request, CancellationToken.None))!;
        Assert.Equal(_kms.Settings.KeyArn(authorized), encrypted.KeyId);
        // The control: a call that resolves afresh (what the operation did before) lands on the other key.
        var fresh = (EncryptResponse)(await KmsOperations.All["Encrypt"].ExecuteAsync(_kms, NewCall(), request, CancellationToken.None))!;
        Assert.Equal(_kms.Settings.KeyArn(other), fresh.KeyId);
    }

    /// <summary>Decrypt names its key by alias: the key it checks the ciphertext against is the one authorized.</summary>
    [Fact]
    public async Task DecryptComparesTheCiphertextWithTheAuthorizedKey()
    {
        var authorized = await CreateKeyAsync();
        var other = await CreateKeyAsync();
        await Run("CreateAlias", new CreateAliasRequest { AliasName = "alias/dec", TargetKeyId = authorized });
        var blob = ((EncryptResponse)(await KmsOperations.All["Encrypt"].ExecuteAsync(_kms, NewCall(), new EncryptRequest { KeyId = authorized, Plaintext = [9] }, CancellationToken.None))!).CiphertextBlob;
        var request = new DecryptRequest { KeyId = "alias/dec", CiphertextBlob = blob };

        var call = NewCall();
        var checks = await KmsAuthorization.ChecksAsync(_kms, call, "Decrypt", request, new ResourceCollector(), CancellationToken.None);
        Assert.Equal(_kms.Settings.KeyArn(authorized), Assert.Single(checks).Resource);
        await Run("UpdateAlias", new UpdateAliasRequest { AliasName = "alias/dec", TargetKeyId = other });

        var decrypted = (DecryptResponse)(await KmsOperations.All["Decrypt"].ExecuteAsync(_kms, call, request, CancellationToken.None))!;
        Assert.Equal(_kms.Settings.KeyArn(authorized), decrypted.KeyId);
        var fresh = await Assert.ThrowsAsync<KmsException>(() => KmsOperations.All["Decrypt"].ExecuteAsync(_kms, NewCall(), request, CancellationToken.None));
        Assert.Equal(KmsErrorCode.IncorrectKey, fresh.Code);
    }

    /// <summary>UpdateAlias is authorized on the key the alias points at; if another request moves it first, it is refused, not applied to the moved alias.</summary>
    [Fact]
    public async Task AnAliasChangeAppliesOnlyToTheAliasAsAuthorized()
    {
        var first = await CreateKeyAsync();
        var second = await CreateKeyAsync();
        var third = await CreateKeyAsync();
        await Run("CreateAlias", new CreateAliasRequest { AliasName = "alias/moving", TargetKeyId = first });
        var request = new UpdateAliasRequest { AliasName = "alias/moving", TargetKeyId = third };

        var call = NewCall();
        var checks = await KmsAuthorization.ChecksAsync(_kms, call, "UpdateAlias", request, new ResourceCollector(), CancellationToken.None);
        // On the alias, on the key it points at now, and on the new target, as in AWS.
        Assert.Equal([_kms.Settings.AliasArn("alias/moving"), _kms.Settings.KeyArn(first), _kms.Settings.KeyArn(third)], checks.Select(c => c.Resource));

        await Run("UpdateAlias", new UpdateAliasRequest { AliasName = "alias/moving", TargetKeyId = second });

        var refused = await Assert.ThrowsAsync<KmsException>(() => Run("UpdateAlias", request, call));
        Assert.Equal(KmsErrorCode.Conflict, refused.Code);
        Assert.Equal(second, (await _kms.Keys.FindAliasAsync("alias/moving"))!.TargetKeyId);
        // DeleteAlias the same way.
        var deleteCall = NewCall();
        var delete = new DeleteAliasRequest { AliasName = "alias/moving" };
        await KmsAuthorization.ChecksAsync(_kms, deleteCall, "DeleteAlias", delete, new ResourceCollector(), CancellationToken.None);
        await Run("UpdateAlias", new UpdateAliasRequest { AliasName = "alias/moving", TargetKeyId = first });
        Assert.Equal(KmsErrorCode.Conflict, (await Assert.ThrowsAsync<KmsException>(() => Run("DeleteAlias", delete, deleteCall))).Code);
        Assert.NotNull(await _kms.Keys.FindAliasAsync("alias/moving"));
    }
}
