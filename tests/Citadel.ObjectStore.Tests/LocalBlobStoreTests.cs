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

    [Fact]
    public async Task Fan_out_directories_are_owner_only_like_the_root()
    {
        if (OperatingSystem.IsWindows()) return;
        await WriteAsync("0123456789-abcdef", [1, 2, 3]);
        foreach (var directory in new[] { _root, Path.Combine(_root, "01"), Path.Combine(_root, "01", "23") })
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(directory));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(_root, "01", "23", "0123456789-abcdef")));
    }

    [Fact]
    public void Fan_out_directories_an_older_version_left_open_are_tightened_at_start()
    {
        if (OperatingSystem.IsWindows()) return;
        var directory = Path.Combine(_root, "ab", "cd");
        Directory.CreateDirectory(directory);
        File.SetUnixFileMode(Path.Combine(_root, "ab"), (UnixFileMode)Convert.ToInt32("755", 8));
        File.SetUnixFileMode(directory, (UnixFileMode)Convert.ToInt32("755", 8));
        _ = new LocalBlobStore(_root);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(Path.Combine(_root, "ab")));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(directory));
    }

    public void Dispose()
    {
        try { Directory.Delete(_root, true); } catch (IOException) { }
    }
}
