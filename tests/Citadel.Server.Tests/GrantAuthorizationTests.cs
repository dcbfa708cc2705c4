using Citadel.Crypto;
using Citadel.Iam;
using Citadel.Iam.Identity;
using Citadel.Iam.Policies;
using Citadel.Kms.Grants;
using Citadel.Server.Hosting;
using Citadel.Storage;

namespace Citadel.Server.Tests;

/// <summary>The authorizer with KMS grants: who a grant lets act, and what still wins over it.</summary>
public sealed class GrantAuthorizationTests : IDisposable
{
    private const string Account = "111122223333";
    private const string Key = "arn:aws:kms:us-east-1:111122223333:key/0b2c3d4e-0000-4000-8000-000000000001";
    private const string AccountRoot = "arn:aws:iam::111122223333:root";

    // A key policy that names only someone else: identity policies of the account do not count on this key.
    private const string NotDelegating = """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/admin"},"Action":"kms:*","Resource":"*"}]}""";
    private const string Default = """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"}]}""";

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "citadel-authz-" + Guid.NewGuid().ToString("N"));
    private readonly RootKey _root = RootKey.Generate();
    private readonly IamDirectory _iam;
    private readonly PolicyAuthorizer _authorizer;

    public GrantAuthorizationTests()
    {
        Directory.CreateDirectory(_directory);
        _iam = new IamDirectory(new SqliteDocumentStore(Path.Combine(_directory, "metadata.db")), () => _root, Account, "aws", TimeProvider.System);
        _authorizer = new PolicyAuthorizer(_iam, "aws");
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, true);
        _root.Dispose();
    }

    private async Task<Principal> User(string name, string? policy = null)
    {
        var user = await _iam.CreateUserAsync(name, "/", new Dictionary<string, string>());
        if (policy is not null) await _iam.MutateUserAsync(name, u => u.InlinePolicies["p"] = policy);
        return _iam.PrincipalOf(user, "AKIATEST");
    }

    private static AuthorizationCheck Check(string action, string keyPolicy, params GrantAllowance[] grants)
        => new(action, Key, keyPolicy, true, new Dictionary<string, IReadOnlyList<string>>()) { Grants = grants };

    private async Task<CheckDecision> Decide(Principal principal, AuthorizationCheck check)
        => Assert.Single(await _authorizer.DecideAsync(principal, [check], new Dictionary<string, IReadOnlyList<string>>(), CancellationToken.None));

    [Fact]
    public async Task AGrantToTheCallerAllowsWhatNoPolicyDoes()
    {
        var bob = await User("bob");
        var denied = await Decide(bob, Check("kms:Decrypt", NotDelegating));
        Assert.Equal(Decision.ImplicitDeny, denied.Decision);
        Assert.Contains("because no identity-based policy allows the kms:Decrypt action", denied.DeniedMessage, StringComparison.Ordinal);

        var allowed = await Decide(bob, Check("kms:Decrypt", NotDelegating, new GrantAllowance("g1", bob.Arn)));
        Assert.True(allowed.IsAllowed);
        Assert.Equal("g1", allowed.GrantId);
        Assert.Contains("grant g1", allowed.Reason, StringComparison.Ordinal);
        // A grant to someone else is no use to bob.
        Assert.False((await Decide(bob, Check("kms:Decrypt", NotDelegating, new GrantAllowance("g2", "arn:aws:iam::111122223333:user/carol")))).IsAllowed);
        Assert.Null(await _authorizer.AuthorizeAsync(bob, [Check("kms:Decrypt", NotDelegating, new GrantAllowance("g1", bob.Arn))], new Dictionary<string, IReadOnlyList<string>>(), CancellationToken.None));
    }

    [Fact]
    public async Task AnExplicitDenyWinsOverAGrant()
    {
        var bob = await User("bob", """{"Version":"2012-10-17","Statement":[{"Sid":"NoDecrypt","Effect":"Deny","Action":"kms:Decrypt","Resource":"*"}]}""");
        var identityDeny = await Decide(bob, Check("kms:Decrypt", Default, new GrantAllowance("g1", bob.Arn)));
        Assert.Equal(Decision.ExplicitDeny, identityDeny.Decision);
        Assert.Equal("NoDecrypt", Assert.Single(identityDeny.Statements).Sid);
        Assert.Contains("with an explicit deny in an identity-based policy", identityDeny.DeniedMessage, StringComparison.Ordinal);

        var carol = await User("carol");
        const string keyDeny = """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"},{"Effect":"Deny","Principal":"*","Action":"kms:Decrypt","Resource":"*"}]}""";
        var resourceDeny = await Decide(carol, Check("kms:Decrypt", keyDeny, new GrantAllowance("g1", carol.Arn)));
        Assert.Equal(Decision.ExplicitDeny, resourceDeny.Decision);
        Assert.Contains("with an explicit deny in a resource-based policy", resourceDeny.DeniedMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AGrantToARoleCoversItsSessionsAndAGrantToASessionOnlyThatSession()
    {
        var role = await _iam.CreateRoleAsync("app", "/team/", """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"sts:AssumeRole"}]}""", null, 3600, new Dictionary<string, string>());
        var session = new Principal("AssumedRole", role.RoleId + ":s1", "arn:aws:sts::111122223333:assumed-role/app/s1", Account, null, "ASIATEST");
        Assert.True((await Decide(session, Check("kms:Encrypt", NotDelegating, new GrantAllowance("g1", role.Arn)))).IsAllowed);
        Assert.True((await Decide(session, Check("kms:Encrypt", NotDelegating, new GrantAllowance("g2", session.Arn)))).IsAllowed);
        Assert.False((await Decide(session, Check("kms:Encrypt", NotDelegating, new GrantAllowance("g3", "arn:aws:sts::111122223333:assumed-role/app/s2")))).IsAllowed);
    }

    [Fact]
    public async Task AGrantToTheAccountLetsIdentityPoliciesDecide()
    {
        var bob = await User("bob", """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:Encrypt","Resource":"*"}]}""");
        var carol = await User("carol");
        Assert.False((await Decide(bob, Check("kms:Encrypt", NotDelegating))).IsAllowed);
        var viaAccount = await Decide(bob, Check("kms:Encrypt", NotDelegating, new GrantAllowance("g1", AccountRoot)));
        Assert.True(viaAccount.IsAllowed);
        Assert.Contains("to the account", viaAccount.Reason, StringComparison.Ordinal);
        // Without an identity policy that allows it, a grant to the account gives nothing.
        Assert.False((await Decide(carol, Check("kms:Encrypt", NotDelegating, new GrantAllowance("g1", AccountRoot)))).IsAllowed);
    }

    [Fact]
    public async Task RetirementIsDecidedByTheGrantAndIamPoliciesNotTheKeyPolicy()
    {
        // As the server asks it: no key policy, identity policies decide, the grant's retiring principals allow.
        static AuthorizationCheck Retire(params GrantAllowance[] grants) => new("kms:RetireGrant", Key, null, false, new Dictionary<string, IReadOnlyList<string>>()) { Grants = grants };
        var bob = await User("bob");
        var delegated = await User("ops", """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:RetireGrant","Resource":"*"}]}""");
        var forbidden = await User("eve", """{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"kms:RetireGrant","Resource":"*"}]}""");
        Assert.True((await Decide(bob, Retire(new GrantAllowance("g", bob.Arn)))).IsAllowed);
        Assert.False((await Decide(bob, Retire())).IsAllowed);
        Assert.True((await Decide(delegated, Retire())).IsAllowed);
        Assert.Equal(Decision.ExplicitDeny, (await Decide(forbidden, Retire(new GrantAllowance("g", forbidden.Arn)))).Decision);
    }
}
