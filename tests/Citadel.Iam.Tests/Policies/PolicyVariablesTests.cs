using Citadel.Iam.Policies;
using static Citadel.Iam.Tests.Policies.PolicyTestHelpers;

namespace Citadel.Iam.Tests.Policies;

public sealed class PolicyVariablesTests
{
    private static RequestContext Context(string resource) =>
        Request("kms:Encrypt", resource).With("aws:username", "alice").With("aws:userid", "AIDAEXAMPLE")
            .With("aws:PrincipalTag/team", "blue").With("test:multi", "a", "b");

    private static string ResourcePolicy(string resource) =>
        $$$"""{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"kms:*","Resource":"{{{resource}}}"}}""";

    [Theory]
    [InlineData("arn:aws:kms:us-east-1:111122223333:alias/${aws:username}", "arn:aws:kms:us-east-1:111122223333:alias/alice", true)]
    [InlineData("arn:aws:kms:us-east-1:111122223333:alias/${aws:username}", "arn:aws:kms:us-east-1:111122223333:alias/bob", false)]
    [InlineData("arn:aws:kms:us-east-1:111122223333:alias/${AWS:UserName}/*", "arn:aws:kms:us-east-1:111122223333:alias/alice/x", true)] // key names ignore case
    [InlineData("arn:aws:kms:us-east-1:111122223333:alias/${aws:userid}", "arn:aws:kms:us-east-1:111122223333:alias/AIDAEXAMPLE", true)]
    [InlineData("arn:aws:kms:us-east-1:111122223333:alias/${aws:PrincipalTag/team}-*", "arn:aws:kms:us-east-1:111122223333:alias/blue-1", true)]
    [InlineData("arn:aws:kms:us-east-1:111122223333:alias/${aws:PrincipalTag/team}-*", "arn:aws:kms:us-east-1:111122223333:alias/red-1", false)]
    [InlineData("arn:aws:kms:us-east-1:111122223333:alias/a${*}", "arn:aws:kms:us-east-1:111122223333:alias/a*", true)]
    [InlineData("arn:aws:kms:us-east-1:111122223333:alias/a${*}", "arn:aws:kms:us-east-1:111122223333:alias/abc", false)] // ${*} is a literal *
    [InlineData("arn:aws:kms:us-east-1:111122223333:alias/a${?}", "arn:aws:kms:us-east-1:111122223333:alias/ab", false)]
    [InlineData("arn:aws:kms:us-east-1:111122223333:alias/a${?}", "arn:aws:kms:us-east-1:111122223333:alias/a?", true)]
    [InlineData("arn:aws:kms:us-east-1:111122223333:alias/${$}x", "arn:aws:kms:us-east-1:111122223333:alias/$x", true)]
    [InlineData("arn:aws:kms:us-east-1:111122223333:alias/${aws:unknown}", "arn:aws:kms:us-east-1:111122223333:alias/", false)] // unknown: no match
    [InlineData("arn:aws:kms:us-east-1:111122223333:alias/${test:multi}", "arn:aws:kms:us-east-1:111122223333:alias/a", false)] // multivalued: no match
    [InlineData("arn:aws:kms:us-east-1:111122223333:alias/${aws:unknown, 'dflt'}", "arn:aws:kms:us-east-1:111122223333:alias/dflt", true)]
    public void ResourceVariables(string pattern, string resource, bool expected) =>
        Assert.Equal(expected, Allowed(ResourcePolicy(pattern), Context(resource)));

    [Fact]
    public void UnknownVariableInNotResourceMeansTheStatementDoesNotApply()
    {
        const string policy = """
            {"Version":"2012-10-17","Statement":[
              {"Effect":"Allow","Action":"*","Resource":"*"},
              {"Effect":"Deny","Action":"*","NotResource":"arn:aws:kms:*:*:alias/${aws:nothing}"}]}
            """;
        Assert.True(Allowed(policy, Context(KeyArn)));
    }

    [Fact]
    public void Version2008TreatsVariablesAsText()
    {
        const string policy = """{"Version":"2008-10-17","Statement":{"Effect":"Allow","Action":"kms:*","Resource":"arn:aws:kms:us-east-1:111122223333:alias/${aws:username}"}}""";
        Assert.False(Allowed(policy, Context("arn:aws:kms:us-east-1:111122223333:alias/alice")));
        Assert.True(Allowed(policy, Context("arn:aws:kms:us-east-1:111122223333:alias/${aws:username}")));
    }

    [Fact]
    public void ConditionValuesSubstituteForStringAndArnOperators()
    {
        var like = Guarded("StringLike", "test:path", "\"home/${aws:username}/*\"");
        Assert.True(Allowed(like, Context(KeyArn).With("test:path", "home/alice/docs")));
        Assert.False(Allowed(like, Context(KeyArn).With("test:path", "home/bob/docs")));
        var arn = Guarded("ArnEquals", "aws:SourceArn", "\"arn:aws:iam::111122223333:user/${aws:username}\"");
        Assert.True(Allowed(arn, Context(KeyArn).With("aws:SourceArn", "arn:aws:iam::111122223333:user/alice")));
        var unknown = Guarded("StringNotEquals", "test:x", "\"${aws:nothing}\"");
        Assert.False(Allowed(unknown, Context(KeyArn).With("test:x", "y")));
    }

    [Fact]
    public void SubstitutionReportsLiteralCharacters()
    {
        Assert.True(PolicyVariables.TrySubstitute("a${*}${aws:username}b", Context(KeyArn), out var text, out var literal));
        Assert.Equal("a*aliceb", text);
        Assert.Equal([false, true, true, true, true, true, true, false], literal);
        Assert.True(PolicyVariables.TrySubstitute("no ${ variables", Context(KeyArn), out text, out _));
        Assert.Equal("no ${ variables", text);
    }
}
