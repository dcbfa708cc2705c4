using Citadel.Iam.Policies;

namespace Citadel.Iam.Tests.Policies;

public sealed class PolicyParserTests
{
    [Fact]
    public void ParsesSingleStatementObjectAndScalarFields()
    {
        var policy = PolicyDocument.Parse("""
            {"Version":"2012-10-17","Id":"p1","Statement":{"Sid":"S1","Effect":"Allow","Action":"kms:Encrypt","Resource":"*"}}
            """);
        Assert.Equal("2012-10-17", policy.Version);
        Assert.Equal("p1", policy.Id);
        var statement = Assert.Single(policy.Statements);
        Assert.Equal("S1", statement.Sid);
        Assert.Equal(Effect.Allow, statement.Effect);
        Assert.Equal(["kms:Encrypt"], statement.Actions);
        Assert.Equal(["*"], statement.Resources);
        Assert.Null(statement.NotActions);
        Assert.Empty(statement.Conditions);
    }

    [Fact]
    public void ParsesArraysPrincipalsAndConditions()
    {
        var policy = PolicyDocument.Parse("""
            {"Version":"2012-10-17","Statement":[
              {"Effect":"Deny","NotAction":["kms:Decrypt","kms:Encrypt"],"NotResource":["arn:aws:kms:*:*:key/a"],
               "Principal":{"AWS":["111122223333","arn:aws:iam::444455556666:root"],"Service":"logs.amazonaws.com"},
               "Condition":{"ForAnyValue:StringLikeIfExists":{"aws:TagKeys":["a*","b"]},"NumericLessThan":{"test:n":5}}},
              {"Effect":"Allow","Action":"*","Resource":"*","NotPrincipal":"*"}]}
            """);
        Assert.Equal(2, policy.Statements.Count);
        var deny = policy.Statements[0];
        Assert.Equal(Effect.Deny, deny.Effect);
        Assert.Equal(["kms:Decrypt", "kms:Encrypt"], deny.NotActions);
        Assert.Equal(["111122223333", "arn:aws:iam::444455556666:root"], deny.Principal!.Aws);
        Assert.Equal(["logs.amazonaws.com"], deny.Principal.Service);
        Assert.False(deny.Principal.IsWildcard);
        Assert.Equal(2, deny.Conditions.Count);
        var set = deny.Conditions[0];
        Assert.Equal(ConditionOperatorKind.StringLike, set.Operator.Kind);
        Assert.True(set.Operator.IfExists);
        Assert.Equal(SetQualifier.ForAnyValue, set.Operator.Qualifier);
        Assert.Equal(["a*", "b"], set.Values);
        Assert.Equal(["5"], deny.Conditions[1].Values);
        Assert.True(policy.Statements[1].NotPrincipal!.IsWildcard);
    }

    [Fact]
    public void VersionDefaultsTo2008WithoutVariables()
    {
        var policy = PolicyDocument.Parse("""{"Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}""");
        Assert.Equal(PolicyDocument.Version2008, policy.Version);
        Assert.False(policy.SupportsVariables);
    }

    [Fact]
    public void MaxManagedPolicyLengthIsAwsLimit() => Assert.Equal(6144, PolicyDocument.MaxManagedPolicyLength);

