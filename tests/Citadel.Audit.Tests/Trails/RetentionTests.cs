using Citadel.Audit.Trails;
using Citadel.Audit.Trails.Operations;

namespace Citadel.Audit.Tests.Trails;

public sealed class RetentionTests : IAsyncLifetime
{
    // Small segments, so a few dozen records make several.
    private TrailHarness _h = null!;
    private AuditRetention _retention = null!;

    public Task InitializeAsync()
    {
        _h = new TrailHarness(segmentBytes: 4096);
        _retention = new AuditRetention(_h.Journal, _h.Repository);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _h.DisposeAsync();

    /// <summary>A day of activity: records an hour apart.</summary>
    private async Task<List<AuditEvent>> RecordDayAsync()
    {
        var events = new List<AuditEvent>();
        for (var i = 0; i < 24; i++)
        {
            events.Add(await _h.Record(i % 2 == 0 ? "Encrypt" : "CreateKey"));
            _h.Time.Advance(TimeSpan.FromHours(1));
        }
        return events;
    }

    private Task<AuditPage> LookupAll() => _h.Journal.LookupAsync(new AuditQuery(null, null, null, null, 50, null));

    [Fact]
    public async Task OldSegmentsArePrunedAndTheChainStillVerifiesFromTheAnchor()
    {
        var day1 = await RecordDayAsync();
        var day2 = await RecordDayAsync();
        var before = AuditJournal.Segments(_h.JournalDirectory);
        Assert.True(before.Count >= 4, $"{before.Count} segments");

        var cutoff = day2[0].EventTime;
        var pruned = await _retention.ApplyAsync(cutoff, CancellationToken.None);
        Assert.InRange(pruned, 1, day1.Count);
        var after = AuditJournal.Segments(_h.JournalDirectory);
        Assert.Equal(before[^1], after[^1]);
        Assert.True(after[0] > 1);
        var anchor = AuditJournal.ReadAnchor(_h.JournalDirectory)!;
        Assert.Equal((after[0], pruned), (anchor.Segment, anchor.Records));

        var report = AuditChainVerifier.Verify(_h.JournalDirectory, _h.Journal.End);
        Assert.True(report.Valid, report.Problem);
        Assert.Equal((day1.Count + day2.Count - pruned, pruned), (report.Records, report.Pruned));
        // LookupEvents keeps the retention window only.
        Assert.All((await LookupAll()).Events, e => Assert.True(e.EventTime >= cutoff));
        Assert.Equal(day2.Count, (await LookupAll()).Events.Count);

        // The chain goes on after a restart.
        await _h.Journal.DisposeAsync();
        await using (var reopened = new JournalAuditStore(_h.JournalDirectory, 4096))
        {
            await reopened.AppendAsync(day1[0]);
            Assert.True(AuditChainVerifier.Verify(_h.JournalDirectory, reopened.End).Valid);
        }
    }

    [Fact]
    public async Task AnEditOrAMissingSegmentAfterPruningIsStillCaught()
    {
        var day1 = await RecordDayAsync();
        await RecordDayAsync();
        await _retention.ApplyAsync(day1[^1].EventTime.AddHours(1), CancellationToken.None);
        var kept = AuditJournal.Segments(_h.JournalDirectory);
        var first = AuditJournal.SegmentPath(_h.JournalDirectory, kept[0]);
        var text = await File.ReadAllTextAsync(first);
        await File.WriteAllTextAsync(first, text.Replace("\"Encrypt\"", "\"Decrypt\"", StringComparison.Ordinal));
        var edited = AuditChainVerifier.Verify(_h.JournalDirectory);
        Assert.False(edited.Valid);
        Assert.Equal(kept[0], edited.Segment);

        await File.WriteAllTextAsync(first, text);
        File.Delete(first);
        var missing = AuditChainVerifier.Verify(_h.JournalDirectory);
        Assert.False(missing.Valid);
        Assert.Equal(kept[1], missing.Segment);
    }

    [Fact]
    public async Task NothingATrailHasNotDeliveredIsPruned()
    {
        await _h.CreateLoggingTrail();
        var day1 = await RecordDayAsync();
        await RecordDayAsync();
        var segments = AuditJournal.Segments(_h.JournalDirectory).Count;

        // Nothing delivered yet: the index forgets old events, but the journal keeps every segment.
        Assert.Equal(0, await _retention.ApplyAsync(_h.Time.GetUtcNow(), CancellationToken.None));
        Assert.Equal(segments, AuditJournal.Segments(_h.JournalDirectory).Count);
        Assert.Null(AuditJournal.ReadAnchor(_h.JournalDirectory));

        _h.Sink.Fail = _ => true;
        await _h.Flush();
        Assert.Equal(0, await _retention.ApplyAsync(_h.Time.GetUtcNow(), CancellationToken.None));

        _h.Sink.Fail = null;
        await _h.Flush();
        Assert.True(await _retention.ApplyAsync(_h.Time.GetUtcNow(), CancellationToken.None) > 0);
        // Every record was delivered before its segment went.
        var delivered = _h.LogFileKeys().SelectMany(k => _h.Records(k)).Select(r => r.GetProperty("eventID").GetString()!).ToHashSet();
        Assert.Empty(day1.Select(e => e.EventId).Except(delivered));
    }

    [Fact]
    public async Task AStoppedTrailThatDeliveredEverythingHoldsNothingBack()
    {
        await _h.CreateLoggingTrail();
        await RecordDayAsync();
        await _h.Flush();
        await _h.Run<NoOutput>("StopLogging", new StopLoggingRequest { Name = "audit" });
        await RecordDayAsync();
        var pruned = await _retention.ApplyAsync(_h.Time.GetUtcNow(), CancellationToken.None);
        Assert.True(pruned >= 40, $"{pruned} pruned");

        // Started again, it delivers what comes next, never needing what was pruned.
        await _h.Run<NoOutput>("StartLogging", new StartLoggingRequest { Name = "audit" });
        var next = await _h.Record("Sign");
        var outcome = Assert.Single(await _h.Flush());
        Assert.Null(outcome.LogError);
        Assert.Contains(outcome.LogFiles.SelectMany(k => _h.Records(k)), r => r.GetProperty("eventID").GetString() == next.EventId);
    }

    [Fact]
    public async Task ASegmentLeftBehindByACrashDuringPruningIsIgnoredThenRemoved()
    {
        var day1 = await RecordDayAsync();
        await RecordDayAsync();
        var first = AuditJournal.SegmentPath(_h.JournalDirectory, 1);
        var copy = await File.ReadAllBytesAsync(first);
        await _retention.ApplyAsync(day1[^1].EventTime.AddHours(1), CancellationToken.None);
        Assert.False(File.Exists(first));

        // As if the process died after writing the anchor, before deleting segment 1.
        await File.WriteAllBytesAsync(first, copy);
        Assert.True(AuditChainVerifier.Verify(_h.JournalDirectory).Valid);
        var anchored = AuditJournal.ReadAnchor(_h.JournalDirectory)!.Records;
        await _retention.ApplyAsync(day1[^1].EventTime.AddHours(1), CancellationToken.None);
        Assert.False(File.Exists(first));
        Assert.Equal(anchored, AuditJournal.ReadAnchor(_h.JournalDirectory)!.Records);
    }
}
