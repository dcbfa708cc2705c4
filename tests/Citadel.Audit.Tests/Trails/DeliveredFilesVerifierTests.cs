using System.Text;
using Citadel.Audit.Trails;
using Citadel.Audit.Trails.Operations;

namespace Citadel.Audit.Tests.Trails;

/// <summary>
/// <see cref="DeliveredFilesVerifier"/> on what <see cref="TrailDelivery"/> delivered into a directory, which is laid
/// out as <c>aws s3 sync s3://bucket COPY</c> lays out a copy of the bucket (and, like such a copy, has no metadata).
/// </summary>
public sealed class DeliveredFilesVerifierTests : IAsyncLifetime
{
    private TrailHarness _h = null!;
    private List<string> _digests = null!;
    private List<string> _logs = null!;

    private string Copy => Path.Combine(_h.Sink.Root, TrailHarness.Bucket);

    /// <summary>Four hours of a logging trail: each hour one log file, then a digest listing it.</summary>
    public async Task InitializeAsync()
    {
        _h = new TrailHarness();
        await _h.CreateLoggingTrail();
        for (var hour = 0; hour < 4; hour++)
        {
            await _h.Record("Encrypt");
            _h.Time.Advance(TimeSpan.FromMinutes(5));
            Assert.Single(Assert.Single(await _h.Tick()).LogFiles);
            _h.Time.Advance(TimeSpan.FromMinutes(55));
            Assert.NotNull(Assert.Single(await _h.Tick()).Digest);
        }
        _digests = _h.DigestKeys();
        _logs = _h.LogFileKeys();
        Assert.Equal((4, 4), (_digests.Count, _logs.Count));
    }

    public async Task DisposeAsync() => await _h.DisposeAsync();

    private async Task<DeliveredFilesReport> Verify()
    {
        var documents = await _h.Store.ListAsync(TrailSigningKeys.Collection, null, 500);
        return DeliveredFilesVerifier.Verify(Copy, null, TrailSigningKeys.PublicKeysOf(documents));
    }

    /// <summary>Rewrites a delivered file's uncompressed content (gzipped again, as a forger would).</summary>
    private void Edit(string key, Func<string, string> edit)
    {
        var text = Encoding.UTF8.GetString(TrailFiles.Gunzip(_h.Sink.Read(TrailHarness.Bucket, key)));
        var edited = edit(text);
        Assert.NotEqual(text, edited);
        File.WriteAllBytes(_h.Sink.ObjectPath(TrailHarness.Bucket, key), TrailFiles.Gzip(Encoding.UTF8.GetBytes(edited)));
    }

    /// <summary>
    /// A forger edits log file <paramref name="i"/> and records its new hash in the digest that lists it: the log file
    /// then matches, and only the digest's own hash link and its signature tell.
    /// </summary>
    private void ForgeLogFileAndItsHashInTheDigest(int i)
    {
        var logFile = _h.Digest(_digests[i]).GetProperty("logFiles")[0];
        Assert.Equal(_logs[i], logFile.GetProperty("s3Object").GetString());
        Edit(_logs[i], t => t.Replace("Encrypt", "Decrypt", StringComparison.Ordinal));
        var forged = TrailFiles.Sha256Hex(TrailFiles.Gunzip(_h.Sink.Read(TrailHarness.Bucket, _logs[i])));
        Edit(_digests[i], t => t.Replace(logFile.GetProperty("hashValue").GetString()!, forged, StringComparison.Ordinal));
    }

    /// <summary>Digest <paramref name="i"/>, and only it, is reported modified and badly signed.</summary>
    private void AssertOnlyDigestIsModifiedAndBadlySigned(DeliveredFilesReport report, int i)
    {
        Assert.All(report.Problems, p => Assert.Equal((true, _digests[i]), (p.IsDigest, p.Key)));
        Assert.Contains(report.Problems, p => p.Problem.StartsWith("modified", StringComparison.Ordinal));
        Assert.Contains(report.Problems, p => p.Problem.StartsWith("bad signature", StringComparison.Ordinal));
        Assert.Equal("3/4 digest files valid, 4/4 log files valid", report.Summary);
    }

