namespace Citadel.Storage;

/// <summary>Owner-only permissions for secrets and databases in the data directory.</summary>
public static class FilePermissions
{
    /// <summary>Makes a file readable and writable by its owner only (0600).</summary>
    public static void RestrictToOwner(string path)
    {
        if (!OperatingSystem.IsWindows() && File.Exists(path))
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }

    /// <summary>Creates a directory accessible by its owner only (0700), or tightens an existing one.</summary>
    public static void CreatePrivateDirectory(string path)
    {
        Directory.CreateDirectory(path);
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    /// <summary>Writes a file durably and atomically with owner-only permissions: temp file, fsync, rename.</summary>
    public static void WriteSecretFile(string path, ReadOnlySpan<byte> content)
    {
        var temp = path + ".tmp-" + Guid.NewGuid().ToString("N");
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using (var stream = new FileStream(temp, options))
        {
            stream.Write(content);
            stream.Flush(flushToDisk: true);
        }
        File.Move(temp, path, overwrite: true);
    }
}
