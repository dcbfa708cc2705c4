using System.Collections.Concurrent;
using System.Text.Json;
using Citadel.Crypto;
using Citadel.Kms.Model;
using Citadel.Storage;

namespace Citadel.Kms.Keys;

/// <summary>
/// Loads and saves key and alias documents, with an in-process cache of records and of unwrapped
/// material. One server process owns a data directory (it holds the directory lock), so the cache
/// is coherent: every write goes through here and replaces the cached entry.
/// </summary>
public sealed class KeyRepository
{
    /// <summary>The collection of key documents.</summary>
    public const string KeysCollection = "kms-keys";
    /// <summary>The collection of alias documents.</summary>
    public const string AliasCollection = "kms-aliases";

    private readonly IDocumentStore _store;
    private readonly RootKeyHolder _root;
    private readonly ConcurrentDictionary<string, CachedKey> _keys = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, AliasRecord?> _aliases = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _writeLock = new(1, 1);

    private sealed record CachedKey(KeyRecord Record, long Revision, ConcurrentDictionary<int, byte[]> Materials);

    /// <summary>Creates the repository.</summary>
    public KeyRepository(IDocumentStore store, RootKeyHolder root)
    {
        _store = store;
        _root = root;
        _root.SealStateChanged += () =>
        {
            foreach (var entry in _keys.Values) entry.Materials.Clear();
        };
    }

    /// <summary>The document store, for KMS collections other than keys and aliases (which only this repository writes).</summary>
    public IDocumentStore Store => _store;

    /// <summary>The key, or null.</summary>
    public async Task<KeyRecord?> FindAsync(string keyId, CancellationToken cancellationToken = default)
        => (await FindCachedAsync(keyId, cancellationToken).ConfigureAwait(false))?.Record;

    private async Task<CachedKey?> FindCachedAsync(string keyId, CancellationToken cancellationToken)
    {
        if (_keys.TryGetValue(keyId, out var cached)) return cached;
        var generation = Interlocked.Read(ref _generation);
        var document = await _store.GetAsync(KeysCollection, keyId, cancellationToken).ConfigureAwait(false);
        if (document is null) return null;
        var entry = new CachedKey(Deserialize(document.Body), document.Revision, new ConcurrentDictionary<int, byte[]>());
        var added = _keys.GetOrAdd(keyId, entry);
        // A write that began after our read may already have replaced or removed the cache entry; never
        // leave what we read behind (a destroyed key must not come back to life in the cache).
        if (ReferenceEquals(added, entry) && Interlocked.Read(ref _generation) != generation)
            _keys.TryRemove(new KeyValuePair<string, CachedKey>(keyId, entry));
        return added;
    }

    // Incremented before every key write, so readers can tell a write overlapped their read.
    private long _generation;

    /// <summary>Lists keys in key id order after <paramref name="afterKeyId"/>.</summary>
    public async Task<IReadOnlyList<KeyRecord>> ListAsync(string? afterKeyId, int limit, CancellationToken cancellationToken = default)
    {
        var documents = await _store.ListAsync(KeysCollection, afterKeyId, limit, cancellationToken).ConfigureAwait(false);
        return documents.Select(d => Deserialize(d.Body)).ToList();
    }

