using Citadel.Iam.Policies;
using static Citadel.Iam.Tests.Policies.PolicyTestHelpers;

namespace Citadel.Iam.Tests.Policies;

public sealed class PolicyEvaluatorTests
{
    private const string AllowKms = """{"Version":"2012-10-17","Id":"allow-kms","Statement":{"Sid":"AllowKms","Effect":"Allow","Action":"kms:*","Resource":"*"}}""";
    private const string DenyDecrypt = """{"Version":"2012-10-17","Id":"deny-decrypt","Statement":[{"Sid":"Other","Effect":"Deny","Action":"s3:*","Resource":"*"},{"Sid":"NoDecrypt","Effect":"Deny","Action":"kms:Decrypt","Resource":"*"}]}""";

    private static EvaluationResult Evaluate(RequestContext context, string[] identity, string? resource = null) =>
        PolicyEvaluator.Evaluate(context, identity.Select(p => PolicyDocument.Parse(p)),
            resource is null ? null : PolicyDocument.Parse(resource, PolicyKind.Resource));

    [Fact]
    public void NoPoliciesIsImplicitDeny()
    {
        var result = Evaluate(Request(), []);
        Assert.Equal(Decision.ImplicitDeny, result.Decision);
        Assert.Empty(result.Statements);
    }

    [Fact]
    public void AllowIsExplainedByPolicyAndStatement()
    {
        var result = Evaluate(Request("kms:Encrypt"), [AllowKms, DenyDecrypt]);
        Assert.Equal(Decision.Allow, result.Decision);
        var match = Assert.Single(result.Statements);
        Assert.Equal(("allow-kms", "AllowKms", 0, 0, false), (match.PolicyId, match.Sid, match.PolicyIndex, match.StatementIndex, match.IsResourcePolicy));
        Assert.Equal("identity policy 0 'allow-kms' statement 0 (Sid AllowKms)", match.Describe());
    }

    [Fact]
    public void ExplicitDenyWinsOverAllow()
    {
        var result = Evaluate(Request("kms:Decrypt"), [AllowKms, DenyDecrypt]);
        Assert.Equal(Decision.ExplicitDeny, result.Decision);
        var match = Assert.Single(result.Statements);
        Assert.Equal(("deny-decrypt", "NoDecrypt", 1, 1), (match.PolicyId, match.Sid, match.PolicyIndex, match.StatementIndex));
    }

    [Fact]
    public void ExplicitDenyInResourcePolicyWinsOverIdentityAllow()
    {
        const string keyPolicy = """{"Version":"2012-10-17","Statement":{"Effect":"Deny","Principal":"*","Action":"kms:*","Resource":"*"}}""";
        var result = Evaluate(Request(), [AllowKms], keyPolicy);
        Assert.Equal(Decision.ExplicitDeny, result.Decision);
        var match = Assert.Single(result.Statements);
        Assert.True(match.IsResourcePolicy);
        Assert.Equal("resource policy statement 0", match.Describe());
    }

    [Theory]
    [InlineData("kms:Encrypt", KeyArn, true)]
    [InlineData("kms:Decrypt", KeyArn, false)] // NotAction excludes it
    [InlineData("kms:Encrypt", "arn:aws:kms:us-east-1:111122223333:key/secret", false)] // NotResource excludes it
    public void NotActionAndNotResource(string action, string resource, bool expected)
    {
        const string policy = """
            {"Version":"2012-10-17","Statement":{"Effect":"Allow","NotAction":["kms:Decrypt","kms:Re*"],
              "NotResource":"arn:aws:kms:*:*:key/secret"}}
            """;
        Assert.Equal(expected, Allowed(policy, Request(action, resource)));
    }

