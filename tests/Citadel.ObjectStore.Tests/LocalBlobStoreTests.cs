using Citadel.ObjectStore.Blobs;

namespace Citadel.ObjectStore.Tests;

public sealed class LocalBlobStoreTests : BlobStoreContract, IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "citadel-blobs-" + Guid.NewGuid().ToString("N"));
    private readonly LocalBlobStore _store;

    public LocalBlobStoreTests() => _store = new LocalBlobStore(_root);

    protected override IBlobStore Store => _store;

    protected override Task<IReadOnlyList<string>> LeftoversAsync()
        => Task.FromResult<IReadOnlyList<string>>(Directory.EnumerateFiles(_root, "*.partial", SearchOption.AllDirectories).ToList());

    [Fact]
    public void Temporary_files_of_interrupted_writes_are_removed_at_start()
    {
        var partial = Path.Combine(_root, "ab", "cd", "abcd1234.0123abcd.partial");
        Directory.CreateDirectory(Path.GetDirectoryName(partial)!);
        File.WriteAllBytes(partial, [1, 2, 3]);
        _ = new LocalBlobStore(_root);
        Assert.False(File.Exists(partial));
    }

    public void Dispose()
    {
        try { Directory.Delete(_root, true); } catch (IOException) { }
    }
}
