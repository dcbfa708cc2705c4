using Citadel.Server.Protocols.S3;

namespace Citadel.Server.Tests;

/// <summary>An S3 name decodes to exactly one string, and only from UTF-8: no two encodings name one key.</summary>
public sealed class PercentDecodingTests
{
    [Theory]
    [InlineData("plain/key.txt", "plain/key.txt")]
    [InlineData("ctl%01%1f%7F", "ctl\u0001\u001f\u007f")]
    [InlineData("a%25FFb", "a%FFb")]
    [InlineData("%E2%82%AC%F0%9F%98%80", "€😀")]
    [InlineData("a+b%2B", "a+b+")]
    [InlineData("", "")]
    public void Valid_encodings_decode(string encoded, string decoded) => Assert.Equal(decoded, PercentDecoding.TryDecode(encoded));

    [Fact]
    public void A_plus_is_a_space_only_where_the_form_encoding_says_so() => Assert.Equal("a b+", PercentDecoding.TryDecode("a+b%2B", plusIsSpace: true));

    [Theory]
    [InlineData("a%FFb")] // not UTF-8: a lenient decoder keeps it as written, the name of the key a%25FFb
    [InlineData("a%C3")] // a sequence cut short
    [InlineData("%C0%80")] // an overlong form of U+0000
    [InlineData("%ED%A0%80")] // a surrogate, which UTF-8 cannot carry
    [InlineData("100%")] // a percent sign that escapes nothing
    [InlineData("%zz")]
    [InlineData("%4")]
    [InlineData("caf\u00e9")] // not encoded at all
    public void Invalid_encodings_are_refused(string encoded) => Assert.Null(PercentDecoding.TryDecode(encoded));
}
