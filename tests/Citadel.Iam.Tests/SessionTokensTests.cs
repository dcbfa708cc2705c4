using System.Text.Json;
using Citadel.Crypto;

namespace Citadel.Iam.Tests;

public sealed class SessionTokensTests
{
    private const string RoleArn = "arn:aws:iam::111122223333:role/team/app";
    private const string RoleId = "AROAEXAMPLE";

    private sealed class Clock(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;
        public override DateTimeOffset GetUtcNow() => Now;
    }

    /// <summary>Roles by unique id, as a test sets them.</summary>
    private sealed class Roles : IRoleRegistry
    {
        public Dictionary<string, string> Arns { get; } = new(StringComparer.Ordinal) { [RoleId] = RoleArn };
        public string? RoleArnOf(string roleId) => Arns.GetValueOrDefault(roleId);
    }

    [Fact]
    public void SessionsResolveUntilTheyExpireAndOnlyForTheirOwnKey()
    {
        using var root = RootKey.Generate();
        var clock = new Clock(new DateTimeOffset(2026, 11, 29, 12, 0, 0, TimeSpan.Zero));
        var roles = new Roles();
        var tokens = new SessionTokens(() => root, clock, "aws", roles);
        var (id, secret, token, expiration) = tokens.Issue(RoleArn, RoleId, "111122223333",
            new SessionRequest("build", new Dictionary<string, string> { ["project"] = "x" }), TimeSpan.FromMinutes(15));
        Assert.StartsWith("ASIA", id, StringComparison.Ordinal);
        Assert.Equal(clock.Now.AddMinutes(15), expiration);
        var credential = tokens.Resolve(id, token);
        Assert.Equal(secret, credential.SecretAccessKey);
        Assert.Equal("arn:aws:sts::111122223333:assumed-role/app/build", credential.Principal.Arn);
        Assert.Equal("AROAEXAMPLE:build", credential.Principal.PrincipalId);
        Assert.Equal(RoleId, credential.Principal.RoleId);
        Assert.Equal("x", credential.Principal.SessionTags!["project"]);
        Assert.DoesNotContain(secret, token, StringComparison.Ordinal);

        Assert.Equal(AuthenticationErrorKind.InvalidToken, Assert.Throws<AuthenticationException>(() => tokens.Resolve("ASIAOTHERKEY00000000", token)).Kind);
        Assert.Equal(AuthenticationErrorKind.InvalidToken, Assert.Throws<AuthenticationException>(() => tokens.Resolve(id, "not-a-token")).Kind);
        using var otherRoot = RootKey.Generate();
        Assert.Equal(AuthenticationErrorKind.InvalidToken, Assert.Throws<AuthenticationException>(() => new SessionTokens(() => otherRoot, clock, "aws", roles).Resolve(id, token)).Kind);

        clock.Now = expiration;
        Assert.Equal(AuthenticationErrorKind.ExpiredToken, Assert.Throws<AuthenticationException>(() => tokens.Resolve(id, token)).Kind);
    }

    [Fact]
    public void ASessionDiesWithItsRoleAlsoWhenARoleOfTheSameNameIsCreatedAgain()
    {
        using var root = RootKey.Generate();
        var clock = new Clock(new DateTimeOffset(2026, 11, 29, 12, 0, 0, TimeSpan.Zero));
        var roles = new Roles();
        var tokens = new SessionTokens(() => root, clock, "aws", roles);
        var (id, _, token, _) = tokens.Issue(RoleArn, RoleId, "111122223333", new SessionRequest("build"), TimeSpan.FromHours(1));
        Assert.Equal(RoleId, tokens.Resolve(id, token).Principal.RoleId);

        // Deleted: the token no longer authenticates, as an invalid one (not an expired one).
        roles.Arns.Remove(RoleId);
        Assert.Equal(AuthenticationErrorKind.InvalidToken, Assert.Throws<AuthenticationException>(() => tokens.Resolve(id, token)).Kind);
        // Created again under the same name and ARN: another role, with another id; the old session stays refused.
        roles.Arns["AROANEWROLE"] = RoleArn;
        Assert.Equal(AuthenticationErrorKind.InvalidToken, Assert.Throws<AuthenticationException>(() => tokens.Resolve(id, token)).Kind);
        // The id under another ARN is not the session's role either.
        roles.Arns[RoleId] = "arn:aws:iam::111122223333:role/other/app";
        Assert.Equal(AuthenticationErrorKind.InvalidToken, Assert.Throws<AuthenticationException>(() => tokens.Resolve(id, token)).Kind);
        roles.Arns[RoleId] = RoleArn;
        Assert.Equal(id, tokens.Resolve(id, token).AccessKeyId);
    }

    [Fact]
    public void TheTokenCarriesItsIssueTimeAndSourceIdentity()
    {
        using var root = RootKey.Generate();
        var clock = new Clock(new DateTimeOffset(2026, 11, 29, 12, 0, 7, 600, TimeSpan.Zero));
        var tokens = new SessionTokens(() => root, clock, "aws", new Roles());
        var (id, _, token, expiration) = tokens.Issue(RoleArn, RoleId, "111122223333", new SessionRequest("build", SourceIdentity: "alice"), TimeSpan.FromMinutes(15));
        clock.Now = clock.Now.AddMinutes(5);
        var principal = tokens.Resolve(id, token).Principal;
        // Whole seconds, and the expiry is exactly the duration after it.
        Assert.Equal(new DateTimeOffset(2026, 11, 29, 12, 0, 7, TimeSpan.Zero), principal.TokenIssueTime);
        Assert.Equal(principal.TokenIssueTime!.Value.AddMinutes(15), expiration);
        Assert.Equal("alice", principal.SourceIdentity);
        Assert.Null(principal.SessionTags);
    }

    [Fact]
    public void TokensOfTheFirstFormatAreRefused()
    {
        // A v1 token (no issue time) that the previous code issued and accepted: accepting it now would let it pass a Deny
        // on aws:TokenIssueTime, so it must not open at all.
        using var root = RootKey.Generate();
        var clock = new Clock(new DateTimeOffset(2026, 11, 29, 12, 0, 0, TimeSpan.Zero));
        var v1 = JsonSerializer.SerializeToUtf8Bytes(new
        {
            AccessKeyId = "ASIAOLDFORMAT0000000",
            Secret = "secret",
            RoleArn,
            RoleId,
            SessionName = "old",
            Account = "111122223333",
            Expires = clock.Now.AddHours(1).ToUnixTimeSeconds(),
            Tags = (Dictionary<string, string>?)null,
        });
        var token = Convert.ToBase64String(root.Wrap(v1, CanonicalEncoding.EncodeFields("citadel/sts/session-token/v1")));
        var tokens = new SessionTokens(() => root, clock, "aws", new Roles());
        Assert.Equal(AuthenticationErrorKind.InvalidToken, Assert.Throws<AuthenticationException>(() => tokens.Resolve("ASIAOLDFORMAT0000000", token)).Kind);
    }
}
