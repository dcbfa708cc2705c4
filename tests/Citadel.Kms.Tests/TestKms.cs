using Citadel.Crypto;
using Citadel.Kms.Keys;
using Citadel.Storage;

namespace Citadel.Kms.Tests;

/// <summary>A KMS context on a fresh SQLite store in a temp directory, with a controllable clock.</summary>
public sealed class TestKms : IDisposable
{
    public TestKms(int? maxGrantsPerKey = null, Grants.IPrincipalDirectory? principals = null)
    {
        Directory = Path.Combine(Path.GetTempPath(), "citadel-kms-test-" + Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(Directory);
        Store = new SqliteDocumentStore(Path.Combine(Directory, "metadata.db"));
        Root = new RootKeyHolder();
        Root.Unseal(RootKey.Generate());
        Settings = new KmsSettings("111122223333", "us-east-1", "aws") { MaxGrantsPerKey = maxGrantsPerKey ?? 50_000 };
        Keys = new KeyRepository(Store, Root);
        Context = new KmsContext(Settings, Keys, Root, Time, SystemRandom.Instance) { Principals = principals };
    }

    public string Directory { get; }
    public SqliteDocumentStore Store { get; }
    public RootKeyHolder Root { get; }
    public KmsSettings Settings { get; }
    public KeyRepository Keys { get; }
    public ManualTime Time { get; } = new(new DateTimeOffset(2026, 11, 29, 12, 0, 0, TimeSpan.Zero));
    public KmsContext Context { get; }

    /// <summary>Runs an operation by name, as the server does.</summary>
    public async Task<TResponse> Run<TResponse>(string operation, object request)
    {
        var call = new KmsCall(Settings.RootArn, Settings.AccountId);
        return (TResponse)(await KmsOperations.All[operation].ExecuteAsync(Context, call, request, CancellationToken.None))!;
    }

    /// <summary>Runs an operation and returns the KMS error it throws.</summary>
    public async Task<KmsException> Fails(string operation, object request)
        => await Assert.ThrowsAsync<KmsException>(() => Run<object>(operation, request));

    public void Dispose()
    {
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
