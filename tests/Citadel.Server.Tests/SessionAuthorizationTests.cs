using Citadel.Crypto;
using Citadel.Iam;
using Citadel.Iam.Identity;
using Citadel.Iam.Operations;
using Citadel.Iam.Policies;
using Citadel.Server.Hosting;
using Citadel.Server.Protocols;
using Citadel.Server.Services;
using Citadel.Storage;

namespace Citadel.Server.Tests;

/// <summary>Assumed-role sessions before the authorizer: bound to their role's id, aws:TokenIssueTime, principal tags, and what AssumeRole asks the trust policy.</summary>
public sealed class SessionAuthorizationTests : IDisposable
{
    private const string Account = "111122223333";
    private const string Trust = """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"sts:AssumeRole"}]}""";
    private const string AllowListKeys = """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:ListKeys","Resource":"*"}]}""";

    private sealed class Clock(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;
        public override DateTimeOffset GetUtcNow() => Now;
    }

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "citadel-sessions-" + Guid.NewGuid().ToString("N"));
    private readonly RootKey _root = RootKey.Generate();
    private readonly Clock _clock = new(new DateTimeOffset(2026, 11, 29, 12, 0, 0, TimeSpan.Zero));
    private readonly IamDirectory _iam;
    private readonly SessionTokens _sessions;
    private readonly PolicyAuthorizer _authorizer;

    public SessionAuthorizationTests()
    {
        Directory.CreateDirectory(_directory);
        _iam = new IamDirectory(new SqliteDocumentStore(Path.Combine(_directory, "metadata.db")), () => _root, Account, "aws", _clock);
        _sessions = new SessionTokens(() => _root, _clock, "aws", _iam);
        _authorizer = new PolicyAuthorizer(_iam, "aws");
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, true);
        _root.Dispose();
    }

    private async Task<IamRoleRecord> Role(string name, IReadOnlyDictionary<string, string>? tags = null, params (string Name, string Document)[] policies)
    {
        var role = await _iam.CreateRoleAsync(name, "/", Trust, null, 3600, tags ?? new Dictionary<string, string>());
        foreach (var (policyName, document) in policies)
        {
            await _iam.MutateRoleAsync(name, r =>
            {
                r.InlinePolicies[policyName] = document;
                return r;
            });
        }
        return role;
    }

    // A session as a request authenticates it: issued now, resolved from its token.
    private Principal Session(IamRoleRecord role, string name, IReadOnlyDictionary<string, string>? tags = null)
    {
        var (id, _, token, _) = _sessions.Issue(role.Arn, role.RoleId, Account, new SessionRequest(name, tags), TimeSpan.FromHours(1));
        return _sessions.Resolve(id, token).Principal;
    }

    // The decision on kms:ListKeys with the request's global keys, as the pipeline asks it.
    private async Task<CheckDecision> ListKeys(Principal principal)
        => Assert.Single(await _authorizer.DecideAsync(principal, [AuthorizationCheck.OnAnyResource("kms:ListKeys")],
            PolicyAuthorizer.GlobalKeys(principal, "127.0.0.1", true, _clock.Now), CancellationToken.None));

    [Fact]
    public async Task ADenyOnTokenIssueTimeRevokesTheSessionsIssuedBeforeItAndNotTheLaterOnes()
    {
        var role = await Role("app", null, ("list", AllowListKeys));
        var older = Session(role, "older");
        _clock.Now = _clock.Now.AddSeconds(10);
        var newer = Session(role, "newer");
        Assert.Equal("2026-11-29T12:00:00Z", Assert.Single(PolicyAuthorizer.GlobalKeys(older, "127.0.0.1", true, _clock.Now)["aws:TokenIssueTime"]));

        // The policy AWS's console attaches to revoke sessions (AWSRevokeOlderSessions), with the time between the two issues.
        await _iam.MutateRoleAsync("app", r =>
        {
            r.InlinePolicies["AWSRevokeOlderSessions"] = """{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":["*"],"Resource":["*"],"Condition":{"DateLessThan":{"aws:TokenIssueTime":"2026-11-29T12:00:05Z"}}}]}""";
            return r;
        });
        var revoked = await ListKeys(older);
        Assert.Equal(Decision.ExplicitDeny, revoked.Decision);
        Assert.Equal("AWSRevokeOlderSessions", Assert.Single(revoked.Statements).PolicyId);
        Assert.True((await ListKeys(newer)).IsAllowed);
        // A session issued at the policy's very time is not older than it.
        _clock.Now = new DateTimeOffset(2026, 11, 29, 12, 0, 5, TimeSpan.Zero);
        Assert.True((await ListKeys(Session(role, "at"))).IsAllowed);

        // Long-term credentials have no token issue time.
        var user = await _iam.CreateUserAsync("bob", "/", new Dictionary<string, string>());
        Assert.False(PolicyAuthorizer.GlobalKeys(_iam.PrincipalOf(user, "AKIATEST"), "127.0.0.1", true, _clock.Now).ContainsKey("aws:TokenIssueTime"));
    }

    [Fact]
    public async Task ASessionOfARoleCreatedAgainUnderItsNameGetsNothingFromTheNewRole()
    {
        var role = await Role("app");
        var session = Session(role, "s1");
        Assert.Equal(Decision.ImplicitDeny, (await ListKeys(session)).Decision);
        // Deleted after the session authenticated, and created again with wider permissions.
        await _iam.MutateRoleAsync("app", _ => null);
        await Role("app", null, ("all", """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"""));
        var decision = await ListKeys(session);
        Assert.False(decision.IsAllowed);
        Assert.Contains("no longer exists", decision.DeniedMessage, StringComparison.Ordinal);
        // A grant to the new role's ARN does not cover it either.
        var check = new AuthorizationCheck("kms:Decrypt", "arn:aws:kms:us-east-1:111122223333:key/k", null, true, new Dictionary<string, IReadOnlyList<string>>())
        {
            Grants = [new Kms.Grants.GrantAllowance("g1", role.Arn)],
        };
        Assert.False(Assert.Single(await _authorizer.DecideAsync(session, [check], new Dictionary<string, IReadOnlyList<string>>(), CancellationToken.None)).IsAllowed);
        // And authentication refuses the old role's tokens from now on.
        var (id, _, token, _) = _sessions.Issue(role.Arn, role.RoleId, Account, new SessionRequest("s2"), TimeSpan.FromHours(1));
        Assert.Equal(AuthenticationErrorKind.InvalidToken, Assert.Throws<AuthenticationException>(() => _sessions.Resolve(id, token)).Kind);
    }

    [Fact]
    public async Task SessionTagsOverrideTheRolesTagsOfTheSameKeyAndKeepTheOthers()
    {
        var role = await Role("app", new Dictionary<string, string> { ["team"] = "red", ["restricted"] = "true" },
            ("team-blue", """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:ListKeys","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalTag/team":"blue"}}}]}"""),
            ("restricted", """{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalTag/restricted":"true"}}}]}"""));
        // The role's restricted tag still applies to a session with tags of its own.
        Assert.Equal(Decision.ExplicitDeny, (await ListKeys(Session(role, "tagged", new Dictionary<string, string> { ["Team"] = "blue" }))).Decision);
        await _iam.MutateRoleAsync("app", r =>
        {
            r.Tags.Remove("restricted");
            return r;
        });
        // The session's Team (any case) overrides the role's team.
        Assert.True((await ListKeys(Session(role, "blue", new Dictionary<string, string> { ["Team"] = "blue" }))).IsAllowed);
        Assert.Equal(Decision.ImplicitDeny, (await ListKeys(Session(role, "red"))).Decision);
    }

    [Fact]
    public async Task AssumeRoleGivesTheTrustPolicyItsRequestKeysAndAsksForTagSessionAndSetSourceIdentity()
    {
        var role = await Role("app");
        var sts = new StsQueryService(_iam, _sessions);
        var call = new ApiCall("r1", new Principal("IAMUser", "AIDA1", "arn:aws:iam::111122223333:user/ops", Account, "ops", "AKIA1"), "127.0.0.1", null);
        var request = new AssumeRoleRequest
        {
            RoleArn = role.Arn,
            RoleSessionName = "s1",
            ExternalId = "abc",
            SourceIdentity = "alice",
            Tags = [new TagView { Key = "project", Value = "x" }],
            TransitiveTagKeys = ["project"],
        };
        var checks = await sts.ChecksAsync(sts.Find("AssumeRole")!, request, call, new ResourceCollector(), CancellationToken.None);
        Assert.Equal(["sts:AssumeRole", "sts:TagSession", "sts:SetSourceIdentity"], checks.Select(c => c.Action));
        foreach (var check in checks)
        {
            Assert.Equal((role.Arn, Trust, true), (check.Resource, check.ResourcePolicy, check.ResourcePolicyIsAuthoritative));
            Assert.Equal(["s1"], check.ConditionKeys["sts:RoleSessionName"]);
            Assert.Equal(["abc"], check.ConditionKeys["sts:ExternalId"]);
            Assert.Equal(["alice"], check.ConditionKeys["sts:SourceIdentity"]);
            Assert.Equal(["x"], check.ConditionKeys["aws:RequestTag/project"]);
            Assert.Equal(["project"], check.ConditionKeys["aws:TagKeys"]);
            Assert.Equal(["project"], check.ConditionKeys["sts:TransitiveTagKeys"]);
        }

        // Without tags or a source identity, only sts:AssumeRole is asked, without their keys.
        var plain = Assert.Single(await sts.ChecksAsync(sts.Find("AssumeRole")!, new AssumeRoleRequest { RoleArn = role.Arn, RoleSessionName = "s2" }, call,
            new ResourceCollector(), CancellationToken.None));
        Assert.Equal("sts:AssumeRole", plain.Action);
        Assert.False(plain.ConditionKeys.ContainsKey("sts:ExternalId") || plain.ConditionKeys.ContainsKey("aws:TagKeys"));

        // Tag keys are case-insensitive: two that differ in case only are refused before anything is decided.
        var duplicate = new AssumeRoleRequest { RoleArn = role.Arn, RoleSessionName = "s3", Tags = [new TagView { Key = "a", Value = "1" }, new TagView { Key = "A", Value = "2" }] };
        var error = await Assert.ThrowsAsync<StsException>(() => sts.ChecksAsync(sts.Find("AssumeRole")!, duplicate, call, new ResourceCollector(), CancellationToken.None));
        Assert.Equal("InvalidParameterValue", error.Code);
    }
}