    [Fact]
    public async Task AValidDeliveryVerifiesAndOnlyTheNewestSignatureIsLeftUnchecked()
    {
        var report = await Verify();
        Assert.True(report.Valid, string.Join("\n", report.Problems));
        Assert.Equal("4/4 digest files valid, 4/4 log files valid", report.Summary);
        var note = Assert.Single(report.Notes);
        Assert.Contains(_digests[^1], note, StringComparison.Ordinal);
        Assert.Contains("not checkable offline (signature is in S3 metadata)", note, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AModifiedLogFileIsReportedByName()
    {
        Edit(_logs[1], t => t.Replace("Encrypt", "Decrypt", StringComparison.Ordinal));
        var report = await Verify();
        var problem = Assert.Single(report.Problems);
        Assert.Equal((false, _logs[1]), (problem.IsDigest, problem.Key));
        Assert.Contains("modified", problem.Problem, StringComparison.Ordinal);
        Assert.Equal("4/4 digest files valid, 3/4 log files valid", report.Summary);
    }

    [Fact]
    public async Task ADeletedLogFileIsReportedAsNotFound()
    {
        _h.Sink.Delete(TrailHarness.Bucket, _logs[2]);
        var problem = Assert.Single((await Verify()).Problems);
        Assert.Equal($"Log file\t{_logs[2]}\tINVALID: not found", problem.ToString());
    }

    [Fact]
    public async Task AModifiedDigestBreaksItsHashLinkAndItsSignature()
    {
        // The next digest's link (previousDigestHashValue) and the signature it carries tell.
        ForgeLogFileAndItsHashInTheDigest(1);
        AssertOnlyDigestIsModifiedAndBadlySigned(await Verify(), 1);
    }

    [Fact]
    public async Task AForgedSignatureInTheNextDigestIsABadSignature()
    {
        // The next digest carries the signature; changing it there changes that digest's hash too, so both are reported.
        var signature = _h.Digest(_digests[2]).GetProperty("previousDigestSignature").GetString()!;
        Edit(_digests[2], t => t.Replace(signature, new string('0', signature.Length), StringComparison.Ordinal));
        var problems = (await Verify()).Problems;
        Assert.Contains(problems, p => p.Key == _digests[1] && p.Problem.StartsWith("bad signature", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Key == _digests[2] && p.Problem.StartsWith("modified", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    public async Task ADeletedDigestBreaksTheChainAndIsReportedAsNotFound(int deleted)
    {
        _h.Sink.Delete(TrailHarness.Bucket, _digests[deleted]);
        var report = await Verify();
        var problem = Assert.Single(report.Problems);
        Assert.Equal((true, _digests[deleted]), (problem.IsDigest, problem.Key));
        Assert.StartsWith("not found (chain broken", problem.Problem, StringComparison.Ordinal);
        // Its log file is no longer vouched for by any digest of the copy.
        Assert.Equal("3/4 digest files valid, 3/3 log files valid", report.Summary);
    }

    [Fact]
    public async Task ATrailCreatedAgainUnderItsNameStartsANewChainWhichIsNotAFailure()
    {
        await _h.Run<NoOutput>("DeleteTrail", new DeleteTrailRequest { Name = "audit" });
        await _h.CreateLoggingTrail();
        await _h.Record("Encrypt");
        _h.Time.Advance(TimeSpan.FromMinutes(5));
        await _h.Tick();
        _h.Time.Advance(TimeSpan.FromMinutes(55));
        var restarted = Assert.Single(await _h.Tick()).Digest!;
        _h.Time.Advance(TimeSpan.FromMinutes(60));
        Assert.NotNull(Assert.Single(await _h.Tick()).Digest);

        var report = await Verify();
        Assert.True(report.Valid, string.Join("\n", report.Problems));
        Assert.Equal("6/6 digest files valid, 5/5 log files valid", report.Summary);
        // The old chain's last signature travelled only in S3 metadata, as the newest digest's does.
        Assert.Contains(report.Notes, n => n.StartsWith($"Digest file\t{restarted}\tstarts a new chain", StringComparison.Ordinal));
        Assert.Contains(report.Notes, n => n.StartsWith($"Digest file\t{_digests[^1]}\tsignature not checkable offline", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ALogFileKeyOutsideTheCopyIsNotFollowed()
    {
        // The newest digest (whose edit nothing offline detects) names a file beside the copy, with the right content.
        File.Copy(_h.Sink.ObjectPath(TrailHarness.Bucket, _logs[3]), Path.Combine(_h.Sink.Root, "outside.json.gz"));
        Edit(_digests[3], t => t.Replace(_logs[3], "../outside.json.gz", StringComparison.Ordinal));
        var problem = Assert.Single((await Verify()).Problems);
        Assert.Equal("Log file\t../outside.json.gz\tINVALID: not found", problem.ToString());
    }

    [Fact]
    public void ADigestSignedByAnUnknownKeyIsReported()
    {
        var report = DeliveredFilesVerifier.Verify(Copy, null, []);
        Assert.Equal(_digests[..^1], report.Problems.Select(p => p.Key));
        Assert.All(report.Problems, p => Assert.StartsWith("public key not found", p.Problem, StringComparison.Ordinal));
    }

    [Fact]
    public async Task APrefixNarrowsTheSearchToThatTrailsFiles()
    {
        Assert.Equal(0, DeliveredFilesVerifier.Verify(Copy, "other/prefix", []).DigestFiles);
        Assert.Equal(4, (await Verify()).DigestFiles);
    }

    /// <summary>Verifies as <c>citadel audit verify --trail-files</c> does: with the data directory's delivery records too.</summary>
    private async Task<DeliveredFilesReport> VerifyWithDeliveryRecords()
    {
        var keys = TrailSigningKeys.PublicKeysOf(await _h.Store.ListAsync(TrailSigningKeys.Collection, null, 500));
        var deliveries = TrailRepository.LastDigestsOf(await _h.Store.ListAsync(TrailRepository.DeliveryCollection, null, 500));
        return DeliveredFilesVerifier.Verify(Copy, null, keys, deliveries);
    }

    [Fact]
    public async Task WithTheDeliveryRecordsTheNewestDigestIsCheckedToo()
    {
        var report = await VerifyWithDeliveryRecords();
        Assert.True(report.Valid, string.Join("\n", report.Problems));
        Assert.Empty(report.Notes);
        Assert.Equal("4/4 digest files valid, 4/4 log files valid", report.Summary);
    }

    [Fact]
    public async Task WithTheDeliveryRecordsAnEditOfOnlyTheNewestDigestIsReported()
    {
        // Offline without the records nothing tells (see ALogFileKeyOutsideTheCopyIsNotFollowed); with them, its hash and
        // signature are checked against what was recorded at delivery.
        ForgeLogFileAndItsHashInTheDigest(3);
        Assert.True((await Verify()).Valid);
        AssertOnlyDigestIsModifiedAndBadlySigned(await VerifyWithDeliveryRecords(), 3);
    }

    [Fact]
    public async Task WithTheDeliveryRecordsADeletedNewestDigestIsNoted()
    {
        _h.Sink.Delete(TrailHarness.Bucket, _digests[3]);
        var report = await VerifyWithDeliveryRecords();
        Assert.Contains(report.Notes, n => n.StartsWith($"Digest file\t{_digests[3]}\tnot in the copy", StringComparison.Ordinal));
    }
}
