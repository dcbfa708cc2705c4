using Citadel.Kms.Grants;
using Citadel.Kms.Model;

namespace Citadel.Kms.Tests;

/// <summary>The pure rules grants follow: constraints against a request, constraints of grants made from grants, who a grant lets act.</summary>
public sealed class GrantRulesTests
{
    private static Dictionary<string, string> Ctx(params string[] pairs)
        => Enumerable.Range(0, pairs.Length / 2).ToDictionary(i => pairs[2 * i], i => pairs[(2 * i) + 1], StringComparer.Ordinal);

    private static GrantConstraints Equal(params string[] pairs) => new() { EncryptionContextEquals = Ctx(pairs) };
    private static GrantConstraints Subset(params string[] pairs) => new() { EncryptionContextSubset = Ctx(pairs) };

    private static GrantRecord Grant(string grantee, List<string> operations, GrantConstraints? constraints = null, string? retiring = null) => new()
    {
        GrantId = new string('a', 63) + grantee.Length % 10,
        KeyId = "k",
        KeyArn = "arn",
        CreationDate = DateTimeOffset.UnixEpoch,
        GranteePrincipal = grantee,
        RetiringPrincipal = retiring,
        IssuingAccount = "root",
        Operations = operations,
        Constraints = constraints,
    };

    [Fact]
    public void EqualsNeedsExactlyTheContext()
    {
        var equals = Equal("app", "web", "env", "prod");
        Assert.True(GrantConstraintRules.Satisfies(equals, Ctx("env", "prod", "app", "web")));
        Assert.False(GrantConstraintRules.Satisfies(equals, Ctx("app", "web")));
        Assert.False(GrantConstraintRules.Satisfies(equals, Ctx("app", "web", "env", "prod", "x", "y")));
        Assert.False(GrantConstraintRules.Satisfies(equals, Ctx("app", "Web", "env", "prod")));
        Assert.False(GrantConstraintRules.Satisfies(equals, Ctx("App", "web", "env", "prod")));
        Assert.False(GrantConstraintRules.Satisfies(equals, null));
        Assert.True(GrantConstraintRules.Satisfies(Equal(), null));
    }

    [Fact]
    public void SubsetNeedsItsPairsAndAllowsMore()
    {
        var subset = Subset("app", "web");
        Assert.True(GrantConstraintRules.Satisfies(subset, Ctx("app", "web")));
        Assert.True(GrantConstraintRules.Satisfies(subset, Ctx("app", "web", "env", "prod")));
        Assert.False(GrantConstraintRules.Satisfies(subset, Ctx("env", "prod")));
        Assert.False(GrantConstraintRules.Satisfies(subset, Ctx("app", "ops")));
        Assert.False(GrantConstraintRules.Satisfies(subset, null));
        Assert.True(GrantConstraintRules.Satisfies(null, null));
        Assert.True(GrantConstraintRules.Satisfies(null, Ctx("any", "thing")));
    }

    [Fact]
    public void GrantsMadeFromGrantsAreAtLeastAsStrict()
    {
        Assert.True(GrantConstraintRules.AtLeastAsStrict(null, null));
        Assert.True(GrantConstraintRules.AtLeastAsStrict(Subset("a", "1"), null));
        Assert.False(GrantConstraintRules.AtLeastAsStrict(null, Subset("a", "1")));
        Assert.True(GrantConstraintRules.AtLeastAsStrict(Subset("a", "1", "b", "2"), Subset("a", "1")));
        Assert.True(GrantConstraintRules.AtLeastAsStrict(Equal("a", "1", "b", "2"), Subset("a", "1")));
        Assert.False(GrantConstraintRules.AtLeastAsStrict(Subset("b", "2"), Subset("a", "1")));
        Assert.False(GrantConstraintRules.AtLeastAsStrict(Subset("a", "2"), Subset("a", "1")));
        Assert.True(GrantConstraintRules.AtLeastAsStrict(Equal("a", "1"), Equal("a", "1")));
        Assert.False(GrantConstraintRules.AtLeastAsStrict(Equal("a", "1", "b", "2"), Equal("a", "1")));
        Assert.False(GrantConstraintRules.AtLeastAsStrict(Subset("a", "1"), Equal("a", "1")));
    }