    [Theory]
    [InlineData("not json", "Syntax errors in policy.")]
    [InlineData("{\"Statement\":[", "Syntax errors in policy.")]
    [InlineData("[]", "Syntax errors in policy.")]
    [InlineData("{\"Version\":\"2012-10-17\",\"Statement\":\"x\"}", "Syntax errors in policy.")]
    [InlineData("{\"Version\":\"2013-01-01\",\"Statement\":[]}", "Policy document must be version 2012-10-17 or 2008-10-17")]
    [InlineData("{\"Version\":\"2012-10-17\"}", "Missing required field Statement")]
    [InlineData("{\"Version\":\"2012-10-17\",\"Foo\":1,\"Statement\":[]}", "Unknown field Foo")]
    [InlineData("{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\",\"Bar\":1}}", "Unknown field Bar")]
    [InlineData("{\"Version\":\"2012-10-17\",\"Statement\":{\"effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\"}}", "Unknown field effect")]
    [InlineData("{\"Version\":\"2012-10-17\",\"Statement\":{\"Action\":\"*\",\"Resource\":\"*\"}}", "Statement must contain an Effect")]
    [InlineData("{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"allow\",\"Action\":\"*\",\"Resource\":\"*\"}}", "Effect must be Allow or Deny")]
    [InlineData("{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\",\"Resource\":\"*\"}}", "Missing required field Action")]
    [InlineData("{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\",\"Action\":[],\"Resource\":\"*\"}}", "Missing required field Action")]
    [InlineData("{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"*\",\"NotAction\":\"*\",\"Resource\":\"*\"}}", "Action and NotAction cannot both be present")]
    [InlineData("{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\",\"NotResource\":\"*\"}}", "Resource and NotResource cannot both be present")]
    [InlineData("{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"*\",\"Principal\":\"*\",\"NotPrincipal\":\"*\"}}", "Principal and NotPrincipal cannot both be present")]
    [InlineData("{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"Encrypt\",\"Resource\":\"*\"}}", "Actions/Conditions must be prefaced by a vendor")]
    [InlineData("{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"key/1\"}}", "Resource key/1 must be in ARN format")]
    [InlineData("{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\",\"Action\":[1],\"Resource\":\"*\"}}", "Action values must be strings")]
    [InlineData("{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\",\"Condition\":{\"StringEqualz\":{\"a:b\":\"c\"}}}}", "Invalid Condition type : StringEqualz")]
    [InlineData("{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\",\"Condition\":{\"NullIfExists\":{\"a:b\":\"true\"}}}}", "Invalid Condition type : NullIfExists")]
    [InlineData("{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\",\"Condition\":{\"NumericEquals\":{\"a:b\":\"ten\"}}}}", "Invalid Condition value for NumericEquals")]
    [InlineData("{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\",\"Condition\":{\"IpAddress\":{\"aws:SourceIp\":\"10.0.0.0/33\"}}}}", "Invalid Condition value for IpAddress")]
    [InlineData("{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\",\"Condition\":{\"DateLessThan\":{\"aws:CurrentTime\":\"yesterday\"}}}}", "Invalid Condition value for DateLessThan")]
    [InlineData("{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\",\"Condition\":{\"Bool\":{\"aws:SecureTransport\":\"yes\"}}}}", "Invalid Condition value for Bool")]
    [InlineData("{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\",\"Condition\":{\"StringEquals\":{\"a:b\":{\"x\":1}}}}}", "Syntax errors in policy.")]
    [InlineData("{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\",\"Principal\":{\"Nobody\":\"x\"}}}", "Invalid principal in policy")]
    [InlineData("{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"A\",\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\"},{\"Sid\":\"A\",\"Effect\":\"Deny\",\"Action\":\"*\",\"Resource\":\"*\"}]}", "Statement IDs (SID) in a single policy must be unique")]
    [InlineData("{\"Version\":\"2012-10-17\",\"Version\":\"2012-10-17\",\"Statement\":[]}", "Duplicate field Version")]
    public void MalformedDocumentsAreRejectedWithAReason(string json, string expected)
    {
        var error = Assert.Throws<MalformedPolicyDocumentException>(() => PolicyDocument.Parse(json));
        Assert.StartsWith(expected, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(PolicyKind.Identity, "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\",\"Principal\":\"*\"}}", "Policy document should not specify a principal.")]
    [InlineData(PolicyKind.Identity, "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"*\"}}", "Missing required field Resource")]
    [InlineData(PolicyKind.Identity, "{\"Version\":\"2012-10-17\",\"Statement\":{\"Sid\":\"Has space\",\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\"}}", "Statement IDs (SID) must be alpha-numeric. Check that your input satisfies the regular expression [0-9A-Za-z]*")]
    [InlineData(PolicyKind.Resource, "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\"}}", "Missing required field Principal")]
    public void KindSpecificChecks(PolicyKind kind, string json, string expected)
    {
        var error = Assert.Throws<MalformedPolicyDocumentException>(() => PolicyDocument.Parse(json, kind));
        Assert.Equal(expected, error.Message);
    }

    [Fact]
    public void TrustPolicyWithoutResourceParsesAsAny() =>
        Assert.Single(PolicyDocument.Parse("""
            {"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}}
            """).Statements);
}
