using System.Net;
using System.Security.Cryptography;
using Amazon.KeyManagementService.Model;
using Amazon.S3;
using Amazon.S3.Model;
using Amazon.S3.Transfer;

namespace Citadel.Compatibility.Tests;

/// <summary>The AWS SDK for .NET (AWSSDK.S3 4.x) against Citadel's S3, with its default checksum behaviour.</summary>
[Collection("citadel")]
public sealed class SdkS3Tests(CitadelFixture fixture)
{
    private readonly AmazonS3Client _s3 = Clients.S3(fixture.Server);

    private async Task<string> NewBucketAsync()
    {
        var name = "sdk-" + Guid.NewGuid().ToString("N")[..20];
        await _s3.PutBucketAsync(new PutBucketRequest { BucketName = name });
        return name;
    }

    private async Task<string> NewKmsKeyAsync()
        => (await Clients.Kms(fixture.Server).CreateKeyAsync(new CreateKeyRequest())).KeyMetadata.Arn;

    private static (string Key, string Md5) CustomerKey()
    {
        var key = RandomNumberGenerator.GetBytes(32);
        return (Convert.ToBase64String(key), Convert.ToBase64String(MD5.HashData(key)));
    }

    private async Task<byte[]> GetAsync(GetObjectRequest request)
    {
        using var response = await _s3.GetObjectAsync(request);
        using var buffer = new MemoryStream();
        await response.ResponseStream.CopyToAsync(buffer);
        return buffer.ToArray();
    }

