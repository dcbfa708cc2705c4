using Citadel.Crypto;
using Citadel.Kms;
using Citadel.Kms.DataKeys;
using Citadel.Kms.Keys;
using Citadel.ObjectStore.Blobs;
using Citadel.ObjectStore.Catalog;
using Citadel.ObjectStore.Encryption;
using Citadel.Storage;

namespace Citadel.ObjectStore.Tests;

/// <summary>An object layer over a fresh catalog, blob store (local unless given) and KMS in a temp directory.</summary>
public sealed class TestObjects : IDisposable
{
    public TestObjects(IBlobStore? blobs = null)
    {
        Directory = Path.Combine(Path.GetTempPath(), "citadel-objects-test-" + Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(Directory);
        Root = new RootKeyHolder();
        Root.Unseal(RootKey.Generate());
        var store = new SqliteDocumentStore(Path.Combine(Directory, "metadata.db"));
        Kms = new KmsContext(new KmsSettings("111122223333", "us-east-1", "aws"), new KeyRepository(store, Root), Root, Time, SystemRandom.Instance);
        Catalog = new ObjectCatalog(Path.Combine(Directory, "objects", "catalog.db"));
        Blobs = blobs ?? new LocalBlobStore(Path.Combine(Directory, "objects", "blobs"));
        Keys = new ObjectKeys(Catalog, Root, new KmsDataKeys(Kms), SystemRandom.Instance, Time, "aws", TimeSpan.FromMinutes(10));
        Layer = new ObjectLayer(Catalog, Blobs, Keys, SystemRandom.Instance, Time, "us-east-1");
    }

    public string Directory { get; }
    public RootKeyHolder Root { get; }
    public KmsContext Kms { get; }
    public ObjectCatalog Catalog { get; }
    public IBlobStore Blobs { get; }
    public ObjectKeys Keys { get; }
    public ObjectLayer Layer { get; }
    public ManualTime Time { get; } = new(new DateTimeOffset(2026, 11, 29, 12, 0, 0, TimeSpan.Zero));

    public static byte[] RandomBytes(int length) => SystemRandom.Instance.GetBytes(length);

    public Task<Model.ObjectRecord> PutAsync(string bucket, string key, byte[] data, EncryptionRequest? encryption = null,
        string? contentMd5 = null, IReadOnlyDictionary<string, string>? checksums = null, long expectedLength = -1)
        => Layer.PutObjectAsync(new PutObjectInput(bucket, key, encryption ?? EncryptionRequest.Default, new Dictionary<string, string>(),
            new Dictionary<string, string>(), new Dictionary<string, string>(), contentMd5, checksums?.Keys.ToList() ?? [],
            () => checksums ?? new Dictionary<string, string>(), expectedLength), new MemoryStream(data), CancellationToken.None);

    public async Task<byte[]> GetAsync(string bucket, string key, long start = 0, long end = -1, byte[]? customerKey = null)
    {
        var record = Layer.HeadObject(bucket, key);
        var read = await Layer.ReadAsync(record, start, end < 0 ? record.Size : end, customerKey, CancellationToken.None);
        await using var content = read.Content;
        using var result = new MemoryStream();
        await content.CopyToAsync(result);
        return result.ToArray();
    }

    public void Dispose()
    {
        (Blobs as IDisposable)?.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { System.IO.Directory.Delete(Directory, true); } catch (IOException) { }
    }
}

/// <summary>A clock tests move by hand.</summary>
public sealed class ManualTime(DateTimeOffset start) : TimeProvider
{
    private DateTimeOffset _now = start;
    public override DateTimeOffset GetUtcNow() => _now;
    public void Advance(TimeSpan by) => _now += by;
}
