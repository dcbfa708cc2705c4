using static Citadel.Iam.Tests.Policies.PolicyTestHelpers;

namespace Citadel.Iam.Tests.Policies;

public sealed class ConditionOperatorTests
{
    [Theory]
    [InlineData("StringEquals", "\"a\"", "a", true)]
    [InlineData("StringEquals", "\"a\"", "A", false)]
    [InlineData("StringEquals", "[\"x\",\"a\"]", "a", true)] // policy values are OR'd
    [InlineData("StringEquals", "\"a\"", null, false)]
    [InlineData("StringEquals", "\"a*\"", "abc", false)] // no wildcards
    [InlineData("StringNotEquals", "\"a\"", "b", true)]
    [InlineData("StringNotEquals", "[\"a\",\"b\"]", "b", false)]
    [InlineData("StringNotEquals", "\"a\"", null, true)] // negated on an absent key matches
    [InlineData("StringEqualsIgnoreCase", "\"Prod\"", "PROD", true)]
    [InlineData("StringEqualsIgnoreCase", "\"Prod\"", "dev", false)]
    [InlineData("StringNotEqualsIgnoreCase", "\"Prod\"", "PROD", false)]
    [InlineData("StringNotEqualsIgnoreCase", "\"Prod\"", "dev", true)]
    [InlineData("StringLike", "\"home/*\"", "home/alice", true)]
    [InlineData("StringLike", "\"home/?\"", "home/ab", false)]
    [InlineData("StringLike", "\"Home/*\"", "home/alice", false)] // case-sensitive
    [InlineData("StringNotLike", "\"home/*\"", "tmp/x", true)]
    [InlineData("StringNotLike", "\"home/*\"", "home/x", false)]
    [InlineData("StringNotLike", "\"home/*\"", null, true)]
    public void StringOperators(string op, string values, string? request, bool expected) =>
        Assert.Equal(expected, Allowed(Guarded(op, "test:Key", values), Request().WithKey("TEST:key", request)));

    [Theory]
    [InlineData("NumericEquals", "10", "10", true)]
    [InlineData("NumericEquals", "\"10\"", "10.0", true)]
    [InlineData("NumericEquals", "10", "abc", false)]
    [InlineData("NumericNotEquals", "10", "11", true)]
    [InlineData("NumericNotEquals", "10", "10", false)]
    [InlineData("NumericNotEquals", "10", null, true)]
    [InlineData("NumericLessThan", "10", "9", true)]
    [InlineData("NumericLessThan", "10", "10", false)]
    [InlineData("NumericLessThanEquals", "10", "10", true)]
    [InlineData("NumericGreaterThan", "10", "10.5", true)]
    [InlineData("NumericGreaterThan", "10", "-1", false)]
    [InlineData("NumericGreaterThanEquals", "10", "10", true)]
    [InlineData("NumericGreaterThanEquals", "10", null, false)]
    public void NumericOperators(string op, string values, string? request, bool expected) =>
        Assert.Equal(expected, Allowed(Guarded(op, "test:n", values), Request().WithKey("test:n", request)));

    [Theory]
    [InlineData("DateEquals", "\"2020-01-01T00:00:00Z\"", "1577836800", true)] // epoch vs ISO
    [InlineData("DateNotEquals", "\"2020-01-01T00:00:00Z\"", "2020-01-01T00:00:01Z", true)]
    [InlineData("DateLessThan", "\"2020-01-01T00:00:00Z\"", "2019-12-31T23:59:59Z", true)]
    [InlineData("DateLessThan", "\"2020-01-01T00:00:00Z\"", "2020-01-01T00:00:00Z", false)]
    [InlineData("DateLessThanEquals", "\"2020-01-01\"", "2020-01-01T00:00:00Z", true)]
    [InlineData("DateGreaterThan", "\"2020-01-01T00:00:00Z\"", "2020-01-01T01:00:00+02:00", false)]
    [InlineData("DateGreaterThan", "\"2020-01-01T00:00:00Z\"", "2021-06-01T00:00:00Z", true)]
    [InlineData("DateGreaterThanEquals", "1577836800", "2020-01-01T00:00:00Z", true)]
    [InlineData("DateGreaterThanEquals", "1577836800", "not a date", false)]
    [InlineData("DateLessThan", "\"2020-01-01T00:00:00Z\"", null, false)]
    public void DateOperators(string op, string values, string? request, bool expected) =>
        Assert.Equal(expected, Allowed(Guarded(op, "aws:CurrentTime", values), Request().WithKey("aws:CurrentTime", request)));

