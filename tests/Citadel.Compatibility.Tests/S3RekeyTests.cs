using System.Security.Cryptography;
using System.Text.Json;

namespace Citadel.Compatibility.Tests;

/// <summary><c>citadel s3 rekey</c> on a real server: objects written under SSE-S3 end up under the bucket's new SSE-KMS default, readable by the AWS CLI.</summary>
[Collection("citadel")]
public sealed class S3RekeyTests(CitadelFixture fixture) : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("citadel-rekey-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private async Task<string> Aws(params string[] args)
    {
        var result = await Clients.Aws(fixture.Server, 1, args);
        Assert.True(result.ExitCode == 0, result.StdOut + result.StdErr);
        return result.StdOut;
    }

    [Fact]
    public async Task Rekey_moves_existing_objects_under_the_new_default_key_and_the_cli_still_reads_them()
    {
        var bucket = "rekey-" + Guid.NewGuid().ToString("N")[..16];
        await Aws("s3", "mb", $"s3://{bucket}");
        var file = Path.Combine(_directory, "data.bin");
        var data = RandomNumberGenerator.GetBytes(100_000);
        await File.WriteAllBytesAsync(file, data);
        foreach (var key in new[] { "one", "two", "dir/three" }) await Aws("s3", "cp", file, $"s3://{bucket}/{key}", "--only-show-errors");
        var keyArn = JsonDocument.Parse(await Aws("kms", "create-key")).RootElement.GetProperty("KeyMetadata").GetProperty("Arn").GetString()!;
        await Aws("s3api", "put-bucket-encryption", "--bucket", bucket, "--server-side-encryption-configuration",
            $$$"""{"Rules":[{"ApplyServerSideEncryptionByDefault":{"SSEAlgorithm":"aws:kms","KMSMasterKeyID":"{{{keyArn}}}"}}]}""");

        var rekey = await CliProcess.RunAsync(new Dictionary<string, string>
        {
            ["AWS_ACCESS_KEY_ID"] = CitadelProcess.AccessKeyId,
            ["AWS_SECRET_ACCESS_KEY"] = CitadelProcess.SecretAccessKey,
        }, "s3", "rekey", bucket, "--batch", "2", "--data", fixture.Server.DataDirectory, "--endpoint", fixture.Server.Endpoint);
        Assert.True(rekey.ExitCode == 0, rekey.Output);
        Assert.Contains("3/3 versions", rekey.Output, StringComparison.Ordinal);
        Assert.Contains($"{bucket}: 3 re-encrypted", rekey.Output, StringComparison.Ordinal);

        foreach (var key in new[] { "one", "two", "dir/three" })
        {
            var head = JsonDocument.Parse(await Aws("s3api", "head-object", "--bucket", bucket, "--key", key)).RootElement;
            Assert.Equal(("aws:kms", keyArn), (head.GetProperty("ServerSideEncryption").GetString(), head.GetProperty("SSEKMSKeyId").GetString()));
            var output = Path.Combine(_directory, "out.bin");
            await Aws("s3", "cp", $"s3://{bucket}/{key}", output, "--only-show-errors");
            Assert.Equal(data, await File.ReadAllBytesAsync(output));
        }
    }
}
