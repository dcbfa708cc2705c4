using Citadel.Crypto;
using Citadel.Iam.Identity;
using Citadel.Storage;

namespace Citadel.Iam.Tests;

public sealed class IamDirectoryTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "citadel-iam-" + Guid.NewGuid().ToString("N"));
    private readonly RootKey _root = RootKey.Generate();
    private readonly SqliteDocumentStore _store;
    private readonly IamDirectory _iam;

    public IamDirectoryTests()
    {
        Directory.CreateDirectory(_directory);
        _store = new SqliteDocumentStore(Path.Combine(_directory, "metadata.db"));
        _iam = new IamDirectory(_store, () => _root, "111122223333", "aws", TimeProvider.System);
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, true);
        _root.Dispose();
    }

    [Fact]
    public async Task NamesAreUniqueIgnoringCase()
    {
        var user = await _iam.CreateUserAsync("Alice", "/", new Dictionary<string, string>());
        Assert.Equal("arn:aws:iam::111122223333:user/Alice", user.Arn);
        Assert.StartsWith("AIDA", user.UserId, StringComparison.Ordinal);
        var error = await Assert.ThrowsAsync<IamException>(() => _iam.CreateUserAsync("alice", "/", new Dictionary<string, string>()));
        Assert.Equal(IamErrorCode.EntityAlreadyExistsException, error.Code);
        Assert.Equal("Alice", (await _iam.GetUserAsync("ALICE")).UserName);
    }

    [Fact]
    public async Task KeysAuthenticateUntilDeactivatedAndAreLimitedToTwo()
    {
        await _iam.CreateUserAsync("bob", "/", new Dictionary<string, string>());
        var (first, secret) = await _iam.CreateAccessKeyAsync("bob");
        await _iam.CreateAccessKeyAsync("bob");
        Assert.Equal(IamErrorCode.LimitExceededException, (await Assert.ThrowsAsync<IamException>(() => _iam.CreateAccessKeyAsync("bob"))).Code);
        var credential = _iam.Find(first.AccessKeyId)!;
        Assert.Equal(secret, credential.SecretAccessKey);
        Assert.Equal("IAMUser", credential.Principal.Type);
        await _iam.UpdateAccessKeyAsync("bob", first.AccessKeyId, "Inactive");
        Assert.Null(_iam.Find(first.AccessKeyId));

        // A fresh directory (a restart) loads active keys from their wrapped secrets only.
        var reloaded = new IamDirectory(_store, () => _root, "111122223333", "aws", TimeProvider.System);
        await reloaded.LoadCredentialsAsync();
        Assert.Null(reloaded.Find(first.AccessKeyId));
        await _iam.UpdateAccessKeyAsync("bob", first.AccessKeyId, "Active");
        await reloaded.LoadCredentialsAsync();
        Assert.Equal(secret, reloaded.Find(first.AccessKeyId)!.SecretAccessKey);
        Assert.DoesNotContain(secret, (await _store.GetAsync(IamDirectory.KeysCollection, first.AccessKeyId))!.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UsersWithKeysCannotBeDeleted()
    {
        await _iam.CreateUserAsync("carol", "/", new Dictionary<string, string>());
        var (key, _) = await _iam.CreateAccessKeyAsync("carol");
        Assert.Equal(IamErrorCode.DeleteConflictException, (await Assert.ThrowsAsync<IamException>(() => _iam.DeleteUserAsync("carol"))).Code);
        await _iam.DeleteAccessKeyAsync("carol", key.AccessKeyId);
        await _iam.DeleteUserAsync("carol");
        Assert.Null(await _iam.FindUserAsync("carol"));
        Assert.Null(_iam.Find(key.AccessKeyId));
    }
    [Fact]
    public async Task TheRegistryOfRoleIdsFollowsTheRolesThatExist()
    {
        var first = await _iam.CreateRoleAsync("app", "/svc/", "{}", null, 3600, new Dictionary<string, string>());
        Assert.StartsWith("AROA", first.RoleId, StringComparison.Ordinal);
        Assert.Equal("arn:aws:iam::111122223333:role/svc/app", _iam.RoleArnOf(first.RoleId));
        // Changing a role keeps it; deleting it forgets its id.
        await _iam.MutateRoleAsync("app", role =>
        {
            role.InlinePolicies["p"] = "{}";
            return role;
        });
        Assert.Equal(first.Arn, _iam.RoleArnOf(first.RoleId));
        await _iam.MutateRoleAsync("APP", _ => null);
        Assert.Null(_iam.RoleArnOf(first.RoleId));

        // A role created again under the same name is another role: same ARN, new id.
        var second = await _iam.CreateRoleAsync("app", "/svc/", "{}", null, 3600, new Dictionary<string, string>());
        Assert.NotEqual(first.RoleId, second.RoleId);
        Assert.Equal(first.Arn, _iam.RoleArnOf(second.RoleId));
        Assert.Null(_iam.RoleArnOf(first.RoleId));
        // A failed create (the name is taken) registers nothing.
        await Assert.ThrowsAsync<IamException>(() => _iam.CreateRoleAsync("App", "/", "{}", null, 3600, new Dictionary<string, string>()));
        Assert.Equal(first.Arn, _iam.RoleArnOf(second.RoleId));

        // A fresh directory (a restart) knows the roles once loaded at unseal.
        var reloaded = new IamDirectory(_store, () => _root, "111122223333", "aws", TimeProvider.System);
        Assert.Null(reloaded.RoleArnOf(second.RoleId));
        await reloaded.LoadCredentialsAsync();
        Assert.Equal(second.Arn, reloaded.RoleArnOf(second.RoleId));
        Assert.Null(reloaded.RoleArnOf(first.RoleId));
        // Loading again drops a role deleted meanwhile by another directory over the same store (not what a server does: it owns its data directory).
        await _iam.MutateRoleAsync("app", _ => null);
        await reloaded.LoadCredentialsAsync();
        Assert.Null(reloaded.RoleArnOf(second.RoleId));
    }

    [Fact]
    public async Task RenamedUsersKeepTheirKeysPoliciesAndGroups()
    {
        var user = await _iam.CreateUserAsync("bob", "/", new Dictionary<string, string> { ["team"] = "red" });
        var (key, secret) = await _iam.CreateAccessKeyAsync("bob");
        await _iam.MutateUserAsync("bob", u =>
        {
            u.InlinePolicies["p"] = "{}";
            u.Groups.Add("readers");
            return true;
        });
        await _iam.CreateUserAsync("carol", "/", new Dictionary<string, string>());

        var conflict = await Assert.ThrowsAsync<IamException>(() => _iam.UpdateUserAsync("bob", "CAROL", null));
        Assert.Equal(IamErrorCode.EntityAlreadyExistsException, conflict.Code);
        Assert.Equal(IamErrorCode.NoSuchEntityException, (await Assert.ThrowsAsync<IamException>(() => _iam.UpdateUserAsync("nobody", "x", null))).Code);

        var renamed = await _iam.UpdateUserAsync("BOB", "robert", "/eng/");
        Assert.Equal("arn:aws:iam::111122223333:user/eng/robert", renamed.Arn);
        Assert.Equal(user.UserId, renamed.UserId);
        Assert.Null(await _iam.FindUserAsync("bob"));
        var stored = await _iam.GetUserAsync("robert");
        Assert.Equal(("/eng/", "red", "{}", "readers"), (stored.Path, stored.Tags["team"], stored.InlinePolicies["p"], Assert.Single(stored.Groups)));
        Assert.Equal(user.CreateDate, stored.CreateDate);

        // The access key follows the user, in the store and in memory.
        Assert.Equal(key.AccessKeyId, Assert.Single(await _iam.KeysOfAsync("robert")).AccessKeyId);
        var credential = _iam.Find(key.AccessKeyId)!;
        Assert.Equal(secret, credential.SecretAccessKey);
        Assert.Equal(("robert", renamed.Arn, user.UserId), (credential.Principal.UserName, credential.Principal.Arn, credential.Principal.PrincipalId));
        _iam.ForgetCredentials();
        await _iam.LoadCredentialsAsync();
        Assert.Equal("robert", _iam.Find(key.AccessKeyId)!.Principal.UserName);

        // A change of case only keeps the document.
        Assert.Equal("arn:aws:iam::111122223333:user/eng/Robert", (await _iam.UpdateUserAsync("robert", "Robert", null)).Arn);
        Assert.Equal("Robert", (await _iam.GetUserAsync("robert")).UserName);
    }
}
