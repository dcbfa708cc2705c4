using System.Text.Json;
using Citadel.Audit.Tests.Trails;
using Citadel.Audit.Trails;
using Citadel.Server.Hosting;
using Microsoft.Extensions.Configuration;

namespace Citadel.Compatibility.Tests;

/// <summary>
/// Trails end to end on a real server (in this process, so it can be given a directory as its object store, which
/// this branch does not have yet): the AWS CLIs create and configure a trail, KMS calls are made, <c>citadel audit
/// flush</c> delivers, and the AWS CLI's own <c>validate-logs</c> validates the files, asking the server itself for
/// the trail and its public keys (only S3 is served from the directory).
/// </summary>
public sealed class TrailDeliveryEndToEndTests : IAsyncLifetime
{
    private const string Bucket = "trail-bucket";
    private readonly string _data = Path.Combine(Path.GetTempPath(), "citadel-trails-e2e-" + Guid.NewGuid().ToString("N"));
    private readonly DirectoryObjectSink _sink = new(Path.Combine(Path.GetTempPath(), "citadel-trails-s3-" + Guid.NewGuid().ToString("N")));
    private CitadelServer _server = null!;
    private CitadelProcess _address = null!;

    public async Task InitializeAsync()
    {
        var port = CitadelProcess.FreePort();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Citadel:DataDirectory"] = _data,
            ["Citadel:Listen"] = $"127.0.0.1:{port}",
            ["Citadel:RootAccessKeyId"] = CitadelProcess.AccessKeyId,
            ["Citadel:RootSecretAccessKey"] = CitadelProcess.SecretAccessKey,
            ["Logging:LogLevel:Default"] = "Warning",
        }).Build();
        _server = await CitadelServer.CreateAsync(configuration, TextWriter.Null, _sink);
        await _server.StartAsync();
        // Not started: only the endpoint, CA bundle and data directory the clients need.
        _address = new CitadelProcess(_data, http: false, port);
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        foreach (var directory in new[] { _data, _sink.Root })
        {
            try { Directory.Delete(directory, true); } catch (IOException) { }
        }
    }

    private static JsonElement Json(Clients.CliResult result)
    {
        Assert.True(result.ExitCode == 0, result.StdOut + result.StdErr);
        using var document = JsonDocument.Parse(result.StdOut);
        return document.RootElement.Clone();
    }

    [Fact]
    public async Task ATrailDeliversFilesThatValidateLogsAccepts()
    {
        var started = DateTimeOffset.UtcNow.AddMinutes(-1);
        var missing = await Clients.Aws(_address, 2, "cloudtrail", "create-trail", "--name", "audit", "--s3-bucket-name", Bucket);
        Assert.NotEqual(0, missing.ExitCode);
        Assert.Contains("(S3BucketDoesNotExistException)", missing.StdErr, StringComparison.Ordinal);

        _sink.CreateBucket(Bucket);
        var created = Json(await Clients.Aws(_address, 2, "cloudtrail", "create-trail", "--name", "audit", "--s3-bucket-name", Bucket,
            "--s3-key-prefix", "org", "--enable-log-file-validation", "--tags-list", "Key=team,Value=security"));
        var arn = created.GetProperty("TrailARN").GetString()!;
        Assert.Equal("arn:aws:cloudtrail:us-east-1:000000000000:trail/audit", arn);
        Assert.True(created.GetProperty("LogFileValidationEnabled").GetBoolean());
        Assert.Equal(0, (await Clients.Aws(_address, 1, "cloudtrail", "start-logging", "--name", "audit")).ExitCode);
        Json(await Clients.Aws(_address, 2, "cloudtrail", "put-event-selectors", "--trail-name", "audit", "--event-selectors", """[{"ReadWriteType":"WriteOnly"}]"""));
        var key = Json(await Clients.Aws(_address, 2, "kms", "create-key")).GetProperty("KeyMetadata").GetProperty("KeyId").GetString()!;
        Json(await Clients.Aws(_address, 2, "kms", "encrypt", "--key-id", key, "--plaintext", "aGVsbG8="));

        var flush = await CliProcess.RunAsync(new Dictionary<string, string>
        {
            ["AWS_ACCESS_KEY_ID"] = CitadelProcess.AccessKeyId,
            ["AWS_SECRET_ACCESS_KEY"] = CitadelProcess.SecretAccessKey,
        }, "audit", "flush", "--data", _data, "--endpoint", _address.Endpoint);
        Assert.True(flush.ExitCode == 0, flush.Output);
        Assert.Contains("audit: 1 log file delivered, digest org/AWSLogs/000000000000/CloudTrail-Digest/us-east-1/", flush.Output, StringComparison.Ordinal);

        // Write events only: StartLogging (recorded under the default selectors), PutEventSelectors, CreateKey; not Encrypt.
        var log = Assert.Single(_sink.Keys(Bucket, "org/AWSLogs/000000000000/CloudTrail/"));
        using (var records = JsonDocument.Parse(TrailFiles.Gunzip(_sink.Read(Bucket, log))))
            Assert.Equal(["StartLogging", "PutEventSelectors", "CreateKey"], records.RootElement.GetProperty("Records").EnumerateArray().Select(r => r.GetProperty("eventName").GetString()));

        var status = Json(await Clients.Aws(_address, 1, "cloudtrail", "get-trail-status", "--name", arn));
        Assert.True(status.GetProperty("IsLogging").GetBoolean());
        Assert.True(status.TryGetProperty("LatestDeliveryTime", out _));
        Assert.True(status.TryGetProperty("LatestDigestDeliveryTime", out _));
        var trail = Assert.Single(Json(await Clients.Aws(_address, 2, "cloudtrail", "describe-trails")).GetProperty("trailList").EnumerateArray().ToList());
        Assert.Equal(("org", "us-east-1", true), (trail.GetProperty("S3KeyPrefix").GetString(), trail.GetProperty("HomeRegion").GetString(), trail.GetProperty("HasCustomEventSelectors").GetBoolean()));
        var tags = Json(await Clients.Aws(_address, 2, "cloudtrail", "list-tags", "--resource-id-list", arn)).GetProperty("ResourceTagList")[0].GetProperty("TagsList")[0];
        Assert.Equal(("team", "security"), (tags.GetProperty("Key").GetString(), tags.GetProperty("Value").GetString()));
        var publicKey = Assert.Single(Json(await Clients.Aws(_address, 2, "cloudtrail", "list-public-keys")).GetProperty("PublicKeyList").EnumerateArray().ToList());
        var digest = Assert.Single(_sink.Keys(Bucket, "org/AWSLogs/000000000000/CloudTrail-Digest/"));
        using (var digestJson = JsonDocument.Parse(TrailFiles.Gunzip(_sink.Read(Bucket, digest))))
            Assert.Equal(publicKey.GetProperty("Fingerprint").GetString(), digestJson.RootElement.GetProperty("digestPublicKeyFingerprint").GetString());

        var validation = await Clients.PythonScript(_address, Path.Combine(AppContext.BaseDirectory, "Trails", "validate_logs.py"),
            "--objects", _sink.Root, "--endpoint-url", _address.Endpoint, "--trail-arn", arn, "--start-time", started.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture), "--verbose");
        Assert.True(validation.ExitCode == 0, validation.StdOut + validation.StdErr);
        Assert.Contains($"Digest file\ts3://{Bucket}/{digest}\tvalid", validation.StdOut, StringComparison.Ordinal);
        Assert.Contains($"Log file\ts3://{Bucket}/{log}\tvalid", validation.StdOut, StringComparison.Ordinal);
        Assert.Contains("1/1 digest files valid", validation.StdOut, StringComparison.Ordinal);
        Assert.Contains("1/1 log files valid", validation.StdOut, StringComparison.Ordinal);
    }
}
