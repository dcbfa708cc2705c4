using System.Text;
using System.Text.Json;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;

namespace Citadel.Compatibility.Tests;

/// <summary>
/// Regression tests for issue 13's probe of the running server: each request here was answered wrongly before (an unsigned
/// header honoured, a region ignored, a body read before its limit, a 500 from input).
/// </summary>
[Collection("citadel")]
public sealed class RequestPathSecurityTests(CitadelFixture fixture)
{
    [Fact]
    public async Task APresignedPutWithAnAddedCopySourceIsRefusedAndCopiesNothing()
    {
        // The probe's attack with boto3's own presigned URL: host is the only signed header, x-amz-copy-source is added by
        // the URL's holder. Before, the PUT ran as a CopyObject of the secret.
        var result = await Clients.Boto3(fixture.Server, """
            import os, ssl, urllib.request, urllib.error, boto3, botocore
            s3 = boto3.client("s3", endpoint_url=os.environ["CITADEL_ENDPOINT"], config=botocore.config.Config(signature_version="s3v4", s3={"addressing_style": "path"}))
            s3.create_bucket(Bucket="presign-src")
            s3.create_bucket(Bucket="presign-dst")
            s3.put_object(Bucket="presign-src", Key="secret", Body=b"the secret")
            url = s3.generate_presigned_url("put_object", Params={"Bucket": "presign-dst", "Key": "upload"}, ExpiresIn=300)
            context = ssl.create_default_context(cafile=os.environ["AWS_CA_BUNDLE"])
            def put(headers):
                request = urllib.request.Request(url, data=b"", method="PUT", headers=headers)
                try:
                    with urllib.request.urlopen(request, context=context) as response:
                        return response.status, response.read().decode()
                except urllib.error.HTTPError as e:
                    return e.code, e.read().decode()
            print(put({"x-amz-copy-source": "/presign-src/secret"}))
            print(put({"x-amz-server-side-encryption": "aws:kms", "x-amz-meta-a": "1"}))
            try:
                s3.head_object(Bucket="presign-dst", Key="upload")
                print("exists")
            except botocore.exceptions.ClientError as e:
                print("absent", e.response["Error"]["Code"])
            status, _ = put({})
            print("plain", status)
            """);
        Assert.True(result.ExitCode == 0, result.StdErr);
        var lines = result.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 4, result.StdOut);
        Assert.StartsWith("(403, ", lines[0], StringComparison.Ordinal);
        Assert.Contains("<Code>AccessDenied</Code>", lines[0], StringComparison.Ordinal);
        Assert.True(lines[0].Contains("<HeadersNotSigned>x-amz-copy-source</HeadersNotSigned>", StringComparison.Ordinal), lines[0]);
        Assert.Contains("<HeadersNotSigned>x-amz-server-side-encryption, x-amz-meta-a</HeadersNotSigned>", lines[1], StringComparison.Ordinal);
        Assert.Equal("absent 404", lines[2]);
        Assert.Equal("plain 200", lines[3]); // the URL itself still works
    }

    [Fact]
    public async Task AHeaderSignedRequestThatLeavesCopySourceOutOfSignedHeadersIsRefused()
    {
        await SignedHttp.SendAsync(fixture.Server, "PUT", "/unsigned-copy", "", [], "s3");
        await SignedHttp.SendAsync(fixture.Server, "PUT", "/unsigned-copy/secret", "", "secret"u8.ToArray(), "s3");
        var (status, body, _) = await SignedHttp.SendAsync(fixture.Server, "PUT", "/unsigned-copy/target", "", [], "s3",
            unsignedHeaders: new() { ["x-amz-copy-source"] = "/unsigned-copy/secret" });
        Assert.Equal(403, status);
        Assert.Contains("<HeadersNotSigned>x-amz-copy-source</HeadersNotSigned>", body, StringComparison.Ordinal);
        var (signedStatus, _, _) = await SignedHttp.SendAsync(fixture.Server, "PUT", "/unsigned-copy/target", "", [], "s3",
            headers: new() { ["x-amz-copy-source"] = "/unsigned-copy/secret" });
        Assert.Equal(200, signedStatus); // the same copy, signed, is the signer's to make
    }

    [Fact]
    public async Task ARequestSignedForAnotherRegionIsRefusedInEachProtocolsShape()
    {
        using var kms = Clients.Kms(fixture.Server, region: "eu-west-9");
        var error = await Assert.ThrowsAsync<AmazonKeyManagementServiceException>(() => kms.ListKeysAsync(new ListKeysRequest()));
        Assert.Equal("InvalidSignatureException", error.ErrorCode);
        Assert.Contains("eu-west-9", error.Message, StringComparison.Ordinal);

        var (status, body, _) = await SignedHttp.SendAsync(fixture.Server, "GET", "/", "", [], "s3", region: "eu-west-9");
        Assert.Equal(400, status);
        Assert.Contains("<Code>AuthorizationHeaderMalformed</Code>", body, StringComparison.Ordinal);
        Assert.Contains("<Region>us-east-1</Region>", body, StringComparison.Ordinal);

        var (iamStatus, iamBody, _) = await SignedHttp.SendAsync(fixture.Server, "POST", "/", "", "Action=ListUsers&Version=2010-05-08"u8.ToArray(), "iam",
            new() { ["content-type"] = "application/x-www-form-urlencoded" }, region: "eu-west-9");
        Assert.Equal(403, iamStatus);
        Assert.Contains("<Code>SignatureDoesNotMatch</Code>", iamBody, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/citadel/admin/explain")]
    [InlineData("/citadel/operator/unseal")]
    public async Task AnOversizedBodyIsRefusedBeforeItIsRead(string path)
    {
        // 64 MiB declared, 1 KiB sent: a server that reads the body before its limit (or has none) waits for the rest.
        var head = $"""
            POST {path} HTTP/1.1
            Host: localhost:{fixture.Server.Port}
            Content-Type: application/json
            Content-Length: {64 << 20}

            """;
        var status = await SignedHttp.StatusLineBeforeTheBodyAsync(fixture.Server, head, new byte[1024], TimeSpan.FromSeconds(10));
        Assert.NotNull(status);
        Assert.StartsWith("HTTP/1.1 413 ", status, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Encrypt", "{\"KeyId\":\"\xff\xfe\",\"Plaintext\":\"AA==\"}")]
    [InlineData("Encrypt", "{\"KeyId\":\"alias/x\",\"Plaintext\":\"AA==\",\"EncryptionContext\":{\"\xff\":\"v\"}}")]
    [InlineData("ListKeys", "{\"Marker\":\"\xc3\x28\"}")]
    [InlineData("CreateAlias", "{\"AliasName\":\"alias/\xed\xa0\x80\",\"TargetKeyId\":\"x\"}")]
    [InlineData("Encrypt", "{\"KeyId\":\"\\ud800\",\"Plaintext\":\"AA==\"}")]
    [InlineData("ImportKeyMaterial", "{\"KeyId\":\"1234abcd-12ab-34cd-56ef-1234567890ab\",\"ImportToken\":\"AA==\",\"EncryptedKeyMaterial\":\"AA==\",\"ExpirationModel\":\"KEY_MATERIAL_EXPIRES\",\"ValidTo\":1e300}")]
    public async Task InvalidTextOrOutOfRangeNumbersInJsonAreSerializationErrors(string operation, string body)
    {
        // Latin-1 maps each char of the literal to one byte: "\xff" is the byte 0xFF, not UTF-8 of U+00FF.
        var (status, text, response) = await SignedHttp.KmsAsync(fixture.Server, operation, Encoding.Latin1.GetBytes(body));
        Assert.Equal(400, status);
        Assert.Equal("SerializationException", JsonDocument.Parse(text).RootElement.GetProperty("__type").GetString());
        Assert.Equal("SerializationException", response.Headers.GetValues("x-amzn-ErrorType").Single());
    }

    [Fact]
    public async Task AnOutOfRangeLookupTimeIsASerializationError()
    {
        var (status, text, _) = await SignedHttp.SendAsync(fixture.Server, "POST", "/", "", "{\"StartTime\":1e300}"u8.ToArray(), "cloudtrail",
            new() { ["x-amz-target"] = "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents", ["content-type"] = "application/x-amz-json-1.1" });
        Assert.Equal(400, status);
        Assert.Equal("SerializationException", JsonDocument.Parse(text).RootElement.GetProperty("__type").GetString());
    }
}
