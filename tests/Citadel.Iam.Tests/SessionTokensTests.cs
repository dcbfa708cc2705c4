using Citadel.Crypto;

namespace Citadel.Iam.Tests;

public sealed class SessionTokensTests
{
    private sealed class Clock(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;
        public override DateTimeOffset GetUtcNow() => Now;
    }

    [Fact]
    public void SessionsResolveUntilTheyExpireAndOnlyForTheirOwnKey()
    {
        using var root = RootKey.Generate();
        var clock = new Clock(new DateTimeOffset(2026, 11, 29, 12, 0, 0, TimeSpan.Zero));
        var tokens = new SessionTokens(() => root, clock, "aws");
        var (id, secret, token, expiration) = tokens.Issue("arn:aws:iam::111122223333:role/team/app", "AROAEXAMPLE", "111122223333", "build", TimeSpan.FromMinutes(15),
            new Dictionary<string, string> { ["project"] = "x" });
        Assert.StartsWith("ASIA", id, StringComparison.Ordinal);
        Assert.Equal(clock.Now.AddMinutes(15), expiration);
        var credential = tokens.Resolve(id, token);
        Assert.Equal(secret, credential.SecretAccessKey);
        Assert.Equal("arn:aws:sts::111122223333:assumed-role/app/build", credential.Principal.Arn);
        Assert.Equal("x", credential.Principal.SessionTags!["project"]);
        Assert.DoesNotContain(secret, token, StringComparison.Ordinal);

        Assert.Equal(AuthenticationErrorKind.InvalidToken, Assert.Throws<AuthenticationException>(() => tokens.Resolve("ASIAOTHERKEY00000000", token)).Kind);
        Assert.Equal(AuthenticationErrorKind.InvalidToken, Assert.Throws<AuthenticationException>(() => tokens.Resolve(id, "not-a-token")).Kind);
        using var otherRoot = RootKey.Generate();
        Assert.Equal(AuthenticationErrorKind.InvalidToken, Assert.Throws<AuthenticationException>(() => new SessionTokens(() => otherRoot, clock, "aws").Resolve(id, token)).Kind);

        clock.Now = expiration;
        Assert.Equal(AuthenticationErrorKind.ExpiredToken, Assert.Throws<AuthenticationException>(() => tokens.Resolve(id, token)).Kind);
    }
}
