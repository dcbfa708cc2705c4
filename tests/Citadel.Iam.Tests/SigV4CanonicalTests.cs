using System.Security.Cryptography;
using System.Text;

namespace Citadel.Iam.Tests;

/// <summary>The canonical request as the SigV4 specification spells it, in its string form and its hashed form.</summary>
public sealed class SigV4CanonicalTests
{
    private static readonly Dictionary<string, string[]> Headers = new()
    {
        ["host"] = ["h"],
        ["x-amz-meta-a"] = ["  one   two  ", "three"],
        ["x-amz-date"] = ["20261130T070000Z"],
    };

    [Fact]
    public void ValuesAreTrimmedAndJoinedThePathEncodedOnceAndAMissingSignedHeaderLeftEmpty()
    {
        var canonical = SigV4Canonical.CanonicalRequest("POST", "/a b/ü", "b=2&a=1", Headers, ["host", "x-amz-meta-a", "x-amz-missing"], "UNSIGNED-PAYLOAD", "kms", false);
        Assert.Equal("POST\n/a%20b/%C3%BC\na=1&b=2\nhost:h\nx-amz-meta-a:one two,three\nx-amz-missing:\n\nhost;x-amz-meta-a;x-amz-missing\nUNSIGNED-PAYLOAD", canonical);
    }

    [Fact]
    public void S3KeepsThePathAsSent()
    {
        var canonical = SigV4Canonical.CanonicalRequest("GET", "/bucket/a%20b", "", Headers, ["host"], SigV4Canonical.EmptyPayloadSha256, "s3", false);
        Assert.Equal("GET\n/bucket/a%20b\n\nhost:h\n\nhost\n" + SigV4Canonical.EmptyPayloadSha256, canonical);
    }

    [Theory]
    [InlineData("/", "kms", "")]
    [InlineData("/a b/ü", "kms", "b=2&a=1")]
    [InlineData("", "sts", "Action=GetCallerIdentity&Version=2011-06-15")]
    [InlineData("/bucket/key%2Fwith%20spaces", "s3", "X-Amz-Signature=abc&uploads=")]
    public void TheHashIsTheSha256OfTheCanonicalRequest(string path, string service, string query)
    {
        string[] signed = ["host", "x-amz-date", "x-amz-meta-a"];
        var text = SigV4Canonical.CanonicalRequest("PUT", path, query, Headers, signed, "UNSIGNED-PAYLOAD", service, true);
        Span<byte> hash = stackalloc byte[32];
        SigV4Canonical.HashCanonicalRequest("PUT", path, query, Headers, signed, "UNSIGNED-PAYLOAD", service, true, hash);
        Assert.Equal(SHA256.HashData(Encoding.UTF8.GetBytes(text)), hash.ToArray());
    }

    [Fact]
    public void TheSignatureIsTheHmacOfTheStringToSign()
    {
        var key = SigV4Canonical.SigningKey("secret", "20261130", "eu-west-1", "kms");
        var canonical = SigV4Canonical.CanonicalRequest("POST", "/", "", Headers, ["host"], SigV4Canonical.EmptyPayloadSha256, "kms", false);
        var expected = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(
            SigV4Canonical.StringToSign("20261130T070000Z", "20261130/eu-west-1/kms/aws4_request", canonical)));
        Span<byte> signature = stackalloc byte[32];
        SigV4Canonical.Sign(key, "20261130T070000Z", new CredentialScope("AKID", "20261130", "eu-west-1", "kms"),
            SHA256.HashData(Encoding.UTF8.GetBytes(canonical)), signature);
        Assert.Equal(expected, signature.ToArray());
    }

    [Theory]
    [InlineData("a", "a")]
    [InlineData("a b~c-d_e.f", "a b~c-d_e.f")]
    public void UnreservedTextIsReturnedAsIs(string value, string expected)
        => Assert.Equal(expected.Replace(" ", "%20", StringComparison.Ordinal), SigV4Canonical.UriEncode(value, encodeSlash: true));

    [Fact]
    public void EncodingUsesUpperCaseHexOfTheUtf8Bytes()
        => Assert.Equal("a%2Fb%3D%E2%82%AC", SigV4Canonical.UriEncode("a/b=€", encodeSlash: true));
}