    /// <summary>Creates a new key document (with, optionally, an alias in the same atomic write).</summary>
    public async Task CreateAsync(KeyRecord record, AliasRecord? alias = null, CancellationToken cancellationToken = default)
    {
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        Interlocked.Increment(ref _generation);
        try
        {
            var writes = new List<DocumentWrite> { new(KeysCollection, record.KeyId, Serialize(record), 0) };
            if (alias is not null) writes.Add(new(AliasCollection, alias.AliasName, JsonSerializer.Serialize(alias, KmsJson.Storage), 0));
            await _store.WriteAsync(writes, cancellationToken).ConfigureAwait(false);
            _keys[record.KeyId] = new CachedKey(record, 1, new ConcurrentDictionary<int, byte[]>());
            if (alias is not null) _aliases[alias.AliasName] = alias;
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>
    /// Loads a fresh copy of the key, applies <paramref name="mutate"/>, and saves it atomically.
    /// Mutations are serialized, so read-modify-write never loses an update.
    /// </summary>
    public async Task<T> MutateAsync<T>(string keyId, Func<KeyRecord, T> mutate, CancellationToken cancellationToken = default)
    {
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        Interlocked.Increment(ref _generation);
        try
        {
            var document = await _store.GetAsync(KeysCollection, keyId, cancellationToken).ConfigureAwait(false)
                ?? throw new KmsException(KmsErrorCode.NotFound, $"Key '{keyId}' does not exist");
            var record = Deserialize(document.Body);
            var result = mutate(record);
            await _store.WriteAsync([new DocumentWrite(KeysCollection, keyId, Serialize(record), document.Revision)], cancellationToken).ConfigureAwait(false);
            var materials = _keys.TryGetValue(keyId, out var old) ? old.Materials : new ConcurrentDictionary<int, byte[]>();
            _keys[keyId] = new CachedKey(record, document.Revision + 1, materials);
            return result;
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>
    /// Runs <paramref name="action"/> under the repository's write lock, with the key as stored at that moment (null
    /// when it does not exist): writes of documents that belong to a key (its grants) are then serialized with the
    /// key's own writes, so none can outlive the key's destruction.
    /// </summary>
    internal async Task<T> WithKeyLockedAsync<T>(string keyId, Func<KeyRecord?, Task<T>> action, CancellationToken cancellationToken)
    {
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var document = await _store.GetAsync(KeysCollection, keyId, cancellationToken).ConfigureAwait(false);
            return await action(document is null ? null : Deserialize(document.Body)).ConfigureAwait(false);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>
    /// Destroys a key: its document, its material, its grants and the aliases that point at it — only when
    /// <paramref name="onlyIf"/> holds for the stored key at that moment (checked under the write lock,
    /// so a concurrent CancelKeyDeletion is never lost). Returns whether it was destroyed.
    /// </summary>
    public async Task<bool> DestroyAsync(string keyId, Func<KeyRecord, bool> onlyIf, CancellationToken cancellationToken = default)
    {
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        Interlocked.Increment(ref _generation);
        try
        {
            var document = await _store.GetAsync(KeysCollection, keyId, cancellationToken).ConfigureAwait(false);
            if (document is null || !onlyIf(Deserialize(document.Body))) return false;
            var aliases = (await AllAliasesAsync(cancellationToken).ConfigureAwait(false)).Where(a => a.TargetKeyId == keyId).ToList();
            var writes = new List<DocumentWrite> { new(KeysCollection, keyId, null, document.Revision) };
            writes.AddRange(aliases.Select(a => new DocumentWrite(AliasCollection, a.AliasName, null, null)));
            // Grants die with their key, in the same atomic write (grant writes take this lock too, so none is added meanwhile).
            var grants = await Grants.GrantStore.DocumentsOfKeyAsync(_store, keyId, cancellationToken).ConfigureAwait(false);
            writes.AddRange(grants.Select(g => new DocumentWrite(Grants.GrantStore.Collection, g.Id, null, g.Revision)));
            await _store.WriteAsync(writes, cancellationToken).ConfigureAwait(false);
            if (_keys.TryRemove(keyId, out var removed)) removed.Materials.Clear();
            foreach (var alias in aliases) _aliases[alias.AliasName] = null;
            return true;
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>The plaintext material of a version, unwrapped under the root key (cached in memory only).</summary>
    public byte[] Material(KeyRecord record, KeyVersion version)
    {
        if (_keys.TryGetValue(record.KeyId, out var cached) && cached.Materials.TryGetValue(version.Number, out var material))
            return material;
        if (version.WrappedMaterial is null)
            throw new KmsException(KmsErrorCode.InvalidState, $"{record.Arn} has no key material for this version.");
        material = _root.Current.Unwrap(version.WrappedMaterial, MaterialContext(record.Arn, version.Number));
        cached?.Materials.TryAdd(version.Number, material);
        return material;
    }

    /// <summary>Wraps material for storage, bound to the key ARN and version.</summary>
    public byte[] Wrap(string keyArn, int version, ReadOnlySpan<byte> material)
        => _root.Current.Wrap(material, MaterialContext(keyArn, version));

    /// <summary>Forgets cached material of a key (after imported material is deleted).</summary>
    public void ForgetMaterial(string keyId)
    {
        if (_keys.TryGetValue(keyId, out var cached)) cached.Materials.Clear();
    }

    /// <summary>The alias, or null.</summary>
    public async Task<AliasRecord?> FindAliasAsync(string aliasName, CancellationToken cancellationToken = default)
    {
        if (_aliases.TryGetValue(aliasName, out var cached)) return cached;
        var document = await _store.GetAsync(AliasCollection, aliasName, cancellationToken).ConfigureAwait(false);
        var alias = document is null ? null : JsonSerializer.Deserialize<AliasRecord>(document.Body, KmsJson.Storage);
        _aliases[aliasName] = alias;
        return alias;
    }

    /// <summary>All aliases in name order.</summary>
    public async Task<IReadOnlyList<AliasRecord>> AllAliasesAsync(CancellationToken cancellationToken = default)
    {
        var result = new List<AliasRecord>();
        string? after = null;
        while (true)
        {
            var page = await _store.ListAsync(AliasCollection, after, 1000, cancellationToken).ConfigureAwait(false);
            result.AddRange(page.Select(d => JsonSerializer.Deserialize<AliasRecord>(d.Body, KmsJson.Storage)!));
            if (page.Count < 1000) return result;
            after = page[^1].Id;
        }
    }

    /// <summary>Creates an alias; AlreadyExistsException when the name is taken.</summary>
    public async Task CreateAliasAsync(AliasRecord alias, CancellationToken cancellationToken = default)
    {
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await _store.WriteAsync([new DocumentWrite(AliasCollection, alias.AliasName, JsonSerializer.Serialize(alias, KmsJson.Storage), 0)], cancellationToken).ConfigureAwait(false);
            _aliases[alias.AliasName] = alias;
        }
        catch (ConcurrencyConflictException)
        {
            throw new KmsException(KmsErrorCode.AlreadyExists, $"An alias with the name {alias.AliasName} already exists");
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>
    /// Replaces an alias that still exists and still points at <paramref name="expectedTargetKeyId"/> (checked under the
    /// write lock); false when it was deleted meanwhile, ConflictException when another request moved it, so a change
    /// is made only to the alias as it was when the request was authorized.
    /// </summary>
    public async Task<bool> ReplaceAliasAsync(AliasRecord alias, string expectedTargetKeyId, CancellationToken cancellationToken = default)
    {
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var current = await _store.GetAsync(AliasCollection, alias.AliasName, cancellationToken).ConfigureAwait(false);
            if (current is null) return false;
            RequireTarget(current, expectedTargetKeyId);
            await _store.WriteAsync([new DocumentWrite(AliasCollection, alias.AliasName, JsonSerializer.Serialize(alias, KmsJson.Storage), current.Revision)], cancellationToken).ConfigureAwait(false);
            _aliases[alias.AliasName] = alias;
            return true;
        }
        finally
        {
            _writeLock.Release();
        }
    }

    private static void RequireTarget(Document current, string expectedTargetKeyId)
    {
        if (JsonSerializer.Deserialize<AliasRecord>(current.Body, KmsJson.Storage)?.TargetKeyId != expectedTargetKeyId)
            throw new KmsException(KmsErrorCode.Conflict, "The alias was changed by another request while this one was processed; retry the request.");
    }

    /// <summary>Deletes an alias if it still points at <paramref name="expectedTargetKeyId"/> (ConflictException when another request moved it).</summary>
    public async Task DeleteAliasAsync(string aliasName, string expectedTargetKeyId, CancellationToken cancellationToken = default)
    {
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var current = await _store.GetAsync(AliasCollection, aliasName, cancellationToken).ConfigureAwait(false);
            if (current is not null) RequireTarget(current, expectedTargetKeyId);
            await _store.WriteAsync([new DocumentWrite(AliasCollection, aliasName, null, null)], cancellationToken).ConfigureAwait(false);
            _aliases[aliasName] = null;
        }
        finally
        {
            _writeLock.Release();
        }
    }

    private static byte[] MaterialContext(string keyArn, int version)
        => CanonicalEncoding.EncodeFields("citadel/kms/key-material/v1", keyArn, version.ToString(System.Globalization.CultureInfo.InvariantCulture));

    private static string Serialize(KeyRecord record) => JsonSerializer.Serialize(record, KmsJson.Storage);

    private static KeyRecord Deserialize(string body) => JsonSerializer.Deserialize<KeyRecord>(body, KmsJson.Storage)
        ?? throw new InvalidDataException("Empty key document.");
}
