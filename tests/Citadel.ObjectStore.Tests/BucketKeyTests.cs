using Citadel.Crypto;
using Citadel.Kms;
using Citadel.Kms.DataKeys;
using Citadel.Kms.Operations;
using Citadel.ObjectStore.Encryption;

namespace Citadel.ObjectStore.Tests;

/// <summary>
/// Bucket keys: generating and opening them is single-flight (a burst of first PUTs or GETs makes one KMS call, not one
/// each), and a cached one stops working as soon as its KMS key does.
/// </summary>
public sealed class BucketKeyTests : IDisposable
{
    private readonly TestObjects _t = new();

    public void Dispose() => _t.Dispose();

    [Fact]
    public async Task Concurrent_first_puts_share_one_generated_bucket_key()
    {
        var kmsKey = await CreateKeyAsync();
        var kms = new GatedDataKeys(new KmsDataKeys(_t.Kms));
        var keys = KeysOver(kms);
        var request = new EncryptionRequest(EncryptionRequest.SseKms, kmsKey, BucketKey: true);

        // Every request misses the empty cache while the first generation is held inside KMS.
        var creates = Enumerable.Range(0, 20).Select(i => Task.Run(() => keys.CreateAsync(request, "bucket", "k" + i, CancellationToken.None))).ToList();
        await kms.FirstGenerateStarted.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await Task.Delay(100);
        kms.Release.SetResult();
        var created = await Task.WhenAll(creates);

        Assert.Equal(1, kms.Generates);
        Assert.Equal(1, keys.KmsCalls);
        Assert.Single(created.Select(c => Convert.ToBase64String(c.Encryption.KmsBlob!)).Distinct());
        for (var i = 0; i < created.Length; i++)
        {
            var opened = await keys.OpenAsync(created[i].Encryption, "bucket", "k" + i, null, CancellationToken.None);
            Assert.Equal(created[i].ObjectKey, opened);
        }
        Assert.Equal(1, keys.KmsCalls);

        // Past its lifetime the bucket key is generated again, once.
        _t.Time.Advance(TimeSpan.FromMinutes(11));
        await Task.WhenAll(Enumerable.Range(0, 10).Select(i => Task.Run(() => keys.CreateAsync(request, "bucket", "later" + i, CancellationToken.None))));
        Assert.Equal(2, kms.Generates);
    }

