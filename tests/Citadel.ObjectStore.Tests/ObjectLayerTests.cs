using System.Security.Cryptography;
using Citadel.Kms;
using Citadel.Kms.Operations;
using Citadel.ObjectStore.Encryption;

namespace Citadel.ObjectStore.Tests;

public sealed class ObjectLayerTests : IDisposable
{
    private readonly TestObjects _t = new();

    public ObjectLayerTests() => _t.Layer.CreateBucket("bucket", null);

    public void Dispose() => _t.Dispose();

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(16383)]
    [InlineData(16384)]
    [InlineData(16385)]
    [InlineData(300_000)]
    public async Task Every_size_round_trips_and_stores_only_ciphertext_of_the_expected_length(int size)
    {
        var data = TestObjects.RandomBytes(size);
        var record = await _t.PutAsync("bucket", "k", data);
        Assert.Equal(data, await _t.GetAsync("bucket", "k"));
        Assert.Equal($"\"{Convert.ToHexStringLower(MD5.HashData(data))}\"", record.ETag);
        Assert.Equal(Crypto.ChunkedAead.CiphertextLength(size), await _t.Blobs.LengthAsync(record.Segments[0].Blob, CancellationToken.None));
    }

    [Theory]
    [InlineData(0, 1)]
    [InlineData(16383, 16385)]
    [InlineData(16384, 16384 * 3 + 7)]
    [InlineData(100_000, 300_000)]
    [InlineData(299_999, 300_000)]
    public async Task Ranges_across_chunk_boundaries_return_exactly_the_bytes(int start, int end)
    {
        var data = TestObjects.RandomBytes(300_000);
        await _t.PutAsync("bucket", "k", data);
        Assert.Equal(data[start..end], await _t.GetAsync("bucket", "k", start, end));
    }

    [Fact]
    public async Task Sse_kms_seals_under_the_kms_key_with_the_object_arn_as_context_and_fails_when_the_key_is_disabled()
    {
        var key = await CreateKeyAsync();
        var data = TestObjects.RandomBytes(40_000);
        var record = await _t.PutAsync("bucket", "dir/k", data, new EncryptionRequest(EncryptionRequest.SseKms, key));
        Assert.Equal(_t.Kms.Settings.KeyArn(key), record.Encryption.KmsKeyArn);
        Assert.Equal("arn:aws:s3:::bucket/dir/k", record.Encryption.KmsContext!["aws:s3:arn"]);
        Assert.Equal(data, await _t.GetAsync("bucket", "dir/k"));

        await RunKms("DisableKey", new DisableKeyRequest { KeyId = key });
        var error = await Assert.ThrowsAsync<KmsException>(() => _t.GetAsync("bucket", "dir/k"));
        Assert.Equal(KmsErrorCode.Disabled, error.Code);
    }

    [Fact]
    public async Task Bucket_keys_cut_kms_calls_to_one_per_bucket_key_lifetime()
    {
        var key = await CreateKeyAsync();
        var before = _t.Keys.KmsCalls;
        for (var i = 0; i < 20; i++)
            await _t.PutAsync("bucket", "k" + i, TestObjects.RandomBytes(100), new EncryptionRequest(EncryptionRequest.SseKms, key, BucketKey: true));
        for (var i = 0; i < 20; i++)
            await _t.GetAsync("bucket", "k" + i);
        Assert.Equal(1, _t.Keys.KmsCalls - before);

        var plain = _t.Keys.KmsCalls;
        for (var i = 0; i < 20; i++)
            await _t.PutAsync("bucket", "p" + i, TestObjects.RandomBytes(100), new EncryptionRequest(EncryptionRequest.SseKms, key));
        Assert.Equal(20, _t.Keys.KmsCalls - plain);

        _t.Time.Advance(TimeSpan.FromMinutes(11));
        await _t.PutAsync("bucket", "later", TestObjects.RandomBytes(100), new EncryptionRequest(EncryptionRequest.SseKms, key, BucketKey: true));
        Assert.Equal(22, _t.Keys.KmsCalls - before);
    }

    [Fact]
    public async Task Sse_c_needs_the_same_key_and_refuses_any_other()
    {
        var customerKey = TestObjects.RandomBytes(32);
        var data = TestObjects.RandomBytes(20_000);
        var record = await _t.PutAsync("bucket", "c", data, new EncryptionRequest(EncryptionRequest.SseC, CustomerKey: customerKey));
        Assert.Equal(Convert.ToBase64String(MD5.HashData(customerKey)), record.Encryption.CustomerKeyMd5);
        Assert.Equal(data, await _t.GetAsync("bucket", "c", customerKey: customerKey));
        var wrong = await Assert.ThrowsAsync<ObjectStoreException>(() => _t.GetAsync("bucket", "c", customerKey: TestObjects.RandomBytes(32)));
        Assert.Equal(ObjectStoreError.AccessDenied, wrong.Error);
        var missing = await Assert.ThrowsAsync<ObjectStoreException>(() => _t.GetAsync("bucket", "c"));
        Assert.Equal(ObjectStoreError.InvalidRequest, missing.Error);
    }

    [Fact]
    public async Task Tampered_ciphertext_is_never_returned()
    {
        var data = TestObjects.RandomBytes(100_000);
        var record = await _t.PutAsync("bucket", "t", data);
        var path = Directory.EnumerateFiles(Path.Combine(_t.Directory, "objects", "blobs"), record.Segments[0].Blob, SearchOption.AllDirectories).Single();
        var bytes = await File.ReadAllBytesAsync(path);
        bytes[Crypto.ChunkedAead.HeaderSize + 3 * Crypto.ChunkedAead.SealedChunkSize + 5] ^= 1;
        await File.WriteAllBytesAsync(path, bytes);

        // The chunks before the damaged one still read; the damaged chunk fails instead of returning bytes.
        Assert.Equal(data[..1000], await _t.GetAsync("bucket", "t", 0, 1000));
        var error = await Assert.ThrowsAsync<ObjectStoreException>(() => _t.GetAsync("bucket", "t"));
        Assert.Equal(ObjectStoreError.ObjectCorrupted, error.Error);

        // Truncation is caught before any chunk is read.
        await File.WriteAllBytesAsync(path, bytes[..^20]);
        Assert.Equal(ObjectStoreError.ObjectCorrupted, (await Assert.ThrowsAsync<ObjectStoreException>(() => _t.GetAsync("bucket", "t", 0, 10))).Error);
    }

    [Fact]
    public async Task Ciphertext_moved_to_another_key_does_not_decrypt()
    {
        var a = await _t.PutAsync("bucket", "a", TestObjects.RandomBytes(1000));
        var b = await _t.PutAsync("bucket", "b", TestObjects.RandomBytes(1000));
        // Swap the sealed keys and blobs: each is bound to its bucket and key.
        _t.Catalog.PutObject(b with { Segments = a.Segments, Encryption = a.Encryption });
        var error = await Assert.ThrowsAsync<ObjectStoreException>(() => _t.GetAsync("bucket", "b"));
        Assert.Equal(ObjectStoreError.ObjectCorrupted, error.Error);
    }

    [Fact]
    public async Task A_bad_digest_or_short_body_stores_nothing_and_keeps_the_previous_version()
    {
        var original = TestObjects.RandomBytes(5000);
        await _t.PutAsync("bucket", "k", original);
        var data = TestObjects.RandomBytes(5000);
        var bad = await Assert.ThrowsAsync<ObjectStoreException>(() => _t.PutAsync("bucket", "k", data, contentMd5: Convert.ToBase64String(new byte[16])));
        Assert.Equal(ObjectStoreError.BadDigest, bad.Error);
        var crc = await Assert.ThrowsAsync<ObjectStoreException>(() => _t.PutAsync("bucket", "k", data, checksums: new Dictionary<string, string> { ["CRC32"] = "AAAAAA==" }));
        Assert.Equal(ObjectStoreError.BadDigest, crc.Error);
        var shortBody = await Assert.ThrowsAsync<ObjectStoreException>(() => _t.PutAsync("bucket", "k", data, expectedLength: 6000));
        Assert.Equal(ObjectStoreError.IncompleteBody, shortBody.Error);

        Assert.Equal(original, await _t.GetAsync("bucket", "k"));
        var blobs = new List<string>();
        await foreach (var blob in _t.Blobs.ListAsync(CancellationToken.None)) blobs.Add(blob);
        Assert.Single(blobs);
    }

    [Fact]
    public async Task Checksums_are_computed_in_s3_encoding()
    {
        var data = "hello world"u8.ToArray();
        var record = await _t.PutAsync("bucket", "k", data, checksums: new Dictionary<string, string>
        {
            // Known values: CRC32 0x0d4a1185, CRC32C 0xc99465aa, SHA-256 of "hello world".
            ["CRC32"] = "DUoRhQ==",
            ["CRC32C"] = "yZRlqg==",
            ["SHA256"] = Convert.ToBase64String(SHA256.HashData(data)),
            ["SHA1"] = Convert.ToBase64String(SHA1.HashData(data)),
        });
        Assert.Equal("DUoRhQ==", record.Checksums["CRC32"]);
        using var nvme = new ObjectChecksums(["CRC64NVME"]);
        nvme.Append("123456789"u8);
        // The CRC-64/NVME check value of "123456789" is 0xae8b14860a799888.
        Assert.Equal(Convert.ToBase64String(Convert.FromHexString("ae8b14860a799888")), nvme.Value("CRC64NVME"));
    }

    [Fact]
    public void Bucket_names_follow_the_s3_rules()
    {
        foreach (var valid in new[] { "abc", "my-bucket.data", "a1b", new string('a', 63) })
            Assert.True(BucketNames.IsValid(valid), valid);
        foreach (var invalid in new[] { "ab", new string('a', 64), "Abc", "-abc", "abc-", "a..b", "192.168.1.1", "xn--abc", "abc-s3alias", "a_b" })
            Assert.False(BucketNames.IsValid(invalid), invalid);
    }

    [Fact]
    public async Task Listing_is_in_byte_order_with_prefix()
    {
        foreach (var key in new[] { "b", "a/2", "a/1", "é", "Z", "a/10" })
            await _t.PutAsync("bucket", key, [1]);
        Assert.Equal(["Z", "a/1", "a/10", "a/2", "b", "é"], _t.Catalog.ListObjects("bucket", "", "", 100).Select(r => r.Key));
        Assert.Equal(["a/10", "a/2"], _t.Catalog.ListObjects("bucket", "a/", "a/1", 100).Select(r => r.Key));
    }

    [Fact]
    public async Task The_plaintext_and_keys_never_reach_the_data_directory()
    {
        var marker = System.Text.Encoding.ASCII.GetBytes("CITADEL-PLAINTEXT-MARKER-" + Guid.NewGuid().ToString("N"));
        var data = Enumerable.Repeat(marker, 500).SelectMany(b => b).ToArray();
        var customerKey = TestObjects.RandomBytes(32);
        var kmsKey = await CreateKeyAsync();
        await _t.PutAsync("bucket", "s3", data);
        await _t.PutAsync("bucket", "kms", data, new EncryptionRequest(EncryptionRequest.SseKms, kmsKey));
        await _t.PutAsync("bucket", "bk", data, new EncryptionRequest(EncryptionRequest.SseKms, kmsKey, BucketKey: true));
        await _t.PutAsync("bucket", "c", data, new EncryptionRequest(EncryptionRequest.SseC, CustomerKey: customerKey));
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        foreach (var file in Directory.EnumerateFiles(_t.Directory, "*", SearchOption.AllDirectories))
        {
            var content = await File.ReadAllBytesAsync(file);
            Assert.True(content.AsSpan().IndexOf(marker) < 0, $"plaintext found in {file}");
            Assert.True(content.AsSpan().IndexOf(customerKey) < 0, $"customer key found in {file}");
            Assert.DoesNotContain(Convert.ToBase64String(customerKey), System.Text.Encoding.Latin1.GetString(content));
        }
    }

    private async Task<string> CreateKeyAsync()
    {
        var created = (CreateKeyResponse)(await RunKms("CreateKey", new CreateKeyRequest()))!;
        return created.KeyMetadata.KeyId;
    }

    private Task<object?> RunKms(string operation, object request)
        => KmsOperations.All[operation].ExecuteAsync(_t.Kms, new KmsCall(_t.Kms.Settings.RootArn, _t.Kms.Settings.AccountId), request, CancellationToken.None);

    [Fact]
    public async Task Rekey_brings_every_version_under_the_bucket_default_resumably_and_leaves_sse_c_alone()
    {
        var data = TestObjects.RandomBytes(40_000);
        foreach (var key in new[] { "a", "b", "c" }) await _t.PutAsync("bucket", key, data);
        await _t.PutAsync("bucket", "customer", data, new EncryptionRequest(EncryptionRequest.SseC, CustomerKey: TestObjects.RandomBytes(32)));
        var kmsKey = await CreateKeyAsync();
        var bucket = _t.Layer.GetBucket("bucket");
        _t.Catalog.UpdateBucket(bucket with { Encryption = new Model.BucketEncryption(EncryptionRequest.SseKms, kmsKey, false, null) });
        var blobsBefore = _t.Layer.HeadObject("bucket", "a").Segments[0].Blob;

        // Two versions per batch: the job stops, keeps its cursor, and the next call resumes after it.
        var first = await _t.Layer.RekeyAsync("bucket", rewrapOnly: false, maxVersions: 2, CancellationToken.None);
        Assert.False(first.Finished);
        Assert.Equal((2L, 4L), (first.Done, first.Total));
        var second = await _t.Layer.RekeyAsync("bucket", rewrapOnly: false, maxVersions: 2, CancellationToken.None);
        var last = await _t.Layer.RekeyAsync("bucket", rewrapOnly: false, maxVersions: 2, CancellationToken.None);
        Assert.True(last.Finished);
        Assert.Equal((4L, 3L, 1L), (last.Done, last.Changed, last.SkippedCustomerKeys));
        Assert.True(second.Done == 4 || second.Finished);

        foreach (var key in new[] { "a", "b", "c" })
        {
            var record = _t.Layer.HeadObject("bucket", key);
            Assert.Equal((EncryptionRequest.SseKms, _t.Kms.Settings.KeyArn(kmsKey)), (record.Encryption.Mode, record.Encryption.KmsKeyArn));
            Assert.Equal(data, await _t.GetAsync("bucket", key));
        }
        Assert.NotEqual(blobsBefore, _t.Layer.HeadObject("bucket", "a").Segments[0].Blob);
        Assert.Equal(EncryptionRequest.SseC, _t.Layer.HeadObject("bucket", "customer").Encryption.Mode);

        // Rewrap only: the data (blob) stays, the object key is resealed under the new default.
        var other = await CreateKeyAsync();
        _t.Catalog.UpdateBucket(_t.Layer.GetBucket("bucket") with { Encryption = new Model.BucketEncryption(EncryptionRequest.SseKms, other, true, null) });
        var blob = _t.Layer.HeadObject("bucket", "a").Segments[0].Blob;
        var rewrap = await _t.Layer.RekeyAsync("bucket", rewrapOnly: true, maxVersions: 100, CancellationToken.None);
        Assert.True(rewrap.Finished);
        Assert.Equal(3L, rewrap.Changed);
        var rewrapped = _t.Layer.HeadObject("bucket", "a");
        Assert.Equal((blob, true, _t.Kms.Settings.KeyArn(other)), (rewrapped.Segments[0].Blob, rewrapped.Encryption.BucketKeyEnabled, rewrapped.Encryption.KmsKeyArn));
        Assert.Equal(data, await _t.GetAsync("bucket", "a"));

        // A version rewritten while the job held it is left to the newer write.
        var stale = _t.Layer.HeadObject("bucket", "b");
        await _t.PutAsync("bucket", "b", [1, 2, 3]);
        Assert.False(_t.Catalog.ReplaceVersion(stale, stale with { Tags = new Dictionary<string, string> { ["x"] = "y" } }));
        Assert.Equal([1, 2, 3], await _t.GetAsync("bucket", "b"));
    }
}
