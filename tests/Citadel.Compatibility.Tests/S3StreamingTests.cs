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

    private static readonly byte[] TrailerData = "data the trailer vouches for"u8.ToArray();
    private static string Crc32Of(byte[] data)
    {
        using var sums = new Citadel.ObjectStore.ObjectChecksums(["CRC32"]);
        sums.Append(data);
        return sums.Value("CRC32");
    }

    /// <summary>
    /// STREAMING-UNSIGNED-PAYLOAD-TRAILER (what boto3 and the AWS CLI send over HTTPS): its trailing checksum is all that
    /// vouches for the data, so the trailers must be exactly those x-amz-trailer declared (MalformedTrailerError), the value
    /// must match (BadDigest), and x-amz-sdk-checksum-algorithm needs a value on its way (InvalidRequest), as S3 answers.
    /// A body that declares no trailer and carries none is accepted, as by S3 (it is then as unchecked as UNSIGNED-PAYLOAD).
    /// </summary>
    [Theory]
    [InlineData("declared and sent", "x-amz-checksum-crc32", "x-amz-checksum-crc32:{crc}", HttpStatusCode.OK, null)]
    [InlineData("declared, not sent", "x-amz-checksum-crc32", null, HttpStatusCode.BadRequest, "MalformedTrailerError")]
    [InlineData("sent, not declared", null, "x-amz-checksum-crc32:{crc}", HttpStatusCode.BadRequest, "MalformedTrailerError")]
    [InlineData("another than declared", "x-amz-checksum-crc32", "x-amz-checksum-sha256:{crc}", HttpStatusCode.BadRequest, "MalformedTrailerError")]
    [InlineData("not a checksum", "x-amz-checksum-crc32", "x-amz-meta-a:b", HttpStatusCode.BadRequest, "MalformedTrailerError")]
    [InlineData("wrong value", "x-amz-checksum-crc32", "x-amz-checksum-crc32:AAAAAA==", HttpStatusCode.BadRequest, "BadDigest")]
    [InlineData("unsupported name", "x-amz-checksum-md5", null, HttpStatusCode.BadRequest, "InvalidRequest")]
    [InlineData("algorithm named, no value anywhere", "sdk:CRC32", null, HttpStatusCode.BadRequest, "InvalidRequest")]
    [InlineData("nothing declared, nothing sent", null, null, HttpStatusCode.OK, null)]
    public async Task Unsigned_chunks_need_the_trailer_they_declare(string name, string? declared, string? trailer, HttpStatusCode expected, string? code)
    {
        var s3 = new RawS3(_server);
        var bucket = "trailers-" + new string(name.Select(c => char.IsAsciiLetterOrDigit(c) ? c : '-').ToArray());
        Assert.Equal(HttpStatusCode.OK, (await s3.SendAsync("PUT", "/" + bucket)).Status);
        var upload = (await s3.SendAsync("POST", $"/{bucket}/part?uploads")).Element("UploadId");
        foreach (var path in new[] { $"/{bucket}/object", $"/{bucket}/part?partNumber=1&uploadId={upload}" })
        {
            var headers = new Dictionary<string, string>
            {
                ["content-encoding"] = "aws-chunked",
                ["x-amz-decoded-content-length"] = TrailerData.Length.ToString(CultureInfo.InvariantCulture),
            };
            if (declared?.StartsWith("sdk:", StringComparison.Ordinal) == true) headers["x-amz-sdk-checksum-algorithm"] = declared[4..];
            else if (declared is not null) headers["x-amz-trailer"] = declared;
            var body = RawS3.UnsignedChunks(TrailerData, trailer is null ? [] : [trailer.Replace("{crc}", Crc32Of(TrailerData), StringComparison.Ordinal)]);
            var answer = await s3.SendAsync("PUT", path, body, headers, "STREAMING-UNSIGNED-PAYLOAD-TRAILER");
            Assert.True(expected == answer.Status, $"{name}, {path}: {answer}");
            Assert.Equal(code, answer.Code);
        }
        var stored = await s3.SendAsync("GET", $"/{bucket}/object");
        Assert.Equal(expected == HttpStatusCode.OK ? HttpStatusCode.OK : HttpStatusCode.NotFound, stored.Status);
    }

    [Fact]
    public async Task Unsigned_chunks_are_for_object_data_only()
    {
        var s3 = new RawS3(_server);
        Assert.Equal(HttpStatusCode.OK, (await s3.SendAsync("PUT", "/unsigned-config")).Status);
        var tagging = "<Tagging><TagSet><Tag><Key>k</Key><Value>v</Value></Tag></TagSet></Tagging>"u8.ToArray();
        var answer = await s3.SendAsync("PUT", "/unsigned-config?tagging", RawS3.UnsignedChunks(tagging, [$"x-amz-checksum-crc32:{Crc32Of(tagging)}"]),
            new Dictionary<string, string>
            {
                ["content-encoding"] = "aws-chunked",
                ["x-amz-decoded-content-length"] = tagging.Length.ToString(CultureInfo.InvariantCulture),
                ["x-amz-trailer"] = "x-amz-checksum-crc32",
            }, "STREAMING-UNSIGNED-PAYLOAD-TRAILER");
        Assert.True(HttpStatusCode.BadRequest == answer.Status, answer.ToString());
        Assert.Equal("InvalidRequest", answer.Code);
        Assert.Equal("NoSuchTagSet", (await s3.SendAsync("GET", "/unsigned-config?tagging")).Code);
    }

    /// <summary>Signed chunks with a trailer (STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER) follow the same rules for their trailers.</summary>
    [Theory]
    [InlineData("declared and sent", true, true, HttpStatusCode.OK, null)]
    [InlineData("declared, not sent", true, false, HttpStatusCode.BadRequest, "MalformedTrailerError")]
    [InlineData("sent, not declared", false, true, HttpStatusCode.BadRequest, "MalformedTrailerError")]
    public async Task Signed_chunks_need_the_trailer_they_declare(string name, bool declare, bool send, HttpStatusCode expected, string? code)
    {
        var s3 = new RawS3(_server);
        var bucket = "signed-trailers-" + (declare ? "d" : "n") + (send ? "s" : "n");
        Assert.Equal(HttpStatusCode.OK, (await s3.SendAsync("PUT", "/" + bucket)).Status);
        var headers = declare ? new Dictionary<string, string> { ["x-amz-trailer"] = "x-amz-checksum-crc32" } : null;
        var trailers = send ? new[] { ("x-amz-checksum-crc32", Crc32Of(TrailerData)) } : [];
        var answer = await s3.SendSignedChunksAsync("PUT", $"/{bucket}/object", TrailerData, trailers, headers);
        Assert.True(expected == answer.Status, $"{name}: {answer}");
        Assert.Equal(code, answer.Code);
        if (expected == HttpStatusCode.OK) Assert.Equal(Crc32Of(TrailerData), answer.Headers["x-amz-checksum-crc32"]);
    }

    [Fact]
    public async Task The_checksum_of_a_small_configuration_body_is_verified()
    {
        var s3 = new RawS3(_server);
        Assert.Equal(HttpStatusCode.OK, (await s3.SendAsync("PUT", "/small-bodies")).Status);
        var tagging = "<Tagging><TagSet><Tag><Key>k</Key><Value>v</Value></Tag></TagSet></Tagging>"u8.ToArray();
        var wrong = await s3.SendAsync("PUT", "/small-bodies?tagging", tagging, new Dictionary<string, string> { ["x-amz-checksum-crc32"] = "AAAAAA==" });
        Assert.True(HttpStatusCode.BadRequest == wrong.Status, wrong.ToString());
        Assert.Equal("BadDigest", wrong.Code);
        var right = await s3.SendAsync("PUT", "/small-bodies?tagging", tagging, new Dictionary<string, string> { ["x-amz-checksum-crc32"] = Crc32Of(tagging) });
        Assert.True(right.Status is HttpStatusCode.OK or HttpStatusCode.NoContent, right.ToString());
    }

    private static string Hex(byte[] bytes) => Convert.ToHexStringLower(bytes);
}
