using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Text.Json;

namespace Citadel.Compatibility.Tests;

/// <summary>
/// Trails end to end on a real server, delivering into its own S3: the AWS CLIs create the bucket and the trail,
/// KMS calls are made, <c>citadel audit flush</c> delivers, and the AWS CLI's own <c>aws cloudtrail validate-logs</c>
/// (v1, pointed at Citadel for CloudTrail and S3 with AWS_ENDPOINT_URL) validates the files; after a log file is
/// modified or deleted it reports exactly that.
/// </summary>
public sealed class TrailDeliveryEndToEndTests : IAsyncLifetime
{
    private const string Bucket = "trail-bucket";
    private readonly CitadelProcess _server = new();

    public Task InitializeAsync() => _server.StartAsync();

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _server.DeleteData();
    }

    private static JsonElement Json(Clients.CliResult result)
    {
        Assert.True(result.ExitCode == 0, result.StdOut + result.StdErr);
        using var document = JsonDocument.Parse(result.StdOut);
        return document.RootElement.Clone();
    }

    /// <summary>
    /// A bucket and a logging trail "audit" into it (prefix "org", log file validation on), one KMS Encrypt, and
    /// <c>citadel audit flush</c> so its log file and a digest are delivered now; returns the trail's ARN.
    /// </summary>
    private async Task<string> LoggingTrailWithOneEncryptDeliveredAsync()
    {
        Assert.Equal(0, (await Clients.Aws(_server, 1, "s3", "mb", $"s3://{Bucket}")).ExitCode);
        var created = Json(await Clients.Aws(_server, 2, "cloudtrail", "create-trail", "--name", "audit", "--s3-bucket-name", Bucket,
            "--s3-key-prefix", "org", "--enable-log-file-validation"));
        Assert.Equal(0, (await Clients.Aws(_server, 1, "cloudtrail", "start-logging", "--name", "audit")).ExitCode);
        var key = Json(await Clients.Aws(_server, 2, "kms", "create-key")).GetProperty("KeyMetadata").GetProperty("KeyId").GetString()!;
        Json(await Clients.Aws(_server, 2, "kms", "encrypt", "--key-id", key, "--plaintext", "aGVsbG8="));

        var flush = await CliProcess.RunAsync(new Dictionary<string, string>
        {
            ["AWS_ACCESS_KEY_ID"] = CitadelProcess.AccessKeyId,
            ["AWS_SECRET_ACCESS_KEY"] = CitadelProcess.SecretAccessKey,
        }, "audit", "flush", "--data", _server.DataDirectory, "--endpoint", _server.Endpoint);
        Assert.True(flush.ExitCode == 0, flush.Output);
        return created.GetProperty("TrailARN").GetString()!;
    }

    private Task<Clients.CliResult> ValidateLogs(string arn, DateTimeOffset start)
        => Clients.Aws(_server, 1, new Dictionary<string, string> { ["AWS_ENDPOINT_URL"] = _server.Endpoint },
            "cloudtrail", "validate-logs", "--trail-arn", arn, "--start-time", start.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture), "--verbose");

    [Fact]
    public async Task A_trail_delivers_into_citadel_s3_and_validate_logs_accepts_then_catches_tampering()
    {
        var started = DateTimeOffset.UtcNow.AddMinutes(-1);
        var missing = await Clients.Aws(_server, 2, "cloudtrail", "create-trail", "--name", "audit", "--s3-bucket-name", Bucket);
        Assert.NotEqual(0, missing.ExitCode);
        Assert.Contains("(S3BucketDoesNotExistException)", missing.StdErr, StringComparison.Ordinal);

        var arn = await LoggingTrailWithOneEncryptDeliveredAsync();

        // The files are objects of the bucket, encrypted at rest like every other, with CloudTrail's layout and metadata.
        var listed = Json(await Clients.Aws(_server, 2, "s3api", "list-objects-v2", "--bucket", Bucket, "--prefix", "org/AWSLogs/000000000000/"));
        var keys = listed.GetProperty("Contents").EnumerateArray().Select(o => o.GetProperty("Key").GetString()!).ToList();
        var log = Assert.Single(keys, k => k.Contains("/CloudTrail/us-east-1/", StringComparison.Ordinal));
        var digest = Assert.Single(keys, k => k.Contains("/CloudTrail-Digest/us-east-1/", StringComparison.Ordinal));
        var head = Json(await Clients.Aws(_server, 2, "s3api", "head-object", "--bucket", Bucket, "--key", digest));
        Assert.Equal("SHA256withRSA", head.GetProperty("Metadata").GetProperty("signature-algorithm").GetString());
        Assert.Equal("AES256", head.GetProperty("ServerSideEncryption").GetString());
        var downloaded = Path.Combine(_server.DataDirectory, "log.json.gz");
        Assert.Equal(0, (await Clients.Aws(_server, 2, "s3api", "get-object", "--bucket", Bucket, "--key", log, downloaded)).ExitCode);
        using (var gzip = new GZipStream(File.OpenRead(downloaded), CompressionMode.Decompress))
        using (var records = await JsonDocument.ParseAsync(gzip))
            Assert.Contains(records.RootElement.GetProperty("Records").EnumerateArray(), r => r.GetProperty("eventName").GetString() == "Encrypt");

        var valid = await ValidateLogs(arn, started);
        Assert.True(valid.ExitCode == 0, valid.StdOut + valid.StdErr);
        Assert.Contains($"Digest file\ts3://{Bucket}/{digest}\tvalid", valid.StdOut, StringComparison.Ordinal);
        Assert.Contains($"Log file\ts3://{Bucket}/{log}\tvalid", valid.StdOut, StringComparison.Ordinal);
        Assert.Contains("1/1 digest files valid", valid.StdOut, StringComparison.Ordinal);
        Assert.Contains("1/1 log files valid", valid.StdOut, StringComparison.Ordinal);

        // A modified log file, then a deleted one: validate-logs reports exactly that file.
        var forged = Path.Combine(_server.DataDirectory, "forged.json.gz");
        await using (var output = new GZipStream(File.Create(forged), CompressionLevel.Optimal))
            await output.WriteAsync("""{"Records":[]}"""u8.ToArray());
        Assert.Equal(0, (await Clients.Aws(_server, 1, "s3", "cp", forged, $"s3://{Bucket}/{log}", "--content-encoding", "gzip")).ExitCode);
        var modified = await ValidateLogs(arn, started);
        Assert.Contains($"Log file\ts3://{Bucket}/{log}\tINVALID: hash value doesn't match", modified.StdOut + modified.StdErr, StringComparison.Ordinal);
        Assert.Contains("0/1 log files valid, 1/1 log files INVALID", modified.StdOut, StringComparison.Ordinal);
        Assert.Equal(0, (await Clients.Aws(_server, 1, "s3", "rm", $"s3://{Bucket}/{log}")).ExitCode);
        var deleted = await ValidateLogs(arn, started);
        Assert.Contains($"Log file\ts3://{Bucket}/{log}\tINVALID: not found", deleted.StdOut + deleted.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Audit_verify_checks_a_synced_copy_of_the_bucket_offline_and_names_a_modified_log_file()
    {
        await LoggingTrailWithOneEncryptDeliveredAsync();
        var copy = Path.Combine(_server.DataDirectory, "bucket-copy");
        Assert.Equal(0, (await Clients.Aws(_server, 1, "s3", "sync", $"s3://{Bucket}", copy)).ExitCode);

        // The server still runs: the keys are read from its database without writing to it.
        var ok = await CliProcess.RunAsync(null, "audit", "verify", "--data", _server.DataDirectory, "--trail-files", copy, "--prefix", "org");
        Assert.True(ok.ExitCode == 0, ok.Output);
        Assert.Contains("hash chain intact", ok.Output, StringComparison.Ordinal);
        // The copy's newest digest is the trail's last delivered one: checked against the data directory's delivery record.
        Assert.DoesNotContain("not checkable", ok.Output, StringComparison.Ordinal);
        Assert.Contains("OK: 1/1 digest files valid, 1/1 log files valid", ok.Output, StringComparison.Ordinal);

        var log = Directory.EnumerateFiles(Path.Combine(copy, "org"), "*.json.gz", SearchOption.AllDirectories).Single(f => f.Contains("/CloudTrail/", StringComparison.Ordinal));
        await using (var output = new GZipStream(File.Create(log), CompressionLevel.Optimal))
            await output.WriteAsync("""{"Records":[]}"""u8.ToArray());
        var modified = await CliProcess.RunAsync(null, "audit", "verify", "--data", _server.DataDirectory, "--trail-files", copy);
        Assert.Equal(1, modified.ExitCode);
        Assert.Contains($"Log file\t{Path.GetRelativePath(copy, log)}\tINVALID: modified", modified.Output, StringComparison.Ordinal);
        Assert.Contains("INVALID: 1/1 digest files valid, 0/1 log files valid", modified.Output, StringComparison.Ordinal);

        // The forger records the forged log file's hash in the (only, so newest) digest: offline, only the data
        // directory's record of that digest tells.
        var digest = Directory.EnumerateFiles(Path.Combine(copy, "org"), "*.json.gz", SearchOption.AllDirectories).Single(f => f.Contains("/CloudTrail-Digest/", StringComparison.Ordinal));
        var digestText = Encoding.UTF8.GetString(Citadel.Audit.Trails.TrailFiles.Gunzip(await File.ReadAllBytesAsync(digest)));
        var forgedHash = Citadel.Audit.Trails.TrailFiles.Sha256Hex(Citadel.Audit.Trails.TrailFiles.Gunzip(await File.ReadAllBytesAsync(log)));
        var recordedHash = JsonDocument.Parse(digestText).RootElement.GetProperty("logFiles")[0].GetProperty("hashValue").GetString()!;
        await File.WriteAllBytesAsync(digest, Citadel.Audit.Trails.TrailFiles.Gzip(Encoding.UTF8.GetBytes(digestText.Replace(recordedHash, forgedHash, StringComparison.Ordinal))));
        var forgedDigest = await CliProcess.RunAsync(null, "audit", "verify", "--data", _server.DataDirectory, "--trail-files", copy);
        Assert.Equal(1, forgedDigest.ExitCode);
        Assert.Contains($"Digest file\t{Path.GetRelativePath(copy, digest)}\tINVALID: modified", forgedDigest.Output, StringComparison.Ordinal);
        Assert.Contains($"Digest file\t{Path.GetRelativePath(copy, digest)}\tINVALID: bad signature", forgedDigest.Output, StringComparison.Ordinal);
        Assert.Contains("INVALID: 0/1 digest files valid, 1/1 log files valid", forgedDigest.Output, StringComparison.Ordinal);
    }
}