    [Theory]
    [InlineData("\"*\"", Alice, Account, true)]
    [InlineData("{\"AWS\":\"*\"}", Alice, Account, true)]
    [InlineData("{\"AWS\":\"arn:aws:iam::111122223333:user/alice\"}", Alice, Account, true)]
    [InlineData("{\"AWS\":\"arn:aws:iam::111122223333:user/bob\"}", Alice, Account, false)]
    [InlineData("{\"AWS\":\"arn:aws:iam::111122223333:root\"}", Alice, Account, false)] // the account: delegates to identity policies, grants nothing by itself
    [InlineData("{\"AWS\":\"arn:aws:iam::111122223333:root\"}", "arn:aws:iam::111122223333:root", Account, true)] // the root user itself
    [InlineData("{\"AWS\":\"arn:aws:iam::111122223333:root\"}", "arn:aws:iam::444455556666:user/eve", "444455556666", false)]
    [InlineData("{\"AWS\":[\"444455556666\",\"111122223333\"]}", Alice, Account, false)] // bare account id: delegation too
    [InlineData("{\"AWS\":\"444455556666\"}", Alice, Account, false)]
    [InlineData("{\"Service\":\"logs.amazonaws.com\"}", "logs.amazonaws.com", "", true)]
    [InlineData("{\"Service\":\"logs.amazonaws.com\"}", Alice, Account, false)]
    [InlineData("{\"AWS\":\"arn:aws:iam::111122223333:role/App\"}", "arn:aws:sts::111122223333:assumed-role/App/session1", Account, true)]
    [InlineData("{\"AWS\":\"arn:aws:iam::111122223333:role/Other\"}", "arn:aws:sts::111122223333:assumed-role/App/session1", Account, false)]
    public void ResourcePolicyPrincipal(string principal, string principalArn, string account, bool expected)
    {
        var keyPolicy = $$$"""{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{{{principal}}},"Action":"kms:*","Resource":"*"}}""";
        var result = Evaluate(Request("kms:Encrypt", KeyArn, principalArn, account), [], keyPolicy);
        Assert.Equal(expected ? Decision.Allow : Decision.ImplicitDeny, result.Decision);
    }

    [Fact]
    public void NotPrincipalAppliesToEveryoneElse()
    {
        const string keyPolicy = """
            {"Version":"2012-10-17","Statement":[
              {"Effect":"Allow","Principal":"*","Action":"kms:*","Resource":"*"},
              {"Effect":"Deny","NotPrincipal":{"AWS":"arn:aws:iam::111122223333:user/alice"},"Action":"kms:Decrypt","Resource":"*"}]}
            """;
        Assert.Equal(Decision.Allow, Evaluate(Request("kms:Decrypt"), [], keyPolicy).Decision);
        var bob = Request("kms:Decrypt", KeyArn, "arn:aws:iam::111122223333:user/bob");
        Assert.Equal(Decision.ExplicitDeny, Evaluate(bob, [], keyPolicy).Decision);
    }

    [Fact]
    public void IdentityPolicyPrincipalIsIgnored()
    {
        // Identity policies have no Principal; the evaluator does not check one there.
        Assert.Equal(Decision.Allow, Evaluate(Request(principal: "arn:aws:iam::999999999999:user/x", account: "999999999999"), [AllowKms]).Decision);
    }

    [Fact]
    public void AllowFromAnyIdentityPolicyOrResourcePolicy()
    {
        const string keyPolicy = """{"Version":"2012-10-17","Statement":{"Sid":"Alice","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/alice"},"Action":"kms:Decrypt","Resource":"*"}}""";
        var result = Evaluate(Request("kms:Decrypt"), [], keyPolicy);
        Assert.Equal(Decision.Allow, result.Decision);
        Assert.Equal("Alice", Assert.Single(result.Statements).Sid);
        Assert.Equal(Decision.ImplicitDeny, Evaluate(Request("kms:Encrypt"), [], keyPolicy).Decision);
    }

