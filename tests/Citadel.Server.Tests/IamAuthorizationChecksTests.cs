using Citadel.Crypto;
using Citadel.Iam;
using Citadel.Iam.Identity;
using Citadel.Iam.Operations;
using Citadel.Server.Protocols;
using Citadel.Server.Services;
using Citadel.Storage;

namespace Citadel.Server.Tests;

/// <summary>What IAM requests ask the authorizer: the ARN of the user, group or role they act on.</summary>
public sealed class IamAuthorizationChecksTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "citadel-iamchecks-" + Guid.NewGuid().ToString("N"));
    private readonly RootKey _root = RootKey.Generate();
    private readonly IamDirectory _iam;
    private readonly IamQueryService _service;
    private readonly ApiCall _call = new("r1", new Principal("IAMUser", "AIDA1", "arn:aws:iam::111122223333:user/ops", "111122223333", "ops", "AKIA1"), "127.0.0.1", null);

    public IamAuthorizationChecksTests()
    {
        Directory.CreateDirectory(_directory);
        _iam = new IamDirectory(new SqliteDocumentStore(Path.Combine(_directory, "metadata.db")), () => _root, "111122223333", "aws", TimeProvider.System);
        _service = new IamQueryService(_iam);
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, true);
        _root.Dispose();
    }

    private async Task<List<(string Action, string Resource)>> Checks(string operation, object request)
    {
        var checks = await _service.ChecksAsync(_service.Find(operation)!, request, _call, new ResourceCollector(), CancellationToken.None);
        return checks.Select(c => (c.Action, c.Resource)).ToList();
    }

    [Fact]
    public async Task RoleOperationsAreCheckedOnTheRole()
    {
        await _iam.CreateRoleAsync("app", "/svc/", "{}", null, 3600, new Dictionary<string, string>());
        Assert.Equal([("iam:DeleteRole", "arn:aws:iam::111122223333:role/svc/app")], await Checks("DeleteRole", new DeleteRoleRequest { RoleName = "app" }));
        Assert.Equal([("iam:AttachRolePolicy", "arn:aws:iam::111122223333:role/svc/app")],
            await Checks("AttachRolePolicy", new AttachRolePolicyRequest { RoleName = "APP", PolicyArn = "arn:aws:iam::111122223333:policy/p" }));
        Assert.Equal([("iam:CreateRole", "arn:aws:iam::111122223333:role/new/worker")],
            await Checks("CreateRole", new CreateRoleRequest { RoleName = "worker", Path = "/new/", AssumeRolePolicyDocument = "{}" }));
    }

    [Fact]
    public async Task OnlyOperationsOnAUserDefaultToTheCaller()
    {
        await _iam.CreateUserAsync("ops", "/", new Dictionary<string, string>());
        Assert.Equal([("iam:ListAccessKeys", "arn:aws:iam::111122223333:user/ops")], await Checks("ListAccessKeys", new ListAccessKeysRequest()));
        Assert.Equal([("iam:ListRoles", "*")], await Checks("ListRoles", new ListRolesRequest()));
        Assert.Equal([("iam:ListUsers", "*")], await Checks("ListUsers", new ListUsersRequest()));
    }

    [Fact]
    public async Task RenamingAUserIsCheckedOnItsOldAndNewArn()
    {
        await _iam.CreateUserAsync("bob", "/eng/", new Dictionary<string, string>());
        Assert.Equal(
            [("iam:UpdateUser", "arn:aws:iam::111122223333:user/eng/bob"), ("iam:UpdateUser", "arn:aws:iam::111122223333:user/eng/robert")],
            await Checks("UpdateUser", new UpdateUserRequest { UserName = "bob", NewUserName = "robert" }));
        Assert.Equal(
            [("iam:UpdateUser", "arn:aws:iam::111122223333:user/eng/bob"), ("iam:UpdateUser", "arn:aws:iam::111122223333:user/ops/bob")],
            await Checks("UpdateUser", new UpdateUserRequest { UserName = "bob", NewPath = "/ops/" }));
    }
}