    [Fact]
    public void AGrantAllowsItsOperationsToItsGranteeWhenTheContextFits()
    {
        var grants = new[]
        {
            Grant("arn:bob", ["Decrypt", "DescribeKey"], Subset("app", "web")),
            Grant("arn:carol-x", ["Encrypt"]),
        };
        Assert.Equal("arn:bob", Assert.Single(GrantAuthority.ForOperation(grants, "Decrypt", Ctx("app", "web"))).Principal);
        Assert.Empty(GrantAuthority.ForOperation(grants, "Decrypt", Ctx("app", "ops")));
        Assert.Empty(GrantAuthority.ForOperation(grants, "Decrypt", null));
        // The constraint does not govern DescribeKey.
        Assert.Single(GrantAuthority.ForOperation(grants, "DescribeKey", null));
        Assert.Equal("arn:carol-x", Assert.Single(GrantAuthority.ForOperation(grants, "Encrypt", Ctx("any", "x"))).Principal);
        Assert.Empty(GrantAuthority.ForOperation(grants, "GenerateDataKey", null));
    }

    [Fact]
    public void CreateGrantFromAGrantIsBoundedByIt()
    {
        var parent = Grant("arn:bob", ["CreateGrant", "Decrypt", "Encrypt"], Subset("app", "web"));
        var grants = new[] { parent };
        Assert.Single(GrantAuthority.ForCreateGrant(grants, ["Decrypt"], Subset("app", "web")));
        Assert.Single(GrantAuthority.ForCreateGrant(grants, ["Decrypt", "CreateGrant"], Equal("app", "web", "env", "prod")));
        Assert.Empty(GrantAuthority.ForCreateGrant(grants, ["Decrypt", "GenerateDataKey"], Subset("app", "web")));
        Assert.Empty(GrantAuthority.ForCreateGrant(grants, ["Decrypt"], null));
        Assert.Empty(GrantAuthority.ForCreateGrant([Grant("arn:bob", ["Decrypt"])], ["Decrypt"], null));
    }

    [Fact]
    public void RetiringPrincipalAndGranteeWithRetireGrantMayRetire()
    {
        Assert.Empty(GrantAuthority.ForRetirement(Grant("arn:bob", ["Decrypt"])));
        Assert.Equal(["arn:carol"], GrantAuthority.ForRetirement(Grant("arn:bob", ["Decrypt"], retiring: "arn:carol")).Select(a => a.Principal));
        Assert.Equal(["arn:carol", "arn:bob"], GrantAuthority.ForRetirement(Grant("arn:bob", ["Decrypt", "RetireGrant"], retiring: "arn:carol")).Select(a => a.Principal));
        Assert.Equal(["arn:bob"], GrantAuthority.ForRetirement(Grant("arn:bob", ["RetireGrant"])).Select(a => a.Principal));
    }

    [Theory]
    [InlineData("arn:aws:iam::111122223333:root", true)]
    [InlineData("arn:aws:iam::111122223333:user/bob", true)]
    [InlineData("arn:aws:iam::111122223333:user/team/bob", true)]
    [InlineData("arn:aws:iam::111122223333:role/app", true)]
    [InlineData("arn:aws:sts::111122223333:assumed-role/app/session-1", true)]
    [InlineData("arn:aws:iam::111122223333:group/admins", false)]
    [InlineData("arn:aws:iam::1111:user/bob", false)]
    [InlineData("bob", false)]
    [InlineData("s3.amazonaws.com", false)]
    public void PrincipalArnForms(string arn, bool valid) => Assert.Equal(valid, PrincipalArns.IsPrincipalArn(arn));
}
