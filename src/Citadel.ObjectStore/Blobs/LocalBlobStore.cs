using System.Runtime.CompilerServices;
using Citadel.Storage;

namespace Citadel.ObjectStore.Blobs;

/// <summary>
/// The embedded backend: blobs as files under a directory, fanned out by the first two byte pairs of the
/// name. A write goes to a temporary file in the same directory, is fsynced, renamed into place, and the
/// directory is fsynced, so a crash leaves either the whole blob or none of it. Every directory and file is
/// owner-only (0700, 0600), as the rest of the data directory.
/// </summary>
public sealed class LocalBlobStore : IBlobStore
{
    private const string TempSuffix = ".partial";
    private readonly string _root;

    /// <summary>Stores blobs under <paramref name="root"/> (created, owner-only).</summary>
    public LocalBlobStore(string root)
    {
        _root = root;
        FilePermissions.CreatePrivateDirectory(root);
        // Fan-out directories that older versions created with the umask's mode (0755) are tightened.
        foreach (var directory in Directory.EnumerateDirectories(root, "*", SearchOption.AllDirectories))
            FilePermissions.RestrictDirectoryToOwner(directory);
        // Temporary files of writes a crash interrupted are garbage.
        foreach (var partial in Directory.EnumerateFiles(root, "*" + TempSuffix, SearchOption.AllDirectories))
            File.Delete(partial);
    }

    private string PathOf(string name)
    {
        if (!BlobNames.IsWellFormed(name))
            throw new ArgumentException("Blob names are lower-case hex and dashes.", nameof(name));
        return Path.Combine(_root, name[..2], name[2..4], name);
    }

    /// <inheritdoc />
    public async Task<long> WriteAsync(string name, Func<Stream, CancellationToken, Task> produce, CancellationToken cancellationToken)
    {
        var path = PathOf(name);
        var directory = Path.GetDirectoryName(path)!;
        FilePermissions.EnsurePrivateDirectory(directory);
        var temp = path + "." + Guid.NewGuid().ToString("N")[..8] + TempSuffix;
        try
        {
            long length;
            var file = new FileStream(temp, new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                Options = FileOptions.Asynchronous,
                BufferSize = 0,
                UnixCreateMode = FilePermissions.OwnerOnlyFile,
            });
            await using (file.ConfigureAwait(false))
            {
                // Not disposed: disposing a BufferedStream closes the file before it is fsynced.
                var buffered = new BufferedStream(file, 1 << 20);
                await produce(buffered, cancellationToken).ConfigureAwait(false);
                await buffered.FlushAsync(cancellationToken).ConfigureAwait(false);
                file.Flush(flushToDisk: true);
                length = file.Length;
            }
            File.Move(temp, path, overwrite: false);
            DirectorySync.Sync(directory);
            return length;
        }
        catch
        {
            File.Delete(temp);
            throw;
        }
    }

    /// <inheritdoc />
    public Task<Stream> OpenReadAsync(string name, long offset, long length, CancellationToken cancellationToken)
        => Task.FromResult(Open(name, offset, length).Content);

    /// <inheritdoc />
    /// <remarks>The length is the open file's size: no second look-up by path.</remarks>
    public Task<BlobRead> OpenReadWithLengthAsync(string name, long offset, long length, CancellationToken cancellationToken)
        => Task.FromResult(Open(name, offset, length));

    private BlobRead Open(string name, long offset, long length)
    {
        var path = PathOf(name);
        FileStream file;
        try
        {
            file = new FileStream(path, new FileStreamOptions
            {
                Mode = FileMode.Open,
                Access = FileAccess.Read,
                Share = FileShare.Read | FileShare.Delete,
                Options = FileOptions.Asynchronous | FileOptions.SequentialScan,
                BufferSize = 0,
            });
        }
        catch (DirectoryNotFoundException e)
        {
            // No blob was ever written under the name's fan-out directory: as missing as a missing file.
            throw new FileNotFoundException($"Blob {name} does not exist.", path, e);
        }
        file.Seek(offset, SeekOrigin.Begin);
        return new BlobRead(new BoundedStream(file, length), file.Length);
    }

    /// <inheritdoc />
    public Task<long> LengthAsync(string name, CancellationToken cancellationToken)
    {
        var info = new FileInfo(PathOf(name));
        return Task.FromResult(info.Exists ? info.Length : -1);
    }

    /// <inheritdoc />
    public Task DeleteAsync(string name, CancellationToken cancellationToken)
    {
        File.Delete(PathOf(name));
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<string> ListAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        foreach (var file in Directory.EnumerateFiles(_root, "*", SearchOption.AllDirectories))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var name = Path.GetFileName(file);
            if (!name.EndsWith(TempSuffix, StringComparison.Ordinal)) yield return name;
        }
        await Task.CompletedTask.ConfigureAwait(false);
    }
}
