using Citadel.Iam.Policies;

namespace Citadel.Iam.Tests.Policies;

public sealed class WildcardTests
{
    [Theory]
    [InlineData("kms:Encrypt", "kms:Encrypt", true)]
    [InlineData("KMS:encrypt", "kms:Encrypt", true)] // actions ignore case
    [InlineData("kms:*", "kms:Encrypt", true)]
    [InlineData("*", "kms:Encrypt", true)]
    [InlineData("kms:Re*", "kms:ReEncryptFrom", true)]
    [InlineData("kms:Re*", "kms:Encrypt", false)]
    [InlineData("kms:*crypt", "kms:Decrypt", true)]
    [InlineData("kms:?ncrypt", "kms:Encrypt", true)]
    [InlineData("kms:?crypt", "kms:Encrypt", false)]
    [InlineData("kms:Encrypt", "kms:EncryptX", false)]
    [InlineData("s3:*", "kms:Encrypt", false)]
    [InlineData("kms:*Key*", "kms:DescribeKey", true)]
    [InlineData("kms:List*s", "kms:ListKeys", true)]
    public void ActionPatterns(string pattern, string action, bool expected) =>
        Assert.Equal(expected, Wildcard.Match(pattern, action, ignoreCase: true));

    [Theory]
    [InlineData("arn:aws:kms:us-east-1:111122223333:key/*", "arn:aws:kms:us-east-1:111122223333:key/abc", true)]
    [InlineData("arn:aws:kms:*:111122223333:key/*", "arn:aws:kms:eu-west-1:111122223333:key/abc", true)]
    [InlineData("arn:aws:kms:*:111122223333:key/*", "arn:aws:kms:eu-west-1:444455556666:key/abc", false)]
    [InlineData("arn:aws:kms:us-east-1:111122223333:key/ABC", "arn:aws:kms:us-east-1:111122223333:key/abc", false)] // case-sensitive
    [InlineData("arn:aws:kms:us-east-1:111122223333:alias/?", "arn:aws:kms:us-east-1:111122223333:alias/a", true)]
    [InlineData("arn:aws:kms:us-east-1:111122223333:alias/?", "arn:aws:kms:us-east-1:111122223333:alias/ab", false)]
    [InlineData("arn:aws:kms:us-*:*:*", "arn:aws:kms:us-west-2:111122223333:key/abc", true)]
    [InlineData("arn:aws:kms:us-*:*:*", "arn:aws:kms:eu-west-2:111122223333:key/abc", false)]
    [InlineData("arn:aws:kms:*", "arn:aws:kms:eu-west-2:111122223333:key/abc", true)] // short pattern: whole-value match
    [InlineData("arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket/a/b:c", true)]
    public void ResourcePatterns(string pattern, string resource, bool expected) =>
        Assert.Equal(expected, Wildcard.MatchArn(pattern, resource));

    [Fact]
    public void LiteralFlagsDisableWildcards()
    {
        Assert.False(Wildcard.Match("a*", "abc", false, [false, true]));
        Assert.True(Wildcard.Match("a*", "a*", false, [false, true]));
        Assert.True(Wildcard.Match("a*", "abc", false, [false, false]));
    }
}
