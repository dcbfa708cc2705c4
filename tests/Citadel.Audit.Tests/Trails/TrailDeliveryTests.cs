using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Citadel.Audit.Trails;
using Citadel.Audit.Trails.Operations;

namespace Citadel.Audit.Tests.Trails;

public sealed class TrailDeliveryTests : IAsyncLifetime
{
    private TrailHarness _h = null!;

    public Task InitializeAsync()
    {
        _h = new TrailHarness();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _h.DisposeAsync();

    private List<string> DeliveredEventIds() => _h.LogFileKeys().SelectMany(k => _h.Records(k)).Select(r => r.GetProperty("eventID").GetString()!).ToList();

    [Fact]
    public async Task LogFilesHoldTheSelectedRecordsByteForByteUnderCloudTrailsKeys()
    {
        await _h.Record("Decrypt");
        await _h.CreateLoggingTrail(prefix: "org/security");
        var encrypt = await _h.Record("Encrypt");
        var createUser = await _h.Record("CreateUser", "iam.amazonaws.com");
        var outcome = Assert.Single(await _h.Flush());
        Assert.Null(outcome.LogError);

        var key = Assert.Single(_h.LogFileKeys("org/security/"));
        Assert.Equal(key, Assert.Single(outcome.LogFiles));
        Assert.Matches(new Regex(@"^org/security/AWSLogs/111122223333/CloudTrail/us-east-1/2026/11/29/111122223333_CloudTrail_us-east-1_20261129T1200Z_[A-Za-z0-9]{16}\.json\.gz$"), key);
        // Only what was recorded after StartLogging, and each record exactly as the hash chain covers it.
        Assert.Equal([encrypt.ToJsonString(), createUser.ToJsonString()], _h.Records(key).Select(r => r.GetRawText()));
        var put = _h.Sink.Puts.Single(p => p.Key == key);
        Assert.Equal(("application/json", "gzip"), (put.ContentType, put.ContentEncoding));
        Assert.Empty(put.UserMetadata);

        var status = await _h.Run<GetTrailStatusResponse>("GetTrailStatus", new GetTrailStatusRequest { Name = "audit" });
        Assert.True(status.IsLogging);
        Assert.Equal(_h.Time.GetUtcNow(), status.LatestDeliveryTime);
        Assert.Null(status.LatestDeliveryError);

        // Nothing new: nothing delivered again.
        Assert.Empty(Assert.Single(await _h.Flush()).LogFiles);
    }

    [Fact]
    public async Task SelectorsInForceWhenAnEventWasRecordedDecideWhetherItIsDelivered()
    {
        await _h.CreateLoggingTrail(validation: false);
        await _h.Run<EventSelectorsResponse>("PutEventSelectors", new PutEventSelectorsRequest
        {
            TrailName = "audit",
            EventSelectors = [new EventSelector { ReadWriteType = "WriteOnly", ExcludeManagementEventSources = ["kms.amazonaws.com"] }],
        });
        await _h.Record("Encrypt");                                            // excluded source
        var write = await _h.Record("CreateUser", "iam.amazonaws.com");
        await _h.Record("GetUser", "iam.amazonaws.com", readOnly: true);      // read-only
        await _h.Run<EventSelectorsResponse>("PutEventSelectors", new PutEventSelectorsRequest { TrailName = "audit", EventSelectors = [new EventSelector()] });
        var later = await _h.Record("Encrypt");                                // selected now
        await _h.Run<TrailSummary>("UpdateTrail", new UpdateTrailRequest { Name = "audit", IncludeGlobalServiceEvents = false });
        await _h.Record("CreateRole", "iam.amazonaws.com");                    // global service events left out
        await _h.Run<EventSelectorsResponse>("PutEventSelectors", new PutEventSelectorsRequest
        {
            TrailName = "audit",
            AdvancedEventSelectors = [new AdvancedEventSelector
            {
                FieldSelectors =
                [
                    new AdvancedFieldSelector { Field = "eventCategory", EqualTo = ["Management"] },
                    new AdvancedFieldSelector { Field = "eventName", StartsWith = ["Gen"], NotEquals = ["GenerateRandom"] },
                ],
            }],
        });
        await _h.Record("GenerateRandom");
        var dataKey = await _h.Record("GenerateDataKey");
        await _h.Record("Decrypt");

        await _h.Flush();
        Assert.Equal([write.EventId, later.EventId, dataKey.EventId], DeliveredEventIds());
    }

    [Fact]
    public async Task WhatIsRecordedWhileATrailIsStoppedIsNeverDelivered()
    {
        await _h.CreateLoggingTrail();
        var before = await _h.Record("Encrypt");
        await _h.Run<NoOutput>("StopLogging", new StopLoggingRequest { Name = "audit" });
        await _h.Record("Decrypt");
        await _h.Run<NoOutput>("StartLogging", new StartLoggingRequest { Name = "audit" });
        var after = await _h.Record("Sign");
        await _h.Run<NoOutput>("StopLogging", new StopLoggingRequest { Name = "audit" });
        await _h.Record("Verify");
        await _h.Flush();
        Assert.Equal([before.EventId, after.EventId], DeliveredEventIds());
    }

    [Fact]
    public async Task ASinkFailureLosesNothingAndTheSameFileIsRetried()
    {
        await _h.CreateLoggingTrail();
        var first = await _h.Record("Encrypt");
        _h.Sink.Fail = _ => true;
        var failed = Assert.Single(await _h.Flush());
        Assert.Contains("refused", failed.LogError, StringComparison.Ordinal);
        Assert.Empty(_h.LogFileKeys());
        var status = await _h.Run<GetTrailStatusResponse>("GetTrailStatus", new GetTrailStatusRequest { Name = "audit" });
        Assert.Contains("refused", status.LatestDeliveryError, StringComparison.Ordinal);
        Assert.Null(status.LatestDeliveryTime);
        var attempted = _h.Sink.Attempts.Single(a => a.Key.Contains("/CloudTrail/", StringComparison.Ordinal)).Key;

        _h.Time.Advance(TimeSpan.FromMinutes(7));
        var second = await _h.Record("Decrypt");
        _h.Sink.Fail = null;
        var retried = Assert.Single(await _h.Flush());
        Assert.Null(retried.LogError);
        // The recorded file goes out first, under the key it was given, with only what it held then.
        Assert.Equal(attempted, retried.LogFiles[0]);
        Assert.Equal([first.EventId], _h.Records(attempted).Select(r => r.GetProperty("eventID").GetString()));
        Assert.Equal([second.EventId], _h.Records(retried.LogFiles[1]).Select(r => r.GetProperty("eventID").GetString()));
        Assert.Null((await _h.Run<GetTrailStatusResponse>("GetTrailStatus", new GetTrailStatusRequest { Name = "audit" })).LatestDeliveryError);
    }

    [Fact]
    public async Task AFilePutWhoseAcknowledgementWasLostIsPutAgainIdentically()
    {
        await _h.CreateLoggingTrail();
        await _h.Record("Encrypt");
        await _h.Record("Decrypt");
        _h.Sink.FailAfterWrite = o => o.Key.Contains("/CloudTrail/", StringComparison.Ordinal);
        Assert.NotNull(Assert.Single(await _h.Flush()).LogError);
        var key = Assert.Single(_h.LogFileKeys());
        var firstBytes = TrailFiles.Gunzip(_h.Sink.Read(TrailHarness.Bucket, key));

        _h.Sink.FailAfterWrite = null;
        _h.Time.Advance(TimeSpan.FromMinutes(1));
        var outcome = Assert.Single(await _h.Flush());
        Assert.Equal([key], outcome.LogFiles);
        Assert.Equal([key], _h.LogFileKeys());
        Assert.Equal(firstBytes, TrailFiles.Gunzip(_h.Sink.Read(TrailHarness.Bucket, key)));
        // Digested once: not in the digest of the first run (it was not known to be delivered), in the second's.
        Assert.Equal([key], _h.DigestKeys().SelectMany(d => _h.Digest(d).GetProperty("logFiles").EnumerateArray()).Select(f => f.GetProperty("s3Object").GetString()));
    }

    [Fact]
    public async Task ABacklogIsSplitIntoFilesOfAtMostTheConfiguredRecords()
    {
        await using var h = new TrailHarness(new TrailSettings(TrailHarness.Account, TrailHarness.Region, "aws") { MaxRecordsPerLogFile = 2 });
        await h.CreateLoggingTrail();
        var ids = new List<string>();
        for (var i = 0; i < 5; i++) ids.Add((await h.Record("Encrypt")).EventId);
        var outcome = Assert.Single(await h.Flush());
        Assert.Equal([2, 2, 1], outcome.LogFiles.Select(k => h.Records(k).Count));
        Assert.Equal(ids, outcome.LogFiles.SelectMany(k => h.Records(k)).Select(r => r.GetProperty("eventID").GetString()));
        Assert.Equal(outcome.LogFiles, h.Digest(outcome.Digest!).GetProperty("logFiles").EnumerateArray().Select(f => f.GetProperty("s3Object").GetString()));
    }

    [Fact]
    public async Task DigestsComeEveryHourEvenWithoutActivitySignedAndChained()
    {
        var t0 = _h.Time.GetUtcNow();
        await _h.CreateLoggingTrail();
        var e = await _h.Record("Encrypt");
        _h.Time.Advance(TimeSpan.FromMinutes(5));
        var first = Assert.Single(await _h.Tick());
        Assert.Single(first.LogFiles);
        Assert.Null(first.Digest);

        _h.Time.Advance(TimeSpan.FromMinutes(55));
        var hour1 = Assert.Single(await _h.Tick()).Digest!;
        _h.Time.Advance(TimeSpan.FromMinutes(60));
        var hour2 = Assert.Single(await _h.Tick()).Digest!;
        Assert.Equal([hour1, hour2], _h.DigestKeys());
        Assert.Equal("AWSLogs/111122223333/CloudTrail-Digest/us-east-1/2026/11/29/111122223333_CloudTrail-Digest_us-east-1_audit_us-east-1_20261129T130000Z.json.gz", hour1);

        var d1 = _h.Digest(hour1);
        Assert.Equal(("111122223333", "2026-11-29T12:00:00Z", "2026-11-29T13:00:00Z", TrailHarness.Bucket, hour1, "SHA256withRSA"),
            (d1.GetProperty("awsAccountId").GetString(), d1.GetProperty("digestStartTime").GetString(), d1.GetProperty("digestEndTime").GetString(),
             d1.GetProperty("digestS3Bucket").GetString(), d1.GetProperty("digestS3Object").GetString(), d1.GetProperty("digestSignatureAlgorithm").GetString()));
        foreach (var member in new[] { "previousDigestS3Bucket", "previousDigestS3Object", "previousDigestHashValue", "previousDigestHashAlgorithm", "previousDigestSignature" })
            Assert.Equal(JsonValueKind.Null, d1.GetProperty(member).ValueKind);
        var file = Assert.Single(d1.GetProperty("logFiles").EnumerateArray().ToList());
        var logKey = _h.LogFileKeys().Single();
        Assert.Equal(logKey, file.GetProperty("s3Object").GetString());
        // The hash is over the uncompressed log file, as validate-logs computes it.
        Assert.Equal(TrailFiles.Sha256Hex(TrailFiles.Gunzip(_h.Sink.Read(TrailHarness.Bucket, logKey))), file.GetProperty("hashValue").GetString());
        Assert.Equal(("SHA-256", TrailObjectKeys.Time(e.EventTime)), (file.GetProperty("hashAlgorithm").GetString(), file.GetProperty("oldestEventTime").GetString()));
        Assert.Equal(TrailObjectKeys.Time(e.EventTime), d1.GetProperty("newestEventTime").GetString());

        var d2 = _h.Digest(hour2);
        Assert.Empty(d2.GetProperty("logFiles").EnumerateArray());
        Assert.Equal(JsonValueKind.Null, d2.GetProperty("newestEventTime").ValueKind);
        Assert.Equal(d1.GetProperty("digestEndTime").GetString(), d2.GetProperty("digestStartTime").GetString());
        var meta1 = _h.Sink.UserMetadata(TrailHarness.Bucket, hour1);
        Assert.Equal((TrailHarness.Bucket, hour1, meta1["signature"], "SHA-256"),
            (d2.GetProperty("previousDigestS3Bucket").GetString(), d2.GetProperty("previousDigestS3Object").GetString(), d2.GetProperty("previousDigestSignature").GetString(), d2.GetProperty("previousDigestHashAlgorithm").GetString()));
        Assert.Equal(TrailFiles.Sha256Hex(TrailFiles.Gunzip(_h.Sink.Read(TrailHarness.Bucket, hour1))), d2.GetProperty("previousDigestHashValue").GetString());

        // Each signature verifies, over the string validate-logs rebuilds, with the listed key of the digest's fingerprint.
        var keys = await _h.Run<ListPublicKeysResponse>("ListPublicKeys", new ListPublicKeysRequest { StartTime = t0, EndTime = _h.Time.GetUtcNow() });
        foreach (var (key, previous) in new[] { (hour1, "null"), (hour2, meta1["signature"]) })
        {
            var digest = _h.Digest(key);
            var meta = _h.Sink.UserMetadata(TrailHarness.Bucket, key);
            Assert.Equal("SHA256withRSA", meta["signature-algorithm"]);
            var content = TrailFiles.Gunzip(_h.Sink.Read(TrailHarness.Bucket, key));
            var signed = Encoding.UTF8.GetBytes($"{digest.GetProperty("digestEndTime").GetString()}\n{TrailHarness.Bucket}/{key}\n{Convert.ToHexStringLower(SHA256.HashData(content))}\n{previous}");
            var publicKey = keys.PublicKeyList.Single(k => k.Fingerprint == digest.GetProperty("digestPublicKeyFingerprint").GetString());
            using var rsa = RSA.Create();
            rsa.ImportRSAPublicKey(publicKey.Value, out _);
            Assert.True(rsa.VerifyData(signed, Convert.FromHexString(meta["signature"]), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
        }
        var status = await _h.Run<GetTrailStatusResponse>("GetTrailStatus", new GetTrailStatusRequest { Name = "audit" });
        Assert.Equal(_h.Time.GetUtcNow(), status.LatestDigestDeliveryTime);
    }

    [Fact]
    public async Task DigestsStopWithLoggingOnceTheyListTheLastFiles()
    {
        await _h.CreateLoggingTrail();
        await _h.Record("Encrypt");
        _h.Time.Advance(TimeSpan.FromMinutes(10));
        await _h.Tick();
        await _h.Run<NoOutput>("StopLogging", new StopLoggingRequest { Name = "audit" });
        _h.Time.Advance(TimeSpan.FromMinutes(50));
        var last = Assert.Single(await _h.Tick()).Digest!;
        Assert.Single(_h.Digest(last).GetProperty("logFiles").EnumerateArray());
        _h.Time.Advance(TimeSpan.FromHours(1));
        Assert.Null(Assert.Single(await _h.Tick()).Digest);
        Assert.Null(Assert.Single(await _h.Flush()).Digest);
    }

    [Fact]
    public async Task WithoutValidationThereAreNoDigestsAndFilesAreNotDigestedLater()
    {
        await _h.CreateLoggingTrail(validation: false);
        await _h.Record("Encrypt");
        _h.Time.Advance(TimeSpan.FromHours(2));
        var outcome = Assert.Single(await _h.Flush());
        Assert.Single(outcome.LogFiles);
        Assert.Null(outcome.Digest);
        _h.Time.Advance(TimeSpan.FromMinutes(1));
        await _h.Run<TrailSummary>("UpdateTrail", new UpdateTrailRequest { Name = "audit", EnableLogFileValidation = true });
        _h.Time.Advance(TimeSpan.FromMinutes(1));
        var digest = Assert.Single(await _h.Flush()).Digest!;
        var d = _h.Digest(digest);
        Assert.Empty(d.GetProperty("logFiles").EnumerateArray());
        Assert.Equal("2026-11-29T14:01:00Z", d.GetProperty("digestStartTime").GetString());
    }

    [Fact]
    public async Task AFailedDigestIsRetriedWholeAndASealedServerDeliversLogFilesOnly()
    {
        await _h.CreateLoggingTrail();
        await _h.Record("Encrypt");
        _h.Time.Advance(TimeSpan.FromHours(1));
        _h.Sealed = true;
        var sealedRun = Assert.Single(await _h.Tick());
        Assert.Single(sealedRun.LogFiles);
        Assert.Contains("sealed", sealedRun.DigestError, StringComparison.Ordinal);
        Assert.Contains("sealed", (await _h.Run<GetTrailStatusResponse>("GetTrailStatus", new GetTrailStatusRequest { Name = "audit" })).LatestDigestDeliveryError, StringComparison.Ordinal);

        _h.Sealed = false;
        _h.Sink.Fail = o => o.Key.Contains("CloudTrail-Digest", StringComparison.Ordinal);
        var refused = Assert.Single(await _h.Tick());
        Assert.Contains("refused", refused.DigestError, StringComparison.Ordinal);
        var attempted = _h.Sink.Attempts.Last();

        _h.Sink.Fail = null;
        _h.Time.Advance(TimeSpan.FromMinutes(30));
        var delivered = Assert.Single(await _h.Tick());
        Assert.Equal(attempted.Key, delivered.Digest);
        Assert.Equal(attempted.Content, _h.Sink.Read(TrailHarness.Bucket, attempted.Key));
        Assert.Equal(attempted.UserMetadata["signature"], _h.Sink.UserMetadata(TrailHarness.Bucket, attempted.Key)["signature"]);
        Assert.Null((await _h.Run<GetTrailStatusResponse>("GetTrailStatus", new GetTrailStatusRequest { Name = "audit" })).LatestDigestDeliveryError);
    }

    [Fact]
    public async Task ADeletedTrailDeliversNothingMore()
    {
        await _h.CreateLoggingTrail();
        await _h.Record("Encrypt");
        await _h.Run<NoOutput>("DeleteTrail", new DeleteTrailRequest { Name = "audit" });
        Assert.Empty(await _h.Flush());
        Assert.Empty(_h.Sink.Attempts);
    }

    [Fact]
    public async Task DeliveryStateSurvivesARestart()
    {
        await _h.CreateLoggingTrail();
        var first = await _h.Record("Encrypt");
        await _h.Flush();
        var second = await _h.Record("Decrypt");
        // A new delivery over the same store and journal (a restarted server) continues from the recorded cursor.
        var restarted = new TrailDelivery(_h.Repository, _h.Journal, _h.Sink, _h.Keys, _h.Settings, _h.Time, _h.Random);
        _h.Time.Advance(TimeSpan.FromMinutes(1));
        var outcome = Assert.Single(await restarted.RunAsync(force: true, CancellationToken.None));
        Assert.Equal([second.EventId], _h.Records(Assert.Single(outcome.LogFiles)).Select(r => r.GetProperty("eventID").GetString()));
        Assert.Equal([first.EventId, second.EventId], DeliveredEventIds());
        var digest = _h.Digest(outcome.Digest!);
        Assert.Equal(_h.DigestKeys()[0], digest.GetProperty("previousDigestS3Object").GetString());
    }
}