    [Fact]
    public void AnAllowToTheAccountDelegatesToIdentityPoliciesAndADenyToTheAccountAppliesToAll()
    {
        // The default key policy's "Enable IAM User Permissions" statement: the account's IAM policies decide.
        const string delegating = """{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"}}""";
        Assert.Equal(Decision.ImplicitDeny, Evaluate(Request("kms:Decrypt"), [], delegating).Decision);
        Assert.Equal(Decision.Allow, Evaluate(Request("kms:Decrypt"), [AllowKms], delegating).Decision);
        const string denyingAccount = """{"Version":"2012-10-17","Statement":{"Effect":"Deny","Principal":{"AWS":"111122223333"},"Action":"kms:Decrypt","Resource":"*"}}""";
        Assert.Equal(Decision.ExplicitDeny, Evaluate(Request("kms:Decrypt"), [AllowKms], denyingAccount).Decision);
    }

    // AWS example: DenyAllExceptListedIfNoMFA (NotAction + BoolIfExists aws:MultiFactorAuthPresent).
    private const string DenyWithoutMfa = """
        {
          "Version": "2012-10-17",
          "Statement": [
            {"Sid": "AllowAll", "Effect": "Allow", "Action": "*", "Resource": "*"},
            {
              "Sid": "DenyAllExceptListedIfNoMFA",
              "Effect": "Deny",
              "NotAction": ["iam:CreateVirtualMFADevice", "iam:EnableMFADevice", "iam:GetUser", "iam:ListMFADevices",
                            "iam:ListVirtualMFADevices", "iam:ResyncMFADevice", "sts:GetSessionToken"],
              "Resource": "*",
              "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}
            }
          ]
        }
        """;

    [Theory]
    [InlineData("kms:Encrypt", null, Decision.ExplicitDeny)]
    [InlineData("kms:Encrypt", "false", Decision.ExplicitDeny)]
    [InlineData("kms:Encrypt", "true", Decision.Allow)]
    [InlineData("iam:ListMFADevices", null, Decision.Allow)]
    [InlineData("sts:GetSessionToken", "false", Decision.Allow)]
    public void DenyAllExceptListedIfNoMfa(string action, string? mfa, Decision expected) =>
        Assert.Equal(expected, Evaluate(Request(action, "*").WithKey("aws:MultiFactorAuthPresent", mfa), [DenyWithoutMfa]).Decision);

    [Theory]
    [InlineData(null, Decision.ExplicitDeny)] // Bool without IfExists does not match an absent key, so this variant uses Null too
    [InlineData("true", Decision.Allow)]
    public void DenyWithoutMfaUsingBoolAndNull(string? mfa, Decision expected)
    {
        const string policy = """
            {"Version":"2012-10-17","Statement":[
              {"Effect":"Allow","Action":"*","Resource":"*"},
              {"Effect":"Deny","NotAction":"sts:GetSessionToken","Resource":"*","Condition":{"Null":{"aws:MultiFactorAuthPresent":"true"}}},
              {"Effect":"Deny","NotAction":"sts:GetSessionToken","Resource":"*","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"false"}}}]}
            """;
        Assert.Equal(expected, Evaluate(Request().WithKey("aws:MultiFactorAuthPresent", mfa), [policy]).Decision);
    }

    // AWS ABAC example: access when the resource's team tag equals the principal's.
    private const string Abac = """
        {
          "Version": "2012-10-17",
          "Statement": [{
            "Sid": "AccessSameTeam",
            "Effect": "Allow",
            "Action": ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey*"],
            "Resource": "arn:aws:kms:*:111122223333:key/*",
            "Condition": {"StringEquals": {"aws:ResourceTag/team": "${aws:PrincipalTag/team}"}}
          }]
        }
        """;

    [Theory]
    [InlineData("kms:GenerateDataKeyWithoutPlaintext", "blue", "blue", Decision.Allow)]
    [InlineData("kms:Decrypt", "blue", "red", Decision.ImplicitDeny)]
    [InlineData("kms:Decrypt", "blue", null, Decision.ImplicitDeny)]
    [InlineData("kms:Decrypt", null, "blue", Decision.ImplicitDeny)] // no principal tag: the variable does not resolve
    [InlineData("kms:ScheduleKeyDeletion", "blue", "blue", Decision.ImplicitDeny)]
    public void AbacWithPrincipalTagVariable(string action, string? principalTeam, string? resourceTeam, Decision expected)
    {
        var context = Request(action).WithKey("aws:PrincipalTag/team", principalTeam).WithKey("aws:ResourceTag/team", resourceTeam);
        Assert.Equal(expected, Evaluate(context, [Abac]).Decision);
    }

