using System.Security.Cryptography;
using System.Text;
using Amazon.KeyManagementService.Model;
using Amazon.S3;
using Amazon.S3.Model;

namespace Citadel.Compatibility.Tests;

/// <summary>Objects at rest through a server's life: killed, restarted, scanned for plaintext and keys, tampered with.</summary>
public sealed class S3LifecycleTests
{
    private static async Task<byte[]> GetAsync(AmazonS3Client s3, GetObjectRequest request)
    {
        using var response = await s3.GetObjectAsync(request);
        using var buffer = new MemoryStream();
        await response.ResponseStream.CopyToAsync(buffer);
        return buffer.ToArray();
    }

    [Fact]
    public async Task Objects_in_every_mode_survive_kill_nine_and_no_plaintext_or_key_reaches_the_data_directory()
    {
        var server = new CitadelProcess();
        try
        {
            await server.StartAsync();
            var s3 = Clients.S3(server);
            var keyArn = (await Clients.Kms(server).CreateKeyAsync(new CreateKeyRequest())).KeyMetadata.Arn;
            await s3.PutBucketAsync(new PutBucketRequest { BucketName = "scan" });
            // A recognisable plaintext: any copy of it on disk would be found.
            var marker = Encoding.ASCII.GetBytes("CITADEL-S3-PLAINTEXT-" + Guid.NewGuid().ToString("N"));
            var data = Enumerable.Repeat(marker, 200_000 / marker.Length).SelectMany(b => b).ToArray();
            var customerKey = RandomNumberGenerator.GetBytes(32);
            var customerKeyText = Convert.ToBase64String(customerKey);
            await s3.PutObjectAsync(new PutObjectRequest { BucketName = "scan", Key = "sse-s3", InputStream = new MemoryStream(data) });
            await s3.PutObjectAsync(new PutObjectRequest
            {
                BucketName = "scan",
                Key = "sse-kms",
                InputStream = new MemoryStream(data),
                ServerSideEncryptionMethod = ServerSideEncryptionMethod.AWSKMS,
                ServerSideEncryptionKeyManagementServiceKeyId = keyArn,
            });
            await s3.PutObjectAsync(new PutObjectRequest
            {
                BucketName = "scan",
                Key = "bucket-key",
                InputStream = new MemoryStream(data),
                BucketKeyEnabled = true,
                ServerSideEncryptionMethod = ServerSideEncryptionMethod.AWSKMS,
                ServerSideEncryptionKeyManagementServiceKeyId = keyArn,
            });
            await s3.PutObjectAsync(new PutObjectRequest
            {
                BucketName = "scan",
                Key = "sse-c",
                InputStream = new MemoryStream(data),
                ServerSideEncryptionCustomerMethod = ServerSideEncryptionCustomerMethod.AES256,
                ServerSideEncryptionCustomerProvidedKey = customerKeyText,
            });
            var upload = await s3.InitiateMultipartUploadAsync(new InitiateMultipartUploadRequest { BucketName = "scan", Key = "multipart" });
            var part = await s3.UploadPartAsync(new UploadPartRequest { BucketName = "scan", Key = "multipart", UploadId = upload.UploadId, PartNumber = 1, InputStream = new MemoryStream(data) });
            await s3.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest
            {
                BucketName = "scan",
                Key = "multipart",
                UploadId = upload.UploadId,
                PartETags = [new PartETag(1, part.ETag)],
            });

            await server.StopAsync(kill: true);
            foreach (var file in Directory.EnumerateFiles(server.DataDirectory, "*", SearchOption.AllDirectories))
            {
                var bytes = await File.ReadAllBytesAsync(file);
                Assert.False(bytes.AsSpan().IndexOf(marker) >= 0, $"plaintext found in {file}");
                foreach (var form in new[] { customerKey, Encoding.ASCII.GetBytes(customerKeyText), Encoding.ASCII.GetBytes(Convert.ToHexStringLower(customerKey)) })
                    Assert.False(bytes.AsSpan().IndexOf(form) >= 0, $"SSE-C key found in {file}");
            }

            await server.StartAsync();
            s3 = Clients.S3(server);
            foreach (var key in new[] { "sse-s3", "sse-kms", "bucket-key", "multipart" })
                Assert.Equal(data, await GetAsync(s3, new GetObjectRequest { BucketName = "scan", Key = key }));
            Assert.Equal(data, await GetAsync(s3, new GetObjectRequest
            {
                BucketName = "scan",
                Key = "sse-c",
                ServerSideEncryptionCustomerMethod = ServerSideEncryptionCustomerMethod.AES256,
                ServerSideEncryptionCustomerProvidedKey = customerKeyText,
            }));

            // Flip one byte of one stored object: its GET fails with an error, never with altered bytes.
            var blobs = Directory.EnumerateFiles(Path.Combine(server.DataDirectory, "objects", "blobs"), "*", SearchOption.AllDirectories).ToList();
            Assert.Equal(5, blobs.Count);
            var target = blobs[0];
            var stored = await File.ReadAllBytesAsync(target);
            stored[stored.Length / 2] ^= 0x01;
            await File.WriteAllBytesAsync(target, stored);
            var failures = 0;
            foreach (var key in new[] { "sse-s3", "sse-kms", "bucket-key", "multipart" })
            {
                try
                {
                    Assert.Equal(data, await GetAsync(s3, new GetObjectRequest { BucketName = "scan", Key = key }));
                }
                catch (AmazonS3Exception e)
                {
                    Assert.Equal("InternalError", e.ErrorCode);
                    failures++;
                }
            }
            try
            {
                Assert.Equal(data, await GetAsync(s3, new GetObjectRequest
                {
                    BucketName = "scan",
                    Key = "sse-c",
                    ServerSideEncryptionCustomerMethod = ServerSideEncryptionCustomerMethod.AES256,
                    ServerSideEncryptionCustomerProvidedKey = customerKeyText,
                }));
            }
            catch (AmazonS3Exception e)
            {
                Assert.Equal("InternalError", e.ErrorCode);
                failures++;
            }
            Assert.Equal(1, failures);
        }
        finally
        {
            await server.DisposeAsync();
            server.DeleteData();
        }
    }

    [Fact]
    public async Task A_chunk_damaged_past_the_primed_part_cuts_the_connection_and_no_altered_byte_arrives()
    {
        var server = new CitadelProcess();
        try
        {
            await server.StartAsync();
            var s3 = Clients.S3(server);
            await s3.PutBucketAsync(new PutBucketRequest { BucketName = "cut" });
            var data = RandomNumberGenerator.GetBytes(3 << 20);
            await s3.PutObjectAsync(new PutObjectRequest { BucketName = "cut", Key = "big", InputStream = new MemoryStream(data) });
            Assert.Equal(data, await GetAsync(s3, new GetObjectRequest { BucketName = "cut", Key = "big" }));

            // Damage chunk 100 (plaintext from 1.5625 MiB): past the 256 KiB read before the headers go out.
            var blob = Directory.EnumerateFiles(Path.Combine(server.DataDirectory, "objects", "blobs"), "*", SearchOption.AllDirectories).Single();
            var stored = await File.ReadAllBytesAsync(blob);
            const int damagedChunk = 100;
            stored[56 + damagedChunk * (16384 + 16) + 10] ^= 0x01;
            await File.WriteAllBytesAsync(blob, stored);

            using var response = await s3.GetObjectAsync(new GetObjectRequest { BucketName = "cut", Key = "big" });
            Assert.Equal(data.Length, response.ContentLength);
            var received = new MemoryStream();
            var buffer = new byte[65536];
            var cut = await Assert.ThrowsAnyAsync<Exception>(async () =>
            {
                int n;
                while ((n = await response.ResponseStream.ReadAsync(buffer)) > 0) received.Write(buffer, 0, n);
                // A body that ended short without an error would be taken for a whole one by a careless client.
                throw new InvalidOperationException($"The body ended normally after {received.Length} bytes.");
            });
            Assert.IsNotType<InvalidOperationException>(cut);
            Assert.True(received.Length <= damagedChunk * 16384, $"{received.Length} bytes arrived; the damaged chunk starts at {damagedChunk * 16384}.");
            Assert.Equal(data[..(int)received.Length], received.ToArray());
        }
        finally
        {
            await server.DisposeAsync();
            server.DeleteData();
        }
    }
}