    [Fact]
    public async Task A_generation_given_up_by_its_request_does_not_fail_the_requests_waiting_for_it()
    {
        var kmsKey = await CreateKeyAsync();
        var kms = new GatedDataKeys(new KmsDataKeys(_t.Kms));
        var keys = KeysOver(kms);
        var request = new EncryptionRequest(EncryptionRequest.SseKms, kmsKey, BucketKey: true);

        using var gone = new CancellationTokenSource();
        var first = Task.Run(() => keys.CreateAsync(request, "bucket", "first", gone.Token));
        await kms.FirstGenerateStarted.Task.WaitAsync(TimeSpan.FromSeconds(30));
        var waiting = Task.Run(() => keys.CreateAsync(request, "bucket", "second", CancellationToken.None));
        await Task.Delay(100);
        await gone.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => first);
        kms.Release.SetResult();
        var second = await waiting;
        Assert.NotNull(second.Encryption.KmsBlob);
        Assert.Equal(2, kms.Generates);
    }

    [Fact]
    public async Task A_disabled_kms_key_stops_bucket_key_reads_and_writes_at_once_even_from_the_cache()
    {
        var kmsKey = await CreateKeyAsync();
        var keys = KeysOver(new KmsDataKeys(_t.Kms));
        var request = new EncryptionRequest(EncryptionRequest.SseKms, kmsKey, BucketKey: true);
        var (objectKey, encryption) = await keys.CreateAsync(request, "bucket", "k", CancellationToken.None);
        Assert.Equal(objectKey, await keys.OpenAsync(encryption, "bucket", "k", null, CancellationToken.None)); // both caches warm
        var calls = keys.KmsCalls;

        await ExecuteAsync("DisableKey", new DisableKeyRequest { KeyId = kmsKey });
        var read = await Assert.ThrowsAsync<KmsException>(() => keys.OpenAsync(encryption, "bucket", "k", null, CancellationToken.None));
        Assert.Equal(KmsErrorCode.Disabled, read.Code);
        var write = await Assert.ThrowsAsync<KmsException>(() => keys.CreateAsync(request, "bucket", "k2", CancellationToken.None));
        Assert.Equal(KmsErrorCode.Disabled, write.Code);

        await ExecuteAsync("EnableKey", new EnableKeyRequest { KeyId = kmsKey });
        Assert.Equal(objectKey, await keys.OpenAsync(encryption, "bucket", "k", null, CancellationToken.None));
        await keys.CreateAsync(request, "bucket", "k2", CancellationToken.None);
        Assert.Equal(calls, keys.KmsCalls); // still served from the caches: the state check is not a KMS call
    }

    [Fact]
    public async Task Concurrent_first_reads_of_a_bucket_key_share_one_kms_decrypt()
    {
        var kmsKey = await CreateKeyAsync();
        var writer = KeysOver(new KmsDataKeys(_t.Kms));
        var created = await writer.CreateAsync(new EncryptionRequest(EncryptionRequest.SseKms, kmsKey, BucketKey: true), "bucket", "k", CancellationToken.None);

        // A fresh key chain, as after a restart: nothing cached.
        var kms = new GatedDataKeys(new KmsDataKeys(_t.Kms));
        var reader = KeysOver(kms);
        var reads = Enumerable.Range(0, 20).Select(_ => Task.Run(() => reader.OpenAsync(created.Encryption, "bucket", "k", null, CancellationToken.None))).ToList();
        await kms.FirstDecryptStarted.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await Task.Delay(100);
        kms.Release.SetResult();
        foreach (var opened in await Task.WhenAll(reads)) Assert.Equal(created.ObjectKey, opened);
        Assert.Equal(1, kms.Decrypts);
        Assert.Equal(1, reader.KmsCalls);
    }

    private async Task ExecuteAsync(string operation, object request)
        => await KmsOperations.All[operation].ExecuteAsync(_t.Kms, new KmsCall(_t.Kms.Settings.RootArn, _t.Kms.Settings.AccountId), request, CancellationToken.None);

    /// <summary>An object key chain (bucket keys live 10 minutes) over <paramref name="kms"/>.</summary>
    private ObjectKeys KeysOver(IDataKeyService kms) => new(_t.Catalog, _t.Root, kms, SystemRandom.Instance, _t.Time, "aws", TimeSpan.FromMinutes(10));

    private async Task<string> CreateKeyAsync()
    {
        var created = (CreateKeyResponse)(await KmsOperations.All["CreateKey"].ExecuteAsync(_t.Kms,
            new KmsCall(_t.Kms.Settings.RootArn, _t.Kms.Settings.AccountId), new CreateKeyRequest(), CancellationToken.None))!;
        return created.KeyMetadata.KeyId;
    }

    /// <summary>Counts GenerateDataKey and Decrypt calls and holds each until <see cref="Release"/> completes (or its request is cancelled).</summary>
    private sealed class GatedDataKeys(IDataKeyService inner) : IDataKeyService
    {
        private int _generates;

        private int _decrypts;

        public int Generates => Volatile.Read(ref _generates);
        public int Decrypts => Volatile.Read(ref _decrypts);
        public TaskCompletionSource FirstGenerateStarted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public TaskCompletionSource FirstDecryptStarted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public async Task<GeneratedDataKey> GenerateAsync(string keyId, IReadOnlyDictionary<string, string> encryptionContext, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _generates);
            FirstGenerateStarted.TrySetResult();
            await Release.Task.WaitAsync(cancellationToken);
            return await inner.GenerateAsync(keyId, encryptionContext, cancellationToken);
        }

        public Task<string> ResolveKeyArnAsync(string keyId, CancellationToken cancellationToken) => inner.ResolveKeyArnAsync(keyId, cancellationToken);
        public Task<GeneratedDataKey> EncryptAsync(string keyId, byte[] plaintext, IReadOnlyDictionary<string, string> encryptionContext, CancellationToken cancellationToken)
            => inner.EncryptAsync(keyId, plaintext, encryptionContext, cancellationToken);
        public async Task<DecryptedDataKey> DecryptAsync(byte[] ciphertextBlob, IReadOnlyDictionary<string, string> encryptionContext, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _decrypts);
            FirstDecryptStarted.TrySetResult();
            await Release.Task.WaitAsync(cancellationToken);
            return await inner.DecryptAsync(ciphertextBlob, encryptionContext, cancellationToken);
        }
        public Task RequireUsableAsync(string keyId, CancellationToken cancellationToken) => inner.RequireUsableAsync(keyId, cancellationToken);
    }
}
