using System.Security.Cryptography;
using Citadel.ObjectStore.Blobs;
using Citadel.ObjectStore.Encryption;

namespace Citadel.ObjectStore.Tests;

/// <summary>The object layer with its blobs in a real S3 service (moto): Citadel as an encrypting gateway, at the engine level.</summary>
[Collection("moto")]
public sealed class ObjectLayerOverS3Tests : IDisposable
{
    private readonly MotoFixture _moto;
    private readonly string _prefix = "gateway-" + Guid.NewGuid().ToString("N")[..12];
    private readonly TestObjects _t;
    private readonly S3BlobStore _blobs;

    public ObjectLayerOverS3Tests(MotoFixture moto)
    {
        _moto = moto;
        _blobs = new S3BlobStore(moto.Server.Settings(MotoFixture.Bucket, _prefix));
        _t = new TestObjects(_blobs);
        _t.Layer.CreateBucket("bucket", null);
    }

    [Fact]
    public async Task Sse_s3_objects_round_trip_and_ranges_read_through_the_backend_which_holds_only_ciphertext()
    {
        var marker = System.Text.Encoding.ASCII.GetBytes("CITADEL-GATEWAY-PLAINTEXT-" + Guid.NewGuid().ToString("N"));
        var small = Enumerable.Repeat(marker, 3000).SelectMany(b => b).ToArray();
        // Larger than one 16 MiB part of the backend: stored by a multipart upload.
        var large = new byte[(17 << 20) + 333];
        RandomNumberGenerator.Fill(large);
        marker.CopyTo(large, 5 << 20);

        var smallRecord = await _t.PutAsync("bucket", "dir/small", small, new EncryptionRequest(EncryptionRequest.SseS3));
        var largeRecord = await _t.PutAsync("bucket", "large", large);
        Assert.Equal(EncryptionRequest.SseS3, smallRecord.Encryption.Mode);
        Assert.Equal($"\"{Convert.ToHexStringLower(MD5.HashData(large))}\"", largeRecord.ETag);

        Assert.Equal(small, await _t.GetAsync("bucket", "dir/small"));
        Assert.Equal(small[1000..50_000], await _t.GetAsync("bucket", "dir/small", 1000, 50_000));
        var across = await _t.GetAsync("bucket", "large", (16 << 20) - 10_000, (16 << 20) + 10_000);
        Assert.True(large.AsSpan((16 << 20) - 10_000, 20_000).SequenceEqual(across));
        var whole = await _t.GetAsync("bucket", "large");
        Assert.True(large.AsSpan().SequenceEqual(whole));

        // What the backend holds is ciphertext of the expected length, without the plaintext.
        var blobs = new List<string>();
        await foreach (var blob in _blobs.ListAsync(CancellationToken.None)) blobs.Add(blob);
        Assert.Equal(new[] { smallRecord.Segments[0].Blob, largeRecord.Segments[0].Blob }.Order(StringComparer.Ordinal), blobs.Order(StringComparer.Ordinal));
        Assert.Equal(SegmentCipher.StoredSize(large.Length), await _blobs.LengthAsync(largeRecord.Segments[0].Blob, CancellationToken.None));
        foreach (var blob in blobs)
        {
            await using var stream = await _blobs.OpenReadAsync(blob, 0, await _blobs.LengthAsync(blob, CancellationToken.None), CancellationToken.None);
            using var stored = new MemoryStream();
            await stream.CopyToAsync(stored);
            Assert.True(stored.ToArray().AsSpan().IndexOf(marker) < 0, $"plaintext found in backend blob {blob}");
        }

        // Deleting the object deletes its blob in the backend.
        await _t.Layer.DeleteObjectAsync("bucket", "large");
        Assert.Equal(-1, await _blobs.LengthAsync(largeRecord.Segments[0].Blob, CancellationToken.None));
    }

    [Fact]
    public async Task Garbage_collection_removes_only_old_unreferenced_blobs_and_leaves_other_objects_of_the_bucket()
    {
        var kept = await _t.PutAsync("bucket", "kept", TestObjects.RandomBytes(1000));
        var orphan = BlobNames.New(_t.Time.GetUtcNow(), Crypto.SystemRandom.Instance);
        await _blobs.WriteAsync(orphan, (output, ct) => output.WriteAsync(new byte[100], ct).AsTask(), CancellationToken.None);
        using var client = _moto.Server.Client();
        var foreign = _prefix + "/notes.txt";
        await client.PutObjectAsync(new Amazon.S3.Model.PutObjectRequest { BucketName = MotoFixture.Bucket, Key = foreign, ContentBody = "not Citadel's" });

        Assert.Equal(0, await _t.Layer.CollectGarbageAsync(CancellationToken.None));
        _t.Time.Advance(TimeSpan.FromHours(2));
        Assert.Equal(1, await _t.Layer.CollectGarbageAsync(CancellationToken.None));
        Assert.Equal(-1, await _blobs.LengthAsync(orphan, CancellationToken.None));
        Assert.True(await _blobs.LengthAsync(kept.Segments[0].Blob, CancellationToken.None) > 0);
        Assert.Equal(13, (await client.GetObjectMetadataAsync(MotoFixture.Bucket, foreign)).ContentLength);
    }

    public void Dispose() => _t.Dispose();
}