    [Theory]
    [InlineData("Bool", "\"true\"", "true", true)]
    [InlineData("Bool", "true", "TRUE", true)]
    [InlineData("Bool", "\"false\"", "true", false)]
    [InlineData("Bool", "\"true\"", null, false)]
    [InlineData("BoolIfExists", "\"false\"", null, true)]
    [InlineData("BinaryEquals", "\"QmluYXJ5VmFsdWU=\"", "QmluYXJ5VmFsdWU=", true)]
    [InlineData("BinaryEquals", "\"QmluYXJ5VmFsdWU=\"", "T3RoZXI=", false)]
    [InlineData("Null", "\"true\"", null, true)]
    [InlineData("Null", "\"true\"", "x", false)]
    [InlineData("Null", "\"false\"", "x", true)]
    [InlineData("Null", "\"false\"", null, false)]
    [InlineData("Null", "\"true\"", "", true)] // an empty set counts as absent
    public void BoolBinaryNull(string op, string values, string? request, bool expected) =>
        Assert.Equal(expected, Allowed(Guarded(op, "test:k", values), Request().WithKey("test:k", request)));

    [Theory]
    [InlineData("IpAddress", "\"203.0.113.0/24\"", "203.0.113.77", true)]
    [InlineData("IpAddress", "\"203.0.113.0/24\"", "203.0.114.1", false)]
    [InlineData("IpAddress", "\"203.0.113.5/24\"", "203.0.113.200", true)] // host bits ignored
    [InlineData("IpAddress", "\"203.0.113.5\"", "203.0.113.5", true)] // bare address is /32
    [InlineData("IpAddress", "[\"10.0.0.0/8\",\"2001:db8::/32\"]", "2001:db8:1::1", true)]
    [InlineData("IpAddress", "\"2001:db8::/32\"", "2001:db9::1", false)]
    [InlineData("IpAddress", "\"10.0.0.0/8\"", "::ffff:10.1.2.3", true)] // IPv4-mapped
    [InlineData("IpAddress", "\"10.0.0.0/8\"", "not-an-ip", false)]
    [InlineData("IpAddress", "\"0.0.0.0/0\"", null, false)]
    [InlineData("NotIpAddress", "\"203.0.113.0/24\"", "198.51.100.1", true)]
    [InlineData("NotIpAddress", "\"203.0.113.0/24\"", "203.0.113.1", false)]
    [InlineData("NotIpAddress", "\"203.0.113.0/24\"", null, true)]
    public void IpOperators(string op, string values, string? request, bool expected) =>
        Assert.Equal(expected, Allowed(Guarded(op, "aws:SourceIp", values), Request().WithKey("aws:SourceIp", request)));

    [Theory]
    [InlineData("ArnEquals", "\"arn:aws:iam::111122223333:role/r\"", "arn:aws:iam::111122223333:role/r", true)]
    [InlineData("ArnEquals", "\"arn:aws:iam::111122223333:role/*\"", "arn:aws:iam::111122223333:role/r", true)]
    [InlineData("ArnLike", "\"arn:aws:iam::*:role/r\"", "arn:aws:iam::444455556666:role/r", true)]
    [InlineData("ArnLike", "\"arn:aws:iam::*:role/r\"", "arn:aws:iam::444455556666:role/R", false)]
    [InlineData("ArnLike", "\"arn:aws:sns:*:111122223333:topic\"", "arn:aws:sns:us-east-1:111122223333:topic", true)]
    [InlineData("ArnLike", "\"arn:aws:sns:us-*:*:topic\"", "arn:aws:sns:eu-west-1:111122223333:topic", false)]
    [InlineData("ArnLike", "\"arn:aws:s3:::*\"", "arn:aws:s3:::bucket/a:b", true)] // the resource part may hold colons
    [InlineData("ArnNotEquals", "\"arn:aws:iam::111122223333:role/r\"", "arn:aws:iam::111122223333:role/x", true)]
    [InlineData("ArnNotLike", "\"arn:aws:iam::*:role/*\"", "arn:aws:iam::111122223333:role/x", false)]
    [InlineData("ArnNotLike", "\"arn:aws:iam::*:role/*\"", null, true)]
    [InlineData("ArnLike", "\"arn:aws:iam::*:role/*\"", null, false)]
    public void ArnOperators(string op, string values, string? request, bool expected) =>
        Assert.Equal(expected, Allowed(Guarded(op, "aws:SourceArn", values), Request().WithKey("aws:SourceArn", request)));

