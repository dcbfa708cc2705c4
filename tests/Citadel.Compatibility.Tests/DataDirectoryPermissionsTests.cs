using Amazon.KeyManagementService.Model;
using Amazon.S3.Model;

namespace Citadel.Compatibility.Tests;

/// <summary>
/// Everything Citadel creates in its data directory is its user's alone: after a server has started (TLS, so the local
/// CA is written) and served writes to every store (KMS keys, S3 objects in several blob directories, a multipart
/// upload, the audit journal), no directory or file grants anything to group or others, whatever the umask.
/// </summary>
public sealed class DataDirectoryPermissionsTests : IAsyncLifetime
{
    private const UnixFileMode GroupOrOther = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
        | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    private readonly CitadelProcess _server = new();

    public Task InitializeAsync() => _server.StartAsync();

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _server.DeleteData();
    }

    [Fact]
    public async Task No_directory_or_file_of_a_used_data_directory_is_open_to_group_or_others()
    {
        if (OperatingSystem.IsWindows()) return;
        using (var kms = Clients.Kms(_server))
        {
            var key = await kms.CreateKeyAsync(new CreateKeyRequest { Description = "permissions" });
            await kms.EncryptAsync(new EncryptRequest { KeyId = key.KeyMetadata.KeyId, Plaintext = new MemoryStream("secret"u8.ToArray()) });
        }
        using (var s3 = Clients.S3(_server))
        {
            await s3.PutBucketAsync(new PutBucketRequest { BucketName = "permissions" });
            // Blob names start with the time and random bits: several objects fan out into several directories.
            for (var i = 0; i < 5; i++)
                await s3.PutObjectAsync(new PutObjectRequest { BucketName = "permissions", Key = "object-" + i, ContentBody = "data " + i });
            var upload = await s3.InitiateMultipartUploadAsync(new InitiateMultipartUploadRequest { BucketName = "permissions", Key = "parts" });
            await s3.UploadPartAsync(new UploadPartRequest
            {
                BucketName = "permissions",
                Key = "parts",
                UploadId = upload.UploadId,
                PartNumber = 1,
                InputStream = new MemoryStream("part"u8.ToArray()),
            });
        }
        await _server.StopAsync();

        var entries = Directory.EnumerateFileSystemEntries(_server.DataDirectory, "*", SearchOption.AllDirectories).Prepend(_server.DataDirectory).ToList();
        Assert.Contains(entries, e => e.Contains($"{Path.DirectorySeparatorChar}blobs{Path.DirectorySeparatorChar}", StringComparison.Ordinal) && Directory.Exists(e));
        Assert.Contains(entries, e => e.EndsWith("ca.crt", StringComparison.Ordinal));
        var open = entries
            .Select(e => (Path: Path.GetRelativePath(_server.DataDirectory, e), Mode: File.GetUnixFileMode(e)))
            .Where(e => (e.Mode & GroupOrOther) != 0)
            .Select(e => $"{e.Path} {Convert.ToString((int)e.Mode, 8)}")
            .ToList();
        Assert.True(open.Count == 0, "open to group or others:\n" + string.Join("\n", open));
    }
}
