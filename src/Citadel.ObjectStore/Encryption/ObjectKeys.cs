using System.Collections.Concurrent;
using System.Security.Cryptography;
using Citadel.Crypto;
using Citadel.Kms.DataKeys;
using Citadel.Kms.Keys;
using Citadel.ObjectStore.Catalog;
using Citadel.ObjectStore.Model;

namespace Citadel.ObjectStore.Encryption;

/// <summary>
/// The object store's key chain. Every object has a fresh 256-bit <b>object key</b>; its data is one
/// Cobblestone-256 message per segment (whole upload or multipart part) under that key, each with its own
/// random salt and so its own derived AES key and nonce, bound to bucket, key and part number (see
/// <see cref="SegmentCipher"/>). The object key itself is protected according to the mode:
/// <list type="bullet">
/// <item>SSE-S3 (AES256): sealed (<see cref="KeySeal"/>) under the S3 service key, a random 256-bit key
/// stored only wrapped under the root key.</item>
/// <item>SSE-KMS (aws:kms): it is a KMS data key (GenerateDataKey under the chosen key with the encryption
/// context: the object ARN by default), stored as KMS ciphertext; reading asks KMS to Decrypt, so a disabled
/// or deleted key stops reads, as in AWS.</item>
/// <item>SSE-KMS with a bucket key: sealed under a bucket key, itself a KMS data key (context: the bucket
/// ARN) that is reused for a limited time, cutting KMS calls; its KMS ciphertext travels with each object.</item>
/// <item>SSE-C: sealed under the customer's key; only a salted HMAC of that key is stored, to refuse a wrong key.</item>
/// </list>
/// Plaintext keys live only in memory; the catalog and the blob store see sealed keys and ciphertext.
/// </summary>
public sealed class ObjectKeys
{
    private const string ServiceKeyName = "sse-s3/v1";
    private static readonly byte[] ServiceKeyContext = "citadel/s3/service-key/v1"u8.ToArray();
    private static readonly byte[] CheckLabel = "citadel/s3/sse-c/check/v1"u8.ToArray();

