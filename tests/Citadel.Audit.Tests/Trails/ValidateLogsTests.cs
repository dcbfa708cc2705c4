using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Citadel.Audit.Trails;
using Citadel.Audit.Trails.Operations;

namespace Citadel.Audit.Tests.Trails;

/// <summary>
/// The delivered files against the AWS CLI's own verifier: <c>aws cloudtrail validate-logs</c> (awscli v1 of the
/// machine's Python) run through validate_logs.py, which serves S3 from the sink's directory and answers
/// DescribeTrails and ListPublicKeys from what this trail's operations return. Three and a half hours of delivery,
/// with a signing key rotation inside, must validate; a changed or deleted file must be reported as validate-logs
/// reports it.
/// </summary>
public sealed class ValidateLogsTests : IAsyncLifetime
{
    private const string Arn = "arn:aws:cloudtrail:us-east-1:111122223333:trail/audit";
    private TrailHarness _h = null!;

    public enum Tampering { ModifiedLogFile, DeletedLogFile, DeletedDigest, ModifiedDigest }

    public Task InitializeAsync()
    {
        // Keys that live two hours, so the validated range spans two keys.
        _h = new TrailHarness(new TrailSettings(TrailHarness.Account, TrailHarness.Region, "aws") { SigningKeyLifetime = TimeSpan.FromHours(2) });
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _h.DisposeAsync();

    /// <summary>Delivers 3.5 hours of a trail: an event every 10 minutes, a delivery tick every 5, digests hourly.</summary>
    private async Task DeliverAsync()
    {
        await _h.CreateLoggingTrail(prefix: "org");
        for (var minute = 1; minute <= 210; minute++)
        {
            _h.Time.Advance(TimeSpan.FromMinutes(1));
            if (minute % 10 == 3) await _h.Record(minute % 20 == 3 ? "Encrypt" : "CreateKey");
            if (minute % 5 == 0)
            {
                var outcome = Assert.Single(await _h.Tick());
                Assert.Null(outcome.LogError);
                Assert.Null(outcome.DigestError);
            }
        }
    }

    private async Task<(int ExitCode, string StdOut, string StdErr)> ValidateLogsAsync()
    {
        var trail = (await _h.Run<GetTrailResponse>("GetTrail", new GetTrailRequest { Name = "audit" })).Trail;
        var keys = await _h.Run<ListPublicKeysResponse>("ListPublicKeys", new ListPublicKeysRequest { StartTime = DateTimeOffset.UnixEpoch, EndTime = _h.Time.GetUtcNow().AddDays(1) });
        Assert.Equal(2, keys.PublicKeyList.Count);
        var answers = Path.Combine(_h.Sink.Root, "..", "cloudtrail.json");
        await File.WriteAllTextAsync(answers, JsonSerializer.Serialize(new
        {
            trailList = new[] { new { TrailARN = trail.TrailArn, trail.S3BucketName, trail.S3KeyPrefix, trail.IsOrganizationTrail } },
            // As the AWS CLI's client hands them over: the key base64 (its blob parser keeps wire text), times in epoch seconds.
            PublicKeyList = keys.PublicKeyList.Select(k => new
            {
                Value = Convert.ToBase64String(k.Value),
                ValidityStartTime = k.ValidityStartTime.ToUnixTimeSeconds(),
                ValidityEndTime = k.ValidityEndTime.ToUnixTimeSeconds(),
                k.Fingerprint,
            }),
        }));
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("CITADEL_TEST_PYTHON") ?? "python3")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { Path.Combine(AppContext.BaseDirectory, "Trails", "validate_logs.py"), "--objects", _h.Sink.Root, "--cloudtrail", answers,
                     "--trail-arn", Arn, "--start-time", "2026-11-29T12:00:00Z", "--end-time", "2026-11-29T15:30:00Z", "--verbose" })
            start.ArgumentList.Add(arg);
        start.Environment["AWS_ACCESS_KEY_ID"] = "AKIAVALIDATELOGSTEST";
        start.Environment["AWS_SECRET_ACCESS_KEY"] = "not-used-by-the-fake-clients";
        start.Environment["AWS_DEFAULT_REGION"] = "us-east-1";
        start.Environment["AWS_CONFIG_FILE"] = "/dev/null";
        start.Environment["AWS_SHARED_CREDENTIALS_FILE"] = "/dev/null";
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await stdout, await stderr);
    }

    [Fact]
    public async Task ValidateLogsAcceptsEveryDigestAndLogFile()
    {
        await DeliverAsync();
        var digests = _h.DigestKeys("org/");
        Assert.Equal(3, digests.Count);
        Assert.Equal(21, _h.LogFileKeys("org/").Count);
        // The files of the last half hour wait for the 16:00 digest; validate-logs checks the files digests list.
        var logs = digests.SelectMany(d => _h.Digest(d).GetProperty("logFiles").EnumerateArray()).Select(f => f.GetProperty("s3Object").GetString()!).ToList();
        Assert.Equal(_h.LogFileKeys("org/").Take(18), logs.Order(StringComparer.Ordinal));
        var (exit, stdout, stderr) = await ValidateLogsAsync();
        Assert.True(exit == 0, stdout + stderr);
        Assert.Equal("", stderr);
        Assert.Contains($"Validating log files for trail {Arn} between 2026-11-29T12:00:00Z and 2026-11-29T15:30:00Z", stdout, StringComparison.Ordinal);
        foreach (var digest in digests) Assert.Contains($"Digest file\ts3://{TrailHarness.Bucket}/{digest}\tvalid", stdout, StringComparison.Ordinal);
        foreach (var log in logs) Assert.Contains($"Log file\ts3://{TrailHarness.Bucket}/{log}\tvalid", stdout, StringComparison.Ordinal);
        Assert.Contains("Results found for 2026-11-29T12:00:00Z to 2026-11-29T15:00:00Z:", stdout, StringComparison.Ordinal);
        Assert.Contains("3/3 digest files valid", stdout, StringComparison.Ordinal);
        Assert.Contains("18/18 log files valid", stdout, StringComparison.Ordinal);
        // The digests were signed by two keys (one rotation), both listed.
        Assert.Equal(2, digests.Select(d => _h.Digest(d).GetProperty("digestPublicKeyFingerprint").GetString()).Distinct().Count());
    }

    [Theory]
    [InlineData(Tampering.ModifiedLogFile, "Log file\ts3://audit-bucket/{0}\tINVALID: hash value doesn't match", "17/18 log files valid, 1/18 log files INVALID")]
    [InlineData(Tampering.DeletedLogFile, "Log file\ts3://audit-bucket/{0}\tINVALID: not found", "17/18 log files valid, 1/18 log files INVALID")]
    [InlineData(Tampering.DeletedDigest, "Digest file\ts3://audit-bucket/{0}\tINVALID: not found", "2/3 digest files valid, 1/3 digest files INVALID")]
    [InlineData(Tampering.ModifiedDigest, "Digest file\ts3://audit-bucket/{0}\tINVALID: signature verification failed", "2/3 digest files valid, 1/3 digest files INVALID")]
    public async Task ValidateLogsReportsTampering(Tampering tampering, string message, string summary)
    {
        await DeliverAsync();
        var log = _h.LogFileKeys("org/")[10];
        var digest = _h.DigestKeys("org/")[1];
        string target;
        switch (tampering)
        {
            case Tampering.ModifiedLogFile:
                target = log;
                Rewrite(log, text => text.Replace("\"sourceIPAddress\":\"127.0.0.1\"", "\"sourceIPAddress\":\"10.9.8.7\"", StringComparison.Ordinal));
                break;
            case Tampering.DeletedLogFile:
                target = log;
                _h.Sink.Delete(TrailHarness.Bucket, log);
                break;
            case Tampering.DeletedDigest:
                target = digest;
                _h.Sink.Delete(TrailHarness.Bucket, digest);
                break;
            default:
                target = digest;
                Rewrite(digest, text => text.Replace("\"logFiles\":[{", "\"logFiles\":[{\"note\":\"forged\",", StringComparison.Ordinal));
                break;
        }
        var (exit, stdout, stderr) = await ValidateLogsAsync();
        Assert.Equal(1, exit);
        Assert.Contains(string.Format(System.Globalization.CultureInfo.InvariantCulture, message, target), stderr, StringComparison.Ordinal);
        Assert.Contains(summary, stdout, StringComparison.Ordinal);
    }

    private void Rewrite(string key, Func<string, string> change)
    {
        var text = Encoding.UTF8.GetString(TrailFiles.Gunzip(_h.Sink.Read(TrailHarness.Bucket, key)));
        var changed = change(text);
        Assert.NotEqual(text, changed);
        File.WriteAllBytes(_h.Sink.ObjectPath(TrailHarness.Bucket, key), TrailFiles.Gzip(Encoding.UTF8.GetBytes(changed)));
    }
}
