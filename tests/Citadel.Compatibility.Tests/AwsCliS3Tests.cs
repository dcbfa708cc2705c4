using System.Security.Cryptography;
using System.Text.Json;

namespace Citadel.Compatibility.Tests;

/// <summary>The AWS CLI's s3 commands (cp, sync, ls, rm) and s3api, v1 and v2, against Citadel's S3.</summary>
[Collection("citadel")]
public sealed class AwsCliS3Tests(CitadelFixture fixture) : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("citadel-cli-s3-").FullName;

    public static TheoryData<int> Versions => new() { 1, 2 };

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private async Task<string> Aws(int version, params string[] args)
    {
        var result = await Clients.Aws(fixture.Server, version, args);
        Assert.True(result.ExitCode == 0, $"aws v{version} {string.Join(' ', args)} exited {result.ExitCode}\n{result.StdOut}\n{result.StdErr}");
        return result.StdOut;
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public async Task Cp_sync_ls_and_rm_round_trip_small_and_multipart_files_in_every_mode(int version)
    {
        var bucket = $"cli{version}-" + Guid.NewGuid().ToString("N")[..16];
        await Aws(version, "s3", "mb", $"s3://{bucket}");
        var source = Directory.CreateDirectory(Path.Combine(_directory, "src")).FullName;
        var small = RandomNumberGenerator.GetBytes(10_000);
        var large = RandomNumberGenerator.GetBytes(9 * 1024 * 1024);
        await File.WriteAllBytesAsync(Path.Combine(source, "small.bin"), small);
        await File.WriteAllBytesAsync(Path.Combine(source, "large.bin"), large);
        Directory.CreateDirectory(Path.Combine(source, "nested"));
        await File.WriteAllTextAsync(Path.Combine(source, "nested", "note.txt"), "hello from the cli");

        await Aws(version, "s3", "sync", source, $"s3://{bucket}/tree", "--only-show-errors");
        var listing = await Aws(version, "s3", "ls", $"s3://{bucket}/tree/", "--recursive");
        foreach (var name in new[] { "tree/small.bin", "tree/large.bin", "tree/nested/note.txt" }) Assert.Contains(name, listing, StringComparison.Ordinal);

        var key = JsonDocument.Parse(await Aws(version, "kms", "create-key")).RootElement.GetProperty("KeyMetadata").GetProperty("Arn").GetString()!;
        await Aws(version, "s3", "cp", Path.Combine(source, "large.bin"), $"s3://{bucket}/kms/large.bin", "--sse", "aws:kms", "--sse-kms-key-id", key, "--only-show-errors");
        var customerKeyFile = Path.Combine(_directory, "customer.key");
        await File.WriteAllBytesAsync(customerKeyFile, RandomNumberGenerator.GetBytes(32));
        await Aws(version, "s3", "cp", Path.Combine(source, "large.bin"), $"s3://{bucket}/ssec/large.bin", "--sse-c", "AES256", "--sse-c-key", "fileb://" + customerKeyFile, "--only-show-errors");

        var target = Directory.CreateDirectory(Path.Combine(_directory, "dst")).FullName;
        await Aws(version, "s3", "sync", $"s3://{bucket}/tree", target, "--only-show-errors");
        Assert.Equal(small, await File.ReadAllBytesAsync(Path.Combine(target, "small.bin")));
        Assert.Equal(large, await File.ReadAllBytesAsync(Path.Combine(target, "large.bin")));
        Assert.Equal("hello from the cli", await File.ReadAllTextAsync(Path.Combine(target, "nested", "note.txt")));
        await Aws(version, "s3", "cp", $"s3://{bucket}/kms/large.bin", Path.Combine(target, "kms.bin"), "--only-show-errors");
        Assert.Equal(large, await File.ReadAllBytesAsync(Path.Combine(target, "kms.bin")));
        await Aws(version, "s3", "cp", $"s3://{bucket}/ssec/large.bin", Path.Combine(target, "ssec.bin"), "--sse-c", "AES256", "--sse-c-key", "fileb://" + customerKeyFile, "--only-show-errors");
        Assert.Equal(large, await File.ReadAllBytesAsync(Path.Combine(target, "ssec.bin")));

        var head = JsonDocument.Parse(await Aws(version, "s3api", "head-object", "--bucket", bucket, "--key", "kms/large.bin")).RootElement;
        Assert.Equal("aws:kms", head.GetProperty("ServerSideEncryption").GetString());
        Assert.Equal(key, head.GetProperty("SSEKMSKeyId").GetString());
        Assert.EndsWith("-2\"", head.GetProperty("ETag").GetString(), StringComparison.Ordinal);

        await Aws(version, "s3", "rm", $"s3://{bucket}", "--recursive", "--only-show-errors");
        Assert.DoesNotContain("large.bin", await Aws(version, "s3", "ls", $"s3://{bucket}", "--recursive"), StringComparison.Ordinal);
        await Aws(version, "s3", "rb", $"s3://{bucket}");
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public async Task S3api_object_and_bucket_calls(int version)
    {
        var bucket = $"api{version}-" + Guid.NewGuid().ToString("N")[..16];
        await Aws(version, "s3api", "create-bucket", "--bucket", bucket);
        var file = Path.Combine(_directory, "body.bin");
        var body = RandomNumberGenerator.GetBytes(40_000);
        await File.WriteAllBytesAsync(file, body);
        var put = JsonDocument.Parse(await Aws(version, "s3api", "put-object", "--bucket", bucket, "--key", "k", "--body", file,
            "--metadata", "team=platform", "--content-type", "application/x-citadel")).RootElement;
        Assert.Equal("AES256", put.GetProperty("ServerSideEncryption").GetString());
        var location = JsonDocument.Parse(await Aws(version, "s3api", "get-bucket-location", "--bucket", bucket)).RootElement;
        Assert.Equal(JsonValueKind.Null, location.GetProperty("LocationConstraint").ValueKind);
        var output = Path.Combine(_directory, "range.bin");
        var get = JsonDocument.Parse(await Aws(version, "s3api", "get-object", "--bucket", bucket, "--key", "k", "--range", "bytes=16380-16390", output)).RootElement;
        Assert.Equal("bytes 16380-16390/40000", get.GetProperty("ContentRange").GetString());
        Assert.Equal(body[16380..16391], await File.ReadAllBytesAsync(output));
        var head = JsonDocument.Parse(await Aws(version, "s3api", "head-object", "--bucket", bucket, "--key", "k")).RootElement;
        Assert.Equal("platform", head.GetProperty("Metadata").GetProperty("team").GetString());
        Assert.Equal("application/x-citadel", head.GetProperty("ContentType").GetString());
        await Aws(version, "s3api", "copy-object", "--bucket", bucket, "--key", "k2", "--copy-source", $"{bucket}/k", "--server-side-encryption", "aws:kms");
        var copied = JsonDocument.Parse(await Aws(version, "s3api", "head-object", "--bucket", bucket, "--key", "k2")).RootElement;
        Assert.Equal("aws:kms", copied.GetProperty("ServerSideEncryption").GetString());
        var list = JsonDocument.Parse(await Aws(version, "s3api", "list-objects-v2", "--bucket", bucket)).RootElement;
        Assert.Equal(["k", "k2"], list.GetProperty("Contents").EnumerateArray().Select(o => o.GetProperty("Key").GetString()));
        var missing = await Clients.Aws(fixture.Server, version, "s3api", "get-object", "--bucket", bucket, "--key", "nope", output);
        Assert.NotEqual(0, missing.ExitCode);
        Assert.Contains("NoSuchKey", missing.StdErr, StringComparison.Ordinal);
        await Aws(version, "s3api", "delete-object", "--bucket", bucket, "--key", "k");
        await Aws(version, "s3api", "delete-object", "--bucket", bucket, "--key", "k2");
        await Aws(version, "s3api", "delete-bucket", "--bucket", bucket);
    }
}