    private readonly ObjectCatalog _catalog;
    private readonly RootKeyHolder _root;
    private readonly IDataKeyService _kms;
    private readonly IRandom _random;
    private readonly TimeProvider _time;
    private readonly string _partition;
    private readonly TimeSpan _bucketKeyLifetime;
    private readonly ConcurrentDictionary<(string Bucket, string KeyArn), CachedBucketKey> _bucketKeys = new();
    private readonly ConcurrentDictionary<string, CachedBucketKey> _openedBucketKeys = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string Bucket, string KeyArn), Task<CachedBucketKey>> _bucketKeyGenerations = new();
    private readonly ConcurrentDictionary<string, Task<CachedBucketKey>> _bucketKeyOpenings = new(StringComparer.Ordinal);
    private byte[]? _serviceKey;
    private long _kmsCalls;

    /// <summary>Creates the key chain.</summary>
    public ObjectKeys(ObjectCatalog catalog, RootKeyHolder root, IDataKeyService kms, IRandom random, TimeProvider time, string partition, TimeSpan bucketKeyLifetime)
    {
        _catalog = catalog;
        _root = root;
        _kms = kms;
        _random = random;
        _time = time;
        _partition = partition;
        _bucketKeyLifetime = bucketKeyLifetime;
        // Sealing forgets every plaintext key held in memory.
        root.SealStateChanged += Forget;
    }

    /// <summary>KMS calls made so far (GenerateDataKey and Decrypt), to measure what bucket keys save.</summary>
    public long KmsCalls => Interlocked.Read(ref _kmsCalls);

    /// <summary>The most opened bucket keys kept in memory; past it, expired ones go first, then all.</summary>
    private const int MaxOpenedBucketKeys = 10_000;

    /// <summary>
    /// A bucket key held in memory. Users borrow a copy (<see cref="Lend"/>) and zero it when done, so the cache can zero
    /// its own copy when it forgets the key (sealing, eviction) without pulling it from under a request that is using it.
    /// </summary>
    private sealed class CachedBucketKey(byte[] plaintext, byte[] blob, string keyArn, DateTimeOffset expires)
    {
        private int _forgotten;

        public byte[] Blob { get; } = blob;
        public string KeyArn { get; } = keyArn;
        public DateTimeOffset Expires { get; } = expires;

        /// <summary>A copy of the key for one use (the caller zeroes it), or null when the key was forgotten meanwhile.</summary>
        public byte[]? Lend()
        {
            var copy = plaintext.ToArray();
            // Forget raises the flag before zeroing; a copy taken while it zeroed sees the flag here.
            Interlocked.MemoryBarrier();
            if (Volatile.Read(ref _forgotten) == 0) return copy;
            CryptographicOperations.ZeroMemory(copy);
            return null;
        }

        public void Forget()
        {
            Interlocked.Exchange(ref _forgotten, 1);
            CryptographicOperations.ZeroMemory(plaintext);
        }
    }

    /// <summary>Creates the object key of a new object; returns it (caller zeroes it) and its sealed form.</summary>
    public async Task<(byte[] ObjectKey, ObjectEncryption Encryption)> CreateAsync(EncryptionRequest request, string bucket, string key, CancellationToken cancellationToken)
    {
        switch (request.Mode)
        {
            case EncryptionRequest.SseS3:
                {
                    var objectKey = _random.GetBytes(32);
                    return (objectKey, new ObjectEncryption(request.Mode, SealedKey: KeySeal.Seal(ServiceKey(), objectKey, request.Mode, bucket, key, _random)));
                }
            case EncryptionRequest.SseC:
                {
                    var customerKey = request.CustomerKey ?? throw new ArgumentException("SSE-C needs the customer key.", nameof(request));
                    var salt = _random.GetBytes(32);
                    var objectKey = _random.GetBytes(32);
                    return (objectKey, new ObjectEncryption(request.Mode, SealedKey: KeySeal.Seal(customerKey, objectKey, request.Mode, bucket, key, _random),
                        CustomerKeyMd5: Convert.ToBase64String(MD5.HashData(customerKey)), CustomerKeyCheck: Check(customerKey, salt), CustomerKeySalt: salt));
                }
            case EncryptionRequest.SseKms when request.BucketKey:
                {
                    var keyArn = await _kms.ResolveKeyArnAsync(request.KmsKeyId ?? "alias/aws/s3", cancellationToken).ConfigureAwait(false);
                    var (bucketKey, plaintext) = await BucketKeyAsync(bucket, keyArn, cancellationToken).ConfigureAwait(false);
                    try
                    {
                        var objectKey = _random.GetBytes(32);
                        return (objectKey, new ObjectEncryption(request.Mode, SealedKey: KeySeal.Seal(plaintext, objectKey, request.Mode, bucket, key, _random),
                            KmsKeyArn: bucketKey.KeyArn, KmsContext: BucketContext(bucket), BucketKeyEnabled: true, KmsBlob: bucketKey.Blob));
                    }
                    finally
                    {
                        CryptographicOperations.ZeroMemory(plaintext);
                    }
                }
            case EncryptionRequest.SseKms:
                {
                    var context = request.KmsContext ?? ObjectContext(bucket, key);
                    Interlocked.Increment(ref _kmsCalls);
                    var generated = await _kms.GenerateAsync(request.KmsKeyId ?? "alias/aws/s3", context, cancellationToken).ConfigureAwait(false);
                    return (generated.Plaintext, new ObjectEncryption(request.Mode, KmsKeyArn: generated.KeyArn, KmsContext: context, KmsBlob: generated.CiphertextBlob));
                }
            default:
                throw new ObjectStoreException(ObjectStoreError.InvalidArgument, $"The encryption method specified is not supported: {request.Mode}");
        }
    }

    /// <summary>
    /// Seals an existing object key under another protection (SSE-S3, SSE-KMS with or without a bucket key), for a
    /// rekey that keeps the data key and rewrites only its sealed form. SSE-C is not a target: the server has no
    /// customer key to seal under.
    /// </summary>
    public async Task<ObjectEncryption> SealExistingAsync(byte[] objectKey, EncryptionRequest target, string bucket, string key, CancellationToken cancellationToken)
    {
        switch (target.Mode)
        {
            case EncryptionRequest.SseS3:
                return new ObjectEncryption(target.Mode, SealedKey: KeySeal.Seal(ServiceKey(), objectKey, target.Mode, bucket, key, _random));
            case EncryptionRequest.SseKms when target.BucketKey:
                {
                    var keyArn = await _kms.ResolveKeyArnAsync(target.KmsKeyId ?? "alias/aws/s3", cancellationToken).ConfigureAwait(false);
                    var (bucketKey, plaintext) = await BucketKeyAsync(bucket, keyArn, cancellationToken).ConfigureAwait(false);
                    try
                    {
                        return new ObjectEncryption(target.Mode, SealedKey: KeySeal.Seal(plaintext, objectKey, target.Mode, bucket, key, _random),
                            KmsKeyArn: bucketKey.KeyArn, KmsContext: BucketContext(bucket), BucketKeyEnabled: true, KmsBlob: bucketKey.Blob);
                    }
                    finally
                    {
                        CryptographicOperations.ZeroMemory(plaintext);
                    }
                }
            case EncryptionRequest.SseKms:
                {
                    var context = target.KmsContext ?? ObjectContext(bucket, key);
                    Interlocked.Increment(ref _kmsCalls);
                    var encrypted = await _kms.EncryptAsync(target.KmsKeyId ?? "alias/aws/s3", objectKey, context, cancellationToken).ConfigureAwait(false);
                    CryptographicOperations.ZeroMemory(encrypted.Plaintext);
                    return new ObjectEncryption(target.Mode, KmsKeyArn: encrypted.KeyArn, KmsContext: context, KmsBlob: encrypted.CiphertextBlob);
                }
            default:
                throw new ObjectStoreException(ObjectStoreError.InvalidArgument, $"Objects cannot be rekeyed to {target.Mode}.");
        }
    }

    /// <summary>Opens the object key of a stored object; SSE-C needs the customer's key and refuses any other (AccessDenied).</summary>
    public async Task<byte[]> OpenAsync(ObjectEncryption encryption, string bucket, string key, byte[]? customerKey, CancellationToken cancellationToken)
    {
        switch (encryption.Mode)
        {
            case EncryptionRequest.SseS3:
                return Unseal(ServiceKey(), encryption, bucket, key);
            case EncryptionRequest.SseC:
                if (customerKey is null)
                    throw new ObjectStoreException(ObjectStoreError.InvalidRequest,
                        "The object was stored using a form of Server Side Encryption. The correct parameters must be provided to retrieve the object.");
                if (!CryptographicOperations.FixedTimeEquals(Check(customerKey, encryption.CustomerKeySalt!), encryption.CustomerKeyCheck))
                    throw new ObjectStoreException(ObjectStoreError.AccessDenied, "Access Denied");
                return Unseal(customerKey, encryption, bucket, key);
            case EncryptionRequest.SseKms when encryption.BucketKeyEnabled:
                {
                    var bucketKey = await OpenBucketKeyAsync(encryption, cancellationToken).ConfigureAwait(false);
                    try
                    {
                        return Unseal(bucketKey, encryption, bucket, key);
                    }
                    finally
                    {
                        CryptographicOperations.ZeroMemory(bucketKey);
                    }
                }
            case EncryptionRequest.SseKms:
                Interlocked.Increment(ref _kmsCalls);
                return (await _kms.DecryptAsync(encryption.KmsBlob!, encryption.KmsContext!, cancellationToken).ConfigureAwait(false)).Plaintext;
            default:
                throw new ObjectStoreException(ObjectStoreError.ObjectCorrupted, $"The object's encryption mode '{encryption.Mode}' is unknown.");
        }
    }

    /// <summary>The ARN of the KMS key an SSE-KMS request names (alias/aws/s3 when it names none).</summary>
    public Task<string> KmsKeyArnAsync(string? keyId, CancellationToken cancellationToken) => _kms.ResolveKeyArnAsync(keyId ?? "alias/aws/s3", cancellationToken);

    /// <summary>The default SSE-KMS encryption context: the object's ARN.</summary>
    public Dictionary<string, string> ObjectContext(string bucket, string key) => new() { ["aws:s3:arn"] = $"arn:{_partition}:s3:::{bucket}/{key}" };

    private Dictionary<string, string> BucketContext(string bucket) => new() { ["aws:s3:arn"] = $"arn:{_partition}:s3:::{bucket}" };

    private static byte[] Unseal(byte[] wrappingKey, ObjectEncryption encryption, string bucket, string key)
    {
        try
        {
            return KeySeal.Open(wrappingKey, encryption.SealedKey, encryption.Mode, bucket, key);
        }
        catch (AuthenticationFailedException)
        {
            throw new ObjectStoreException(ObjectStoreError.ObjectCorrupted, "The object's sealed key did not authenticate: the stored object is damaged or was tampered with.");
        }
    }

    private static byte[] Check(byte[] customerKey, byte[] salt) => HMACSHA256.HashData(customerKey, CheckLabel.Concat(salt).ToArray());

    /// <summary>
    /// The bucket key of (bucket, KMS key) and a copy of its plaintext (the caller zeroes it): the cached one while it
    /// lives and its KMS key is still usable, else a new one. Generation is single-flight: requests that miss the cache
    /// while a generation is under way wait for it instead of each asking KMS for a key of their own, so a burst of
    /// first PUTs makes one GenerateDataKey call.
    /// </summary>
    private Task<(CachedBucketKey Key, byte[] Plaintext)> BucketKeyAsync(string bucket, string keyArn, CancellationToken cancellationToken)
        => LendAsync(_bucketKeys, (bucket, keyArn), async () =>
        {
            var mine = new TaskCompletionSource<CachedBucketKey>(TaskCreationOptions.RunContinuationsAsynchronously);
            var pending = _bucketKeyGenerations.GetOrAdd((bucket, keyArn), mine.Task);
            // A generation runs under its request's token; when that request gives up, its waiters try again (LendAsync).
            return pending == mine.Task
                ? await GenerateBucketKeyAsync(bucket, keyArn, mine, cancellationToken).ConfigureAwait(false)
                : await pending.WaitAsync(cancellationToken).ConfigureAwait(false);
        }, cancellationToken);

    /// <summary>
    /// A cached bucket key of <paramref name="cache"/> and a copy of its plaintext (the caller zeroes it), or, on a miss
    /// (absent, expired), the one <paramref name="miss"/> brings. A cache hit makes no KMS call, but the KMS key must still
    /// be usable: disabling or deleting it stops bucket-key reads and writes at once, as it does without a bucket key (the
    /// check reads the key's state; it is not a KMS request).
    /// </summary>
    private async Task<(CachedBucketKey Key, byte[] Plaintext)> LendAsync<TId>(ConcurrentDictionary<TId, CachedBucketKey> cache, TId id,
        Func<Task<CachedBucketKey>> miss, CancellationToken cancellationToken) where TId : notnull
    {
        while (true)
        {
            CachedBucketKey key;
            if (cache.TryGetValue(id, out var cached) && cached.Expires > _time.GetUtcNow())
            {
                await _kms.RequireUsableAsync(cached.KeyArn, cancellationToken).ConfigureAwait(false);
                key = cached;
            }
            else
            {
                try
                {
                    key = await miss().ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    // Another request's work this one waited for was given up (its client went away): try again.
                    continue;
                }
            }
            if (key.Lend() is { } plaintext) return (key, plaintext);
            // Forgotten (sealed, replaced) between the lookup and the copy: look again.
        }
    }

    private async Task<CachedBucketKey> GenerateBucketKeyAsync(string bucket, string keyArn, TaskCompletionSource<CachedBucketKey> generation, CancellationToken cancellationToken)
    {
        var id = (bucket, keyArn);
        try
        {
            // A generation that ended between this request's cache miss and its claim has filled the cache already.
            var now = _time.GetUtcNow();
            if (!_bucketKeys.TryGetValue(id, out var fresh) || fresh.Expires <= now)
            {
                Interlocked.Increment(ref _kmsCalls);
                var generated = await _kms.GenerateAsync(keyArn, BucketContext(bucket), cancellationToken).ConfigureAwait(false);
                var expired = fresh;
                fresh = new CachedBucketKey(generated.Plaintext, generated.CiphertextBlob, generated.KeyArn, now + _bucketKeyLifetime);
                _bucketKeys[id] = fresh;
                expired?.Forget();
                // The writer's copy opens its objects too, without a KMS Decrypt (its own copy: the two caches forget apart).
                var opened = new CachedBucketKey(generated.Plaintext.ToArray(), generated.CiphertextBlob, generated.KeyArn, now + _bucketKeyLifetime);
                RememberOpened(Convert.ToBase64String(opened.Blob), opened);
            }
            generation.SetResult(fresh);
            return fresh;
        }
        catch (Exception e)
        {
            generation.SetException(e);
            // Observed here, so a failure no other request waited for is not reported again as unobserved.
            _ = generation.Task.Exception;
            throw;
        }
        finally
        {
            _bucketKeyGenerations.TryRemove(KeyValuePair.Create(id, generation.Task));
        }
    }

    /// <summary>
    /// A copy of the plaintext of a stored object's bucket key (the caller zeroes it). A cache hit still requires the KMS
    /// key to be usable, so disabling or deleting it stops reads at once, as for objects without a bucket key. Opening is
    /// single-flight: concurrent first reads of a bucket key (after a restart) make one KMS Decrypt.
    /// </summary>
    private async Task<byte[]> OpenBucketKeyAsync(ObjectEncryption encryption, CancellationToken cancellationToken)
    {
        var id = Convert.ToBase64String(encryption.KmsBlob!);
        var (_, plaintext) = await LendAsync(_openedBucketKeys, id, () =>
        {
            // Shared by every request that misses meanwhile, so no one request's cancellation may end it; KMS Decrypt
            // here is in-process and short. (Not GetOrAdd's factory: it may run more than once under a race.)
            var mine = new TaskCompletionSource<CachedBucketKey>(TaskCreationOptions.RunContinuationsAsynchronously);
            var opening = _bucketKeyOpenings.GetOrAdd(id, mine.Task);
            if (opening == mine.Task) _ = OpenFreshBucketKeyAsync(id, encryption, mine);
            return opening.WaitAsync(cancellationToken);
        }, cancellationToken).ConfigureAwait(false);
        return plaintext;
    }

    private async Task OpenFreshBucketKeyAsync(string id, ObjectEncryption encryption, TaskCompletionSource<CachedBucketKey> opening)
    {
        try
        {
            Interlocked.Increment(ref _kmsCalls);
            var opened = await _kms.DecryptAsync(encryption.KmsBlob!, encryption.KmsContext!, CancellationToken.None).ConfigureAwait(false);
            var key = new CachedBucketKey(opened.Plaintext, encryption.KmsBlob!, opened.KeyArn, _time.GetUtcNow() + _bucketKeyLifetime);
            RememberOpened(id, key);
            opening.SetResult(key);
        }
        catch (Exception e)
        {
            opening.SetException(e);
            // Observed here, so a failure whose waiters all gave up is not reported again as unobserved.
            _ = opening.Task.Exception;
        }
        finally
        {
            _bucketKeyOpenings.TryRemove(KeyValuePair.Create(id, opening.Task));
        }
    }

    private void RememberOpened(string id, CachedBucketKey key)
    {
        if (_openedBucketKeys.Count >= MaxOpenedBucketKeys)
        {
            var now = _time.GetUtcNow();
            foreach (var (staleId, stale) in _openedBucketKeys)
            {
                if (stale.Expires <= now && _openedBucketKeys.TryRemove(KeyValuePair.Create(staleId, stale))) stale.Forget();
            }
            if (_openedBucketKeys.Count >= MaxOpenedBucketKeys)
            {
                foreach (var (liveId, live) in _openedBucketKeys)
                {
                    if (_openedBucketKeys.TryRemove(KeyValuePair.Create(liveId, live))) live.Forget();
                }
            }
        }
        if (_openedBucketKeys.TryGetValue(id, out var previous) && previous != key) previous.Forget();
        _openedBucketKeys[id] = key;
    }

    private byte[] ServiceKey()
    {
        if (Volatile.Read(ref _serviceKey) is { } known) return known;
        var root = _root.Current;
        var wrapped = _catalog.GetServiceKey(ServiceKeyName);
        if (wrapped is null)
        {
            var fresh = _random.GetBytes(32);
            wrapped = _catalog.AddServiceKey(ServiceKeyName, root.Wrap(fresh, ServiceKeyContext));
            CryptographicOperations.ZeroMemory(fresh);
        }
        var key = root.Unwrap(wrapped, ServiceKeyContext);
        Volatile.Write(ref _serviceKey, key);
        return key;
    }

    private void Forget()
    {
        if (Interlocked.Exchange(ref _serviceKey, null) is { } key) CryptographicOperations.ZeroMemory(key);
        foreach (var cached in _bucketKeys.Values) cached.Forget();
        foreach (var cached in _openedBucketKeys.Values) cached.Forget();
        _bucketKeys.Clear();
        _openedBucketKeys.Clear();
    }
}