    // AWS KMS example: encryption context condition in a key policy.
    private const string KeyPolicyWithContext = """
        {
          "Version": "2012-10-17",
          "Id": "key-policy",
          "Statement": [
            {"Sid": "Enable IAM User Permissions", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
             "Action": "kms:DescribeKey", "Resource": "*"},
            {"Sid": "AllowDecryptForApp", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:user/alice"},
             "Action": ["kms:Decrypt", "kms:Encrypt"], "Resource": "*",
             "Condition": {"StringEquals": {"kms:EncryptionContext:AppName": "ExampleApp"},
                           "ForAllValues:StringEquals": {"kms:EncryptionContextKeys": ["AppName", "FilePath"]}}}
          ]
        }
        """;

    [Theory]
    [InlineData("ExampleApp", "AppName", Decision.Allow)]
    [InlineData("ExampleApp", "AppName|FilePath", Decision.Allow)]
    [InlineData("OtherApp", "AppName", Decision.ImplicitDeny)]
    [InlineData("ExampleApp", "AppName|Secret", Decision.ImplicitDeny)]
    [InlineData(null, null, Decision.ImplicitDeny)]
    public void KmsEncryptionContextCondition(string? appName, string? keys, Decision expected)
    {
        var context = Request("kms:Decrypt").WithKey("kms:EncryptionContext:AppName", appName).WithKey("kms:EncryptionContextKeys", keys);
        var result = Evaluate(context, [], KeyPolicyWithContext);
        Assert.Equal(expected, result.Decision);
        if (expected == Decision.Allow)
        {
            Assert.Equal(("key-policy", "AllowDecryptForApp", 1), (result.Statements[0].PolicyId, result.Statements[0].Sid, result.Statements[0].StatementIndex));
        }
    }

    [Fact]
    public void SourceIpDenyClassic()
    {
        const string policy = """
            {"Version":"2012-10-17","Statement":[
              {"Effect":"Allow","Action":"kms:*","Resource":"*"},
              {"Effect":"Deny","Action":"*","Resource":"*","Condition":{"NotIpAddress":{"aws:SourceIp":["192.0.2.0/24","203.0.113.0/24"]},
                "Bool":{"aws:ViaAWSService":"false"}}}]}
            """;
        Assert.Equal(Decision.Allow, Evaluate(Request().With("aws:SourceIp", "192.0.2.10").With("aws:ViaAWSService", "false"), [policy]).Decision);
        Assert.Equal(Decision.ExplicitDeny, Evaluate(Request().With("aws:SourceIp", "198.51.100.1").With("aws:ViaAWSService", "false"), [policy]).Decision);
        Assert.Equal(Decision.Allow, Evaluate(Request().With("aws:SourceIp", "198.51.100.1").With("aws:ViaAWSService", "true"), [policy]).Decision);
    }

    [Fact]
    public void CallersCanLabelPoliciesThroughId()
    {
        var named = PolicyDocument.Parse(AllowKms) with { Id = "arn:aws:iam::111122223333:policy/KmsUsers" };
        var result = PolicyEvaluator.Evaluate(Request(), [named], null);
        Assert.Equal("arn:aws:iam::111122223333:policy/KmsUsers", Assert.Single(result.Statements).PolicyId);
    }

    [Fact]
    public void PrincipalArnAndAccountAreConditionKeys()
    {
        var policy = Guarded("StringEquals", "aws:PrincipalAccount", "\"111122223333\"");
        Assert.True(Allowed(policy, Request()));
        Assert.False(Allowed(policy, Request(principal: "arn:aws:iam::444455556666:user/x", account: "444455556666")));
    }
}