    [Fact]
    public async Task Every_object_is_encrypted_and_the_headers_say_how()
    {
        var bucket = await NewBucketAsync();
        var data = RandomNumberGenerator.GetBytes(70_000);
        var plain = await _s3.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "default", InputStream = new MemoryStream(data) });
        Assert.Equal(ServerSideEncryptionMethod.AES256, plain.ServerSideEncryptionMethod);

        var keyArn = await NewKmsKeyAsync();
        var kms = await _s3.PutObjectAsync(new PutObjectRequest
        {
            BucketName = bucket,
            Key = "kms",
            InputStream = new MemoryStream(data),
            ServerSideEncryptionMethod = ServerSideEncryptionMethod.AWSKMS,
            ServerSideEncryptionKeyManagementServiceKeyId = keyArn,
        });
        Assert.Equal(ServerSideEncryptionMethod.AWSKMS, kms.ServerSideEncryptionMethod);
        Assert.Equal(keyArn, kms.ServerSideEncryptionKeyManagementServiceKeyId);

        var (customerKey, customerMd5) = CustomerKey();
        var sseC = await _s3.PutObjectAsync(new PutObjectRequest
        {
            BucketName = bucket,
            Key = "ssec",
            InputStream = new MemoryStream(data),
            ServerSideEncryptionCustomerMethod = ServerSideEncryptionCustomerMethod.AES256,
            ServerSideEncryptionCustomerProvidedKey = customerKey,
        });
        Assert.Equal(customerMd5, sseC.ServerSideEncryptionCustomerProvidedKeyMD5);

        Assert.Equal(data, await GetAsync(new GetObjectRequest { BucketName = bucket, Key = "default" }));
        Assert.Equal(data, await GetAsync(new GetObjectRequest { BucketName = bucket, Key = "kms" }));
        Assert.Equal(data, await GetAsync(new GetObjectRequest
        {
            BucketName = bucket,
            Key = "ssec",
            ServerSideEncryptionCustomerMethod = ServerSideEncryptionCustomerMethod.AES256,
            ServerSideEncryptionCustomerProvidedKey = customerKey,
        }));

        var (otherKey, _) = CustomerKey();
        var wrong = await Assert.ThrowsAnyAsync<AmazonS3Exception>(() => GetAsync(new GetObjectRequest
        {
            BucketName = bucket,
            Key = "ssec",
            ServerSideEncryptionCustomerMethod = ServerSideEncryptionCustomerMethod.AES256,
            ServerSideEncryptionCustomerProvidedKey = otherKey,
        }));
        Assert.Equal(HttpStatusCode.Forbidden, wrong.StatusCode);
        var missing = await Assert.ThrowsAnyAsync<AmazonS3Exception>(() => GetAsync(new GetObjectRequest { BucketName = bucket, Key = "ssec" }));
        Assert.Equal(HttpStatusCode.BadRequest, missing.StatusCode);
    }

    [Fact]
    public async Task TransferUtility_multipart_upload_with_sse_c_and_ranged_gets_across_chunks_and_parts()
    {
        var bucket = await NewBucketAsync();
        var data = RandomNumberGenerator.GetBytes(13 * 1024 * 1024 + 123);
        var (customerKey, _) = CustomerKey();
        using var transfer = new TransferUtility(_s3, new TransferUtilityConfig { MinSizeBeforePartUpload = 5 * 1024 * 1024 });
        await transfer.UploadAsync(new TransferUtilityUploadRequest
        {
            BucketName = bucket,
            Key = "big",
            InputStream = new MemoryStream(data),
            PartSize = 5 * 1024 * 1024,
            ServerSideEncryptionCustomerMethod = ServerSideEncryptionCustomerMethod.AES256,
            ServerSideEncryptionCustomerProvidedKey = customerKey,
        });
        var head = await _s3.GetObjectMetadataAsync(new GetObjectMetadataRequest
        {
            BucketName = bucket,
            Key = "big",
            ServerSideEncryptionCustomerMethod = ServerSideEncryptionCustomerMethod.AES256,
            ServerSideEncryptionCustomerProvidedKey = customerKey,
        });
        Assert.Equal(data.Length, head.ContentLength);
        Assert.EndsWith("-3\"", head.ETag);

        foreach (var (start, end) in new[] { (0L, 10L), (16380L, 16400L), (5L * 1024 * 1024 - 100, 5L * 1024 * 1024 + 100), (data.Length - 50L, data.Length - 1L) })
        {
            var range = await GetAsync(new GetObjectRequest
            {
                BucketName = bucket,
                Key = "big",
                ByteRange = new ByteRange(start, end),
                ServerSideEncryptionCustomerMethod = ServerSideEncryptionCustomerMethod.AES256,
                ServerSideEncryptionCustomerProvidedKey = customerKey,
            });
            Assert.Equal(data[(int)start..(int)(end + 1)], range);
        }
        Assert.Equal(data, await GetAsync(new GetObjectRequest
        {
            BucketName = bucket,
            Key = "big",
            ServerSideEncryptionCustomerMethod = ServerSideEncryptionCustomerMethod.AES256,
            ServerSideEncryptionCustomerProvidedKey = customerKey,
        }));
    }

    [Fact]
    public async Task Default_sdk_checksums_are_verified_and_returned()
    {
        var bucket = await NewBucketAsync();
        var data = RandomNumberGenerator.GetBytes(100_000);
        var put = await _s3.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "k", InputStream = new MemoryStream(data), ChecksumAlgorithm = ChecksumAlgorithm.SHA256 });
        Assert.Equal(Convert.ToBase64String(SHA256.HashData(data)), put.ChecksumSHA256);
        using var get = await _s3.GetObjectAsync(new GetObjectRequest { BucketName = bucket, Key = "k", ChecksumMode = ChecksumMode.ENABLED });
        Assert.Equal(Convert.ToBase64String(SHA256.HashData(data)), get.ChecksumSHA256);
        using var buffer = new MemoryStream();
        await get.ResponseStream.CopyToAsync(buffer);
        Assert.Equal(data, buffer.ToArray());
    }

    [Fact]
    public async Task Presigned_put_and_get_urls_work_and_expire()
    {
        var bucket = await NewBucketAsync();
        var putUrl = await _s3.GetPreSignedURLAsync(new GetPreSignedUrlRequest { BucketName = bucket, Key = "p", Verb = HttpVerb.PUT, Expires = DateTime.UtcNow.AddMinutes(5) });
        using var http = fixture.Server.HttpClient();
        var data = RandomNumberGenerator.GetBytes(5000);
        var put = await http.PutAsync(putUrl, new ByteArrayContent(data));
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        var getUrl = await _s3.GetPreSignedURLAsync(new GetPreSignedUrlRequest { BucketName = bucket, Key = "p", Verb = HttpVerb.GET, Expires = DateTime.UtcNow.AddMinutes(5) });
        Assert.Equal(data, await http.GetByteArrayAsync(getUrl));
        var tampered = getUrl.Replace("/p?", "/q?", StringComparison.Ordinal);
        var refused = await http.GetAsync(tampered);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Contains("<Code>SignatureDoesNotMatch</Code>", await refused.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("none", "sse-kms")]
    [InlineData("sse-s3", "sse-c")]
    [InlineData("sse-kms", "sse-s3")]
    [InlineData("sse-kms", "sse-c")]
    [InlineData("sse-c", "sse-kms")]
    [InlineData("sse-c", "sse-c")]
    [InlineData("sse-c", "none")]
    [InlineData("none", "none")]
    public async Task Copies_between_every_mode(string from, string to)
    {
        var bucket = await NewBucketAsync();
        var keyArn = await NewKmsKeyAsync();
        var (sourceKey, _) = CustomerKey();
        var (destinationKey, _) = CustomerKey();
        var data = RandomNumberGenerator.GetBytes(40_000);
        var put = new PutObjectRequest { BucketName = bucket, Key = "src", InputStream = new MemoryStream(data) };
        Apply(from, keyArn, sourceKey, m => put.ServerSideEncryptionMethod = m, k => put.ServerSideEncryptionKeyManagementServiceKeyId = k,
            c => { put.ServerSideEncryptionCustomerMethod = ServerSideEncryptionCustomerMethod.AES256; put.ServerSideEncryptionCustomerProvidedKey = c; });
        await _s3.PutObjectAsync(put);

        var copy = new CopyObjectRequest { SourceBucket = bucket, SourceKey = "src", DestinationBucket = bucket, DestinationKey = "dst" };
        if (from == "sse-c")
        {
            copy.CopySourceServerSideEncryptionCustomerMethod = ServerSideEncryptionCustomerMethod.AES256;
            copy.CopySourceServerSideEncryptionCustomerProvidedKey = sourceKey;
        }
        Apply(to, keyArn, destinationKey, m => copy.ServerSideEncryptionMethod = m, k => copy.ServerSideEncryptionKeyManagementServiceKeyId = k,
            c => { copy.ServerSideEncryptionCustomerMethod = ServerSideEncryptionCustomerMethod.AES256; copy.ServerSideEncryptionCustomerProvidedKey = c; });
        await _s3.CopyObjectAsync(copy);

        var get = new GetObjectRequest { BucketName = bucket, Key = "dst" };
        if (to == "sse-c")
        {
            get.ServerSideEncryptionCustomerMethod = ServerSideEncryptionCustomerMethod.AES256;
            get.ServerSideEncryptionCustomerProvidedKey = destinationKey;
        }
        Assert.Equal(data, await GetAsync(get));
        var head = await _s3.GetObjectMetadataAsync(new GetObjectMetadataRequest
        {
            BucketName = bucket,
            Key = "dst",
            ServerSideEncryptionCustomerMethod = to == "sse-c" ? ServerSideEncryptionCustomerMethod.AES256 : null,
            ServerSideEncryptionCustomerProvidedKey = to == "sse-c" ? destinationKey : null,
        });
        if (to == "sse-c")
            Assert.Equal(ServerSideEncryptionCustomerMethod.AES256, head.ServerSideEncryptionCustomerMethod);
        else
            Assert.Equal(to == "sse-kms" ? ServerSideEncryptionMethod.AWSKMS : ServerSideEncryptionMethod.AES256, head.ServerSideEncryptionMethod);
    }

    private static void Apply(string mode, string keyArn, string customerKey, Action<ServerSideEncryptionMethod> method, Action<string> kmsKey, Action<string> customer)
    {
        switch (mode)
        {
            case "sse-s3": method(ServerSideEncryptionMethod.AES256); break;
            case "sse-kms": method(ServerSideEncryptionMethod.AWSKMS); kmsKey(keyArn); break;
            case "sse-c": customer(customerKey); break;
        }
    }

    [Fact]
    public async Task Listing_paginates_with_delimiters_and_errors_have_s3_codes()
    {
        var bucket = await NewBucketAsync();
        foreach (var key in new[] { "a/1", "a/2", "b/1", "c", "d", "e" })
            await _s3.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = key, ContentBody = key });
        var seen = new List<string>();
        var prefixes = new List<string>();
        string? token = null;
        do
        {
            var page = await _s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket, Delimiter = "/", MaxKeys = 2, ContinuationToken = token });
            seen.AddRange(page.S3Objects?.Select(o => o.Key) ?? []);
            prefixes.AddRange(page.CommonPrefixes ?? []);
            token = page.IsTruncated == true ? page.NextContinuationToken : null;
        }
        while (token is not null);
        Assert.Equal(["c", "d", "e"], seen);
        Assert.Equal(["a/", "b/"], prefixes);

        var noKey = await Assert.ThrowsAnyAsync<AmazonS3Exception>(() => GetAsync(new GetObjectRequest { BucketName = bucket, Key = "missing" }));
        Assert.Equal("NoSuchKey", noKey.ErrorCode);
        var noBucket = await Assert.ThrowsAnyAsync<AmazonS3Exception>(() => _s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = "no-such-bucket-here" }));
        Assert.Equal("NoSuchBucket", noBucket.ErrorCode);
        var notEmpty = await Assert.ThrowsAnyAsync<AmazonS3Exception>(() => _s3.DeleteBucketAsync(new DeleteBucketRequest { BucketName = bucket }));
        Assert.Equal("BucketNotEmpty", notEmpty.ErrorCode);
        var invalid = await Assert.ThrowsAnyAsync<AmazonS3Exception>(() => _s3.PutBucketAsync(new PutBucketRequest { BucketName = "Invalid_Name" }));
        Assert.Equal("InvalidBucketName", invalid.ErrorCode);
    }

    [Fact]
    public async Task Virtual_host_style_addressing_reaches_the_same_buckets()
    {
        var bucket = await NewBucketAsync();
        await _s3.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "dir/v", ContentBody = "virtual" });
        // bucket.s3.localhost is a loopback name (RFC 6761); the certificate covers *.s3.localhost.
        using var virtualHost = Clients.S3(fixture.Server, forcePathStyle: false);
        using var response = await virtualHost.GetObjectAsync(new GetObjectRequest { BucketName = bucket, Key = "dir/v" });
        using var reader = new StreamReader(response.ResponseStream);
        Assert.Equal("virtual", await reader.ReadToEndAsync());
        // The request path carried only the key: the bucket came from the host name.
        // The server's log line may arrive a moment after the response: wait for it.
        for (var i = 0; i < 50 && !fixture.Server.Output.Contains("RequestPath:/dir/v ", StringComparison.Ordinal); i++) await Task.Delay(100);
        Assert.Contains("RequestPath:/dir/v ", fixture.Server.Output, StringComparison.Ordinal);
        var listed = await virtualHost.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket });
        Assert.Equal(["dir/v"], listed.S3Objects.Select(o => o.Key));
    }
}
