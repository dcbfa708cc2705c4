namespace Citadel.Storage;

/// <summary>
/// Owner-only permissions for everything Citadel keeps in its data directory: directories 0700, files 0600. Files
/// and directories are created with these modes (not created with the umask's and tightened afterwards), so there
/// is no moment at which another user could open them; the tightening helpers repair what older versions created.
/// </summary>
public static class FilePermissions
{
    /// <summary>rwx for the owner only (0700), for directories.</summary>
    public const UnixFileMode OwnerOnlyDirectory = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    /// <summary>rw for the owner only (0600), for files.</summary>
    public const UnixFileMode OwnerOnlyFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>Makes a file readable and writable by its owner only (0600), if it exists.</summary>
    public static void RestrictToOwner(string path)
    {
        if (!OperatingSystem.IsWindows() && File.Exists(path))
            File.SetUnixFileMode(path, OwnerOnlyFile);
    }

    /// <summary>
    /// Creates a directory accessible by its owner only (0700), with any missing parents (0700 too), or tightens an
    /// existing one.
    /// </summary>
    public static void CreatePrivateDirectory(string path)
    {
        EnsurePrivateDirectory(path);
        RestrictDirectoryToOwner(path);
    }

    /// <summary>
    /// Creates a directory and any missing parents owner-only (0700); an existing one is left as it is. For paths
    /// created often (the blob store's fan-out), where tightening each time would cost a system call per write.
    /// </summary>
    public static void EnsurePrivateDirectory(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path);
            return;
        }
        if (Directory.Exists(path)) return;
        // Directory.CreateDirectory gives its mode to the last directory only: missing parents are made one by one.
        if (Path.GetDirectoryName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(path))) is { } parent) EnsurePrivateDirectory(parent);
        Directory.CreateDirectory(path, OwnerOnlyDirectory);
    }

    /// <summary>Removes group and other permissions from an existing directory (0700).</summary>
    public static void RestrictDirectoryToOwner(string path)
    {
        if (OperatingSystem.IsWindows() || !Directory.Exists(path)) return;
        if (File.GetUnixFileMode(path) != OwnerOnlyDirectory) File.SetUnixFileMode(path, OwnerOnlyDirectory);
    }

    /// <summary>Options that create a file owner-only (0600) when it does not exist yet.</summary>
    public static FileStreamOptions OwnerOnly(FileStreamOptions options)
    {
        if (!OperatingSystem.IsWindows() && options.Mode is not (FileMode.Open or FileMode.Truncate)) options.UnixCreateMode = OwnerOnlyFile;
        return options;
    }

    /// <summary>
    /// Writes a file durably and atomically with owner-only permissions: temp file, fsync, rename. For secrets, and for
    /// anything else of the data directory (certificates too: nobody but the server's user reads it there).
    /// </summary>
    public static void WriteSecretFile(string path, ReadOnlySpan<byte> content)
    {
        var temp = path + ".tmp-" + Guid.NewGuid().ToString("N");
        using (var stream = new FileStream(temp, OwnerOnly(new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write })))
        {
            stream.Write(content);
            stream.Flush(flushToDisk: true);
        }
        File.Move(temp, path, overwrite: true);
    }
}