    [Theory]
    [InlineData("StringEqualsIfExists", "\"a\"", null, true)]
    [InlineData("StringEqualsIfExists", "\"a\"", "a", true)]
    [InlineData("StringEqualsIfExists", "\"a\"", "b", false)]
    [InlineData("NumericLessThanIfExists", "5", null, true)]
    [InlineData("NumericLessThanIfExists", "5", "6", false)]
    [InlineData("IpAddressIfExists", "\"10.0.0.0/8\"", null, true)]
    [InlineData("ArnLikeIfExists", "\"arn:aws:iam::*:role/*\"", null, true)]
    [InlineData("StringNotLikeIfExists", "\"a*\"", "abc", false)]
    public void IfExists(string op, string values, string? request, bool expected) =>
        Assert.Equal(expected, Allowed(Guarded(op, "test:k", values), Request().WithKey("test:k", request)));

    [Theory]
    [InlineData("ForAnyValue:StringEquals", "[\"a\",\"b\"]", "x|b", true)]
    [InlineData("ForAnyValue:StringEquals", "[\"a\",\"b\"]", "x|y", false)]
    [InlineData("ForAnyValue:StringEquals", "[\"a\",\"b\"]", null, false)] // absent set: false
    [InlineData("ForAnyValue:StringEquals", "[\"a\",\"b\"]", "", false)] // empty set: false
    [InlineData("ForAnyValue:StringLike", "\"team-*\"", "x|team-a", true)]
    [InlineData("ForAnyValue:StringNotEquals", "\"a\"", "a|b", true)] // b is not a
    [InlineData("ForAnyValue:StringNotEquals", "\"a\"", "a|a", false)]
    [InlineData("ForAllValues:StringEquals", "[\"a\",\"b\"]", "a|b", true)]
    [InlineData("ForAllValues:StringEquals", "[\"a\",\"b\"]", "a|c", false)]
    [InlineData("ForAllValues:StringEquals", "[\"a\",\"b\"]", null, true)] // absent set: true
    [InlineData("ForAllValues:StringEquals", "[\"a\",\"b\"]", "", true)] // empty set: true
    [InlineData("ForAllValues:StringNotLike", "\"admin*\"", "dev|ops", true)]
    [InlineData("ForAllValues:StringNotLike", "\"admin*\"", "dev|admins", false)]
    [InlineData("ForAllValues:NumericLessThan", "10", "1|2|9", true)]
    [InlineData("ForAnyValue:StringEqualsIfExists", "\"a\"", null, true)]
    [InlineData("ForAllValues:StringEqualsIgnoreCase", "[\"a\",\"b\"]", "A|B", true)]
    public void SetOperators(string op, string values, string? request, bool expected) =>
        Assert.Equal(expected, Allowed(Guarded(op, "aws:TagKeys", values), Request().WithKey("aws:TagKeys", request)));

    [Fact]
    public void KeysAndOperatorsAreAnded()
    {
        const string policy = """
            {"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"kms:*","Resource":"*","Condition":{
              "StringEquals":{"test:a":"1","test:b":"2"},
              "Bool":{"aws:SecureTransport":"true"}}}}
            """;
        var full = Request().With("test:a", "1").With("test:b", "2").With("aws:SecureTransport", "true");
        Assert.True(Allowed(policy, full));
        Assert.False(Allowed(policy, Request().With("test:a", "1").With("test:b", "2")));
        Assert.False(Allowed(policy, Request().With("test:a", "1").With("test:b", "3").With("aws:SecureTransport", "true")));
    }

    [Fact]
    public void ConditionKeysAreCaseInsensitive()
    {
        var policy = Guarded("StringEquals", "AWS:SourceVpc", "\"vpc-1\"");
        Assert.True(Allowed(policy, Request().With("aws:sourcevpc", "vpc-1")));
    }

    [Fact]
    public void NumbersAndBooleansInJsonAreComparedAsText()
    {
        Assert.True(Allowed(Guarded("StringEquals", "test:n", "[5, true]"), Request().With("test:n", "true")));
        Assert.True(Allowed(Guarded("StringEquals", "test:n", "[5, true]"), Request().With("test:n", "5")));
    }
}
