using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Amazon.S3;
using Amazon.S3.Model;
using Citadel.Iam;

namespace Citadel.Compatibility.Tests;

/// <summary>
/// Signed aws-chunked bodies (STREAMING-AWS4-HMAC-SHA256-PAYLOAD), which the AWS SDK for .NET sends over plain HTTP:
/// the SDK's uploads work, and a body whose chunk signature, length or data was altered is refused and stores nothing.
/// </summary>
public sealed class S3StreamingTests : IAsyncLifetime
{
    private readonly CitadelProcess _server = new(http: true);

    public Task InitializeAsync() => _server.StartAsync();

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _server.DeleteData();
    }

    [Fact]
    public async Task The_sdk_uploads_with_signed_chunks_over_http_and_sse_c_needs_https()
    {
        using var s3 = Clients.S3(_server);
        await s3.PutBucketAsync(new PutBucketRequest { BucketName = "plain" });
        var data = RandomNumberGenerator.GetBytes(300_000);
        await s3.PutObjectAsync(new PutObjectRequest { BucketName = "plain", Key = "k", InputStream = new MemoryStream(data) });
        using (var get = await s3.GetObjectAsync(new GetObjectRequest { BucketName = "plain", Key = "k" }))
        using (var buffer = new MemoryStream())
        {
            await get.ResponseStream.CopyToAsync(buffer);
            Assert.Equal(data, buffer.ToArray());
        }
        var refused = await Assert.ThrowsAnyAsync<AmazonS3Exception>(() => s3.PutObjectAsync(new PutObjectRequest
        {
            BucketName = "plain",
            Key = "c",
            InputStream = new MemoryStream(data),
            ServerSideEncryptionCustomerMethod = ServerSideEncryptionCustomerMethod.AES256,
            ServerSideEncryptionCustomerProvidedKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
        }));
        Assert.Equal("InvalidRequest", refused.ErrorCode);
    }

    [Theory]
    [InlineData("valid", HttpStatusCode.OK, null)]
    [InlineData("chunk-signature", HttpStatusCode.Forbidden, "SignatureDoesNotMatch")]
    [InlineData("chunk-data", HttpStatusCode.Forbidden, "SignatureDoesNotMatch")]
    [InlineData("truncated", HttpStatusCode.BadRequest, "IncompleteBody")]
    public async Task Hand_built_signed_chunks_are_verified_chunk_by_chunk(string defect, HttpStatusCode expected, string? code)
    {
        using var s3 = Clients.S3(_server);
        await s3.PutBucketAsync(new PutBucketRequest { BucketName = "chunks-" + defect });
        var data = RandomNumberGenerator.GetBytes(150_000);
        var path = $"/chunks-{defect}/object";
        var now = DateTimeOffset.UtcNow;
        var amzDate = now.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        var date = amzDate[..8];
        var scope = $"{date}/us-east-1/s3/aws4_request";
        var key = SigV4Canonical.SigningKey(CitadelProcess.SecretAccessKey, date, "us-east-1", "s3");
        var host = $"localhost:{_server.Port}";
        var headers = new SortedDictionary<string, string[]>(StringComparer.Ordinal)
        {
            ["content-encoding"] = ["aws-chunked"],
            ["host"] = [host],
            ["x-amz-content-sha256"] = ["STREAMING-AWS4-HMAC-SHA256-PAYLOAD"],
            ["x-amz-date"] = [amzDate],
            ["x-amz-decoded-content-length"] = [data.Length.ToString(CultureInfo.InvariantCulture)],
        };
        var canonical = SigV4Canonical.CanonicalRequest("PUT", path, "", headers, headers.Keys.ToList(), "STREAMING-AWS4-HMAC-SHA256-PAYLOAD", "s3", false);
        var seed = Hex(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(SigV4Canonical.StringToSign(amzDate, scope, canonical))));

        using var body = new MemoryStream();
        var previous = seed;
        var chunks = new List<byte[]> { data[..65536], data[65536..131072], data[131072..], Array.Empty<byte>() };
        for (var i = 0; i < chunks.Count; i++)
        {
            var chunk = chunks[i];
            var stringToSign = $"AWS4-HMAC-SHA256-PAYLOAD\n{amzDate}\n{scope}\n{previous}\n{SigV4Canonical.EmptyPayloadSha256}\n{Hex(SHA256.HashData(chunk))}";
            var signature = Hex(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(stringToSign)));
            previous = signature;
            if (defect == "chunk-signature" && i == 1) signature = new string('0', 64);
            var sent = defect == "chunk-data" && i == 1 ? chunk.Select((b, j) => j == 10 ? (byte)(b ^ 1) : b).ToArray() : chunk;
            body.Write(Encoding.ASCII.GetBytes($"{chunk.Length:x};chunk-signature={signature}\r\n"));
            body.Write(sent);
            body.Write("\r\n"u8);
            if (defect == "truncated" && i == 1) break;
        }

        using var http = _server.HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Put, _server.Endpoint + path) { Content = new ByteArrayContent(body.ToArray()) };
        request.Headers.TryAddWithoutValidation("x-amz-content-sha256", "STREAMING-AWS4-HMAC-SHA256-PAYLOAD");
        request.Headers.TryAddWithoutValidation("x-amz-date", amzDate);
        request.Headers.TryAddWithoutValidation("x-amz-decoded-content-length", data.Length.ToString(CultureInfo.InvariantCulture));
        request.Headers.TryAddWithoutValidation("Authorization",
            $"{SigV4Canonical.Algorithm} Credential={CitadelProcess.AccessKeyId}/{scope}, SignedHeaders={string.Join(';', headers.Keys)}, Signature={seed}");
        request.Content.Headers.TryAddWithoutValidation("Content-Encoding", "aws-chunked");
        using var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(expected == response.StatusCode, $"{response.StatusCode}: {text}");
        if (code is not null)
        {
            Assert.Contains($"<Code>{code}</Code>", text, StringComparison.Ordinal);
            var missing = await Assert.ThrowsAnyAsync<AmazonS3Exception>(() => s3.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = "chunks-" + defect, Key = "object" }));
            Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
            return;
        }
        using var get = await s3.GetObjectAsync(new GetObjectRequest { BucketName = "chunks-" + defect, Key = "object" });
        using var buffer = new MemoryStream();
        await get.ResponseStream.CopyToAsync(buffer);
        Assert.Equal(data, buffer.ToArray());
    }

    private static string Hex(byte[] bytes) => Convert.ToHexStringLower(bytes);
}
