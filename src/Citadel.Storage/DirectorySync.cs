using System.Runtime.InteropServices;

namespace Citadel.Storage;

/// <summary>
/// fsync of a directory, so that a rename or a new file in it survives power loss (POSIX makes the
/// directory entry durable only when the directory itself is synced). .NET has no API for it.
/// </summary>
public static partial class DirectorySync
{
    private const int ReadOnlyDirectory = 0x10000; // O_RDONLY | O_DIRECTORY on Linux

    /// <summary>Flushes <paramref name="directory"/>'s entries to disk; throws <see cref="IOException"/> when the system refuses.</summary>
    public static void Sync(string directory)
    {
        if (!OperatingSystem.IsLinux()) return;
        var fd = Open(directory, ReadOnlyDirectory);
        if (fd < 0) throw new IOException($"Cannot open directory {directory} to sync it (errno {Marshal.GetLastPInvokeError()}).");
        try
        {
            if (Fsync(fd) != 0) throw new IOException($"fsync of directory {directory} failed (errno {Marshal.GetLastPInvokeError()}).");
        }
        finally
        {
            _ = Close(fd);
        }
    }

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int Fsync(int fd);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);
}
