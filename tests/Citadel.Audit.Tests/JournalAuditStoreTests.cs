using Microsoft.Data.Sqlite;

namespace Citadel.Audit.Tests;

public sealed class JournalAuditStoreTests : IAsyncLifetime
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "citadel-audit-" + Guid.NewGuid().ToString("N"));
    private JournalAuditStore _store = null!;
    private static readonly DateTimeOffset T0 = new(2026, 11, 29, 12, 0, 0, TimeSpan.Zero);

    public Task InitializeAsync()
    {
        _store = new JournalAuditStore(_directory);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _store.DisposeAsync();
        SqliteConnection.ClearAllPools();
        if (Directory.Exists(_directory)) Directory.Delete(_directory, true);
    }

    private static AuditEvent Event(int i, string name = "Encrypt", string user = "root", string akid = "AKIA1", bool readOnly = true, string? resource = null, DateTimeOffset? time = null, string? eventId = null, string? requestId = null) => new()
    {
        EventId = eventId ?? $"00000000-0000-0000-0000-{i:D12}",
        EventTime = time ?? T0.AddSeconds(i),
        EventSource = name == "LookupEvents" ? "cloudtrail.amazonaws.com" : "kms.amazonaws.com",
        EventName = name,
        AwsRegion = "us-east-1",
        SourceIpAddress = "127.0.0.1",
        UserIdentity = user == "root"
            ? new AuditIdentity("Root", "111122223333", "arn:aws:iam::111122223333:root", "111122223333", akid, user)
            : new AuditIdentity("IAMUser", "AIDAEXAMPLE", $"arn:aws:iam::111122223333:user/{user}", "111122223333", akid, user),
        RequestId = requestId ?? $"req-{i}",
        ReadOnly = readOnly,
        Resources = resource is null ? [] : [new AuditResource("AWS::KMS::Key", resource, "111122223333")],
        RecipientAccountId = "111122223333",
    };

    private Task<AuditPage> Lookup(LookupAttribute? attribute = null, string? value = null, int max = 50, string? token = null, DateTimeOffset? start = null, DateTimeOffset? end = null)
        => _store.LookupAsync(new AuditQuery(attribute, value, start, end, max, token));

    /// <summary>Every page of a lookup, followed by its tokens; no page holds more than <paramref name="max"/> events.</summary>
    private async Task<List<StoredEvent>> LookupAll(LookupAttribute? attribute = null, string? value = null, int max = 50, DateTimeOffset? start = null, DateTimeOffset? end = null)
    {
        var all = new List<StoredEvent>();
        string? token = null;
        do
        {
            var page = await Lookup(attribute, value, max, token, start, end);
            Assert.True(page.Events.Count <= max);
            all.AddRange(page.Events);
            token = page.NextToken;
        } while (token is not null);
        return all;
    }

    [Fact]
    public async Task EventsAreFoundByRequestIdWithTheIndexAndWithTheScanningDefault()
    {
        for (var i = 1; i <= 120; i++) await _store.AppendAsync(Event(i, resource: "arn:k1"));
        var found = await _store.FindByRequestIdAsync("req-7");
        Assert.Equal("00000000-0000-0000-0000-000000000007", found!.EventId);
        Assert.Contains("\"requestID\":\"req-7\"", found.CloudTrailEvent, StringComparison.Ordinal);
        Assert.Null(await _store.FindByRequestIdAsync("req-999"));
        // The interface's default (for stores without an index) pages through every event.
        IAuditStore scanning = new ScanningOnly(_store);
        Assert.Equal(found.EventId, (await scanning.FindByRequestIdAsync("req-7"))!.EventId);
        Assert.Null(await scanning.FindByRequestIdAsync("req-999"));

        // The index is derived: rebuilt from the journal, it finds the same event.
        await _store.DisposeAsync();
        SqliteConnection.ClearAllPools();
        File.Delete(Path.Combine(_directory, "index.db"));
        _store = new JournalAuditStore(_directory);
        Assert.Equal(found.EventId, (await _store.FindByRequestIdAsync("req-7"))!.EventId);
    }

    private sealed class ScanningOnly(IAuditStore inner) : IAuditStore
    {
        public Task AppendAsync(AuditEvent auditEvent, CancellationToken cancellationToken = default) => inner.AppendAsync(auditEvent, cancellationToken);
        public Task<AuditPage> LookupAsync(AuditQuery query, CancellationToken cancellationToken = default) => inner.LookupAsync(query, cancellationToken);
        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    [Fact]
    public async Task EveryLookupAttributeFilters()
    {
        await _store.AppendAsync(Event(1, "CreateKey", readOnly: false, resource: "arn:k1"));
        await _store.AppendAsync(Event(2, "Encrypt", user: "alice", akid: "AKIA2", resource: "arn:k1"));
        await _store.AppendAsync(Event(3, "LookupEvents"));
        Assert.Equal(["00000000-0000-0000-0000-000000000002"], (await Lookup(LookupAttribute.EventId, "00000000-0000-0000-0000-000000000002")).Events.Select(e => e.EventId));
        Assert.Equal(["CreateKey"], (await Lookup(LookupAttribute.EventName, "CreateKey")).Events.Select(e => e.EventName));
        Assert.Equal(["CreateKey"], (await Lookup(LookupAttribute.ReadOnly, "false")).Events.Select(e => e.EventName));
        Assert.Equal(2, (await Lookup(LookupAttribute.ReadOnly, "true")).Events.Count);
        Assert.Equal(["Encrypt"], (await Lookup(LookupAttribute.Username, "alice")).Events.Select(e => e.EventName));
        Assert.Equal(["Encrypt"], (await Lookup(LookupAttribute.AccessKeyId, "AKIA2")).Events.Select(e => e.EventName));
        Assert.Equal(["LookupEvents"], (await Lookup(LookupAttribute.EventSource, "cloudtrail.amazonaws.com")).Events.Select(e => e.EventName));
        Assert.Equal(["Encrypt", "CreateKey"], (await Lookup(LookupAttribute.ResourceName, "arn:k1")).Events.Select(e => e.EventName));
        Assert.Equal(2, (await Lookup(LookupAttribute.ResourceType, "AWS::KMS::Key")).Events.Count);
        var withResource = (await Lookup(LookupAttribute.EventName, "CreateKey")).Events[0];
        Assert.Equal("arn:k1", Assert.Single(withResource.Resources).Arn);
    }

    [Fact]
    public async Task A_resource_on_thousands_of_events_pages_the_same_way_as_a_rare_one()
    {
        // Above the index's threshold the lookup walks events newest first instead of collecting every match.
        await Task.WhenAll(Enumerable.Range(1, 6000).Select(i => _store.AppendAsync(Event(i, resource: i == 3000 ? "arn:rare" : "arn:busy"))));
        var seen = await LookupAll(LookupAttribute.ResourceName, "arn:busy", max: 50, start: T0.AddSeconds(5801), end: T0.AddSeconds(6000));
        Assert.Equal(Enumerable.Range(5801, 200).Reverse().Select(i => $"00000000-0000-0000-0000-{i:D12}"), seen.Select(e => e.EventId));
        Assert.Equal(["00000000-0000-0000-0000-000000003000"], (await Lookup(LookupAttribute.ResourceName, "arn:rare")).Events.Select(e => e.EventId));
        Assert.Equal(50, (await Lookup(LookupAttribute.ResourceType, "AWS::KMS::Key")).Events.Count);
    }

    [Theory]
    [InlineData("scattered", 50)]
    [InlineData("overlapping blocks, time rising", 7)]
    [InlineData("overlapping blocks, time falling", 1)]
    [InlineData("all in one second", 7)]
    public async Task Events_out_of_time_order_across_many_index_blocks_page_newest_first(string layout, int pageSize)
    {
        // Journal order and event time disagree (clocks, concurrent requests), and many events share a second: every
        // page must still be exactly the next events by (time, journal order) descending, across block boundaries,
        // including a block that ends on the very second a page ends on.
        const int count = 3 * AuditIndex.BlockRecords + 17;
        var b = AuditIndex.BlockRecords;
        var times = Enumerable.Range(1, count).Select(i => layout switch
        {
            "scattered" => (i * 7919) % 400,
            "overlapping blocks, time rising" => ((i - 1) / b * 100) + ((i - 1) % b / 2),
            "all in one second" => 150, // event times have whole seconds: under load thousands share one
            _ => 1000 - ((i - 1) / b * 100) + ((i - 1) % b / 2),
        }).ToArray();
        for (var i = 1; i <= count; i++)
            await _store.AppendAsync(Event(i, name: i % 3 == 0 ? "Decrypt" : "Encrypt", time: T0.AddSeconds(times[i - 1])));
        List<string> Expected(Func<int, bool> keep) => Enumerable.Range(1, count).Where(keep)
            .OrderByDescending(i => times[i - 1]).ThenByDescending(i => i).Select(i => $"00000000-0000-0000-0000-{i:D12}").ToList();
        async Task<List<string>> All(LookupAttribute? attribute, string? value, DateTimeOffset? start, DateTimeOffset? end)
            => (await LookupAll(attribute, value, pageSize, start, end)).Select(e => e.EventId).ToList();
        Assert.Equal(Expected(_ => true), await All(null, null, null, null));
        Assert.Equal(Expected(i => i % 3 == 0), await All(LookupAttribute.EventName, "Decrypt", null, null));
        Assert.Equal(Expected(i => times[i - 1] is >= 100 and <= 250), await All(null, null, T0.AddSeconds(100), T0.AddSeconds(250)));
        Assert.Equal(["00000000-0000-0000-0000-000000000500"], (await Lookup(LookupAttribute.EventId, "00000000-0000-0000-0000-000000000500")).Events.Select(e => e.EventId));
        Assert.Equal("00000000-0000-0000-0000-000000000500", (await _store.FindByRequestIdAsync("req-500"))!.EventId);
    }

    [Fact]
    public async Task Version_7_ids_are_found_through_their_blocks_time_ranges_and_outliers_through_rows()
    {
        // Citadel's event and request ids are UUIDv7: a block keeps the range of their times, not a row per id. An id
        // made long before its neighbours (beyond the range's window) gets a row; both are found, nothing else is.
        const int count = 2 * AuditIndex.BlockRecords + 40;
        var ids = new List<(string Event, string Request)>();
        for (var i = 1; i <= count; i++)
        {
            var made = i == 300 ? T0.AddHours(-3) : T0.AddMilliseconds(i * 3);
            ids.Add((Guid.CreateVersion7(made).ToString(), Guid.CreateVersion7(made).ToString()));
            await _store.AppendAsync(Event(i, eventId: ids[^1].Event, requestId: ids[^1].Request));
        }
        foreach (var i in new[] { 1, 256, 257, 300, 301, count })
        {
            Assert.Equal([ids[i - 1].Event], (await Lookup(LookupAttribute.EventId, ids[i - 1].Event)).Events.Select(e => e.EventId));
            Assert.Equal(ids[i - 1].Event, (await _store.FindByRequestIdAsync(ids[i - 1].Request))!.EventId);
        }
        var absent = Guid.CreateVersion7(T0.AddMilliseconds(100)).ToString();
        Assert.Empty((await Lookup(LookupAttribute.EventId, absent)).Events);
        Assert.Null(await _store.FindByRequestIdAsync(absent));
    }

    [Theory]
    [InlineData("019ad6c2-3b80-7abc-8def-0123456789ab", 0x019ad6c23b80L)]
    [InlineData("019AD6C2-3B80-7ABC-BDEF-0123456789AB", 0x019ad6c23b80L)]
    [InlineData("019ad6c2-3b80-4abc-8def-0123456789ab", null)] // version 4
    [InlineData("019ad6c2-3b80-7abc-cdef-0123456789ab", null)] // not the RFC variant
    [InlineData("019ad6c23b807abc8def0123456789ab", null)]
    [InlineData("req-7", null)]
    [InlineData("019ad6c2-3b80-7abc-8def-0123456789ag", null)]
    public void The_time_of_a_version_7_id_is_its_first_48_bits(string id, long? expected)
        => Assert.Equal(expected, IdRange.TryTime(id, out var time) ? time : null);

    [Fact]
    public async Task A_retention_cutoff_inside_an_index_block_hides_only_the_older_events()
    {
        for (var i = 1; i <= 10; i++) await _store.AppendAsync(Event(i));
        Assert.Equal(0, _store.Prune(T0.AddSeconds(6), keepFrom: null)); // one segment, the one being written: nothing deleted
        Assert.Equal(["10", "9", "8", "7", "6"], (await Lookup()).Events.Select(e => e.EventId[^2..].TrimStart('0')));
        Assert.Null(await _store.FindByRequestIdAsync("req-5"));
        Assert.NotNull(await _store.FindByRequestIdAsync("req-6"));
        // The cutoff only moves forward: a later, earlier cutoff brings nothing back.
        _store.Prune(T0.AddSeconds(2), keepFrom: null);
        Assert.Equal(5, (await Lookup()).Events.Count);
    }

    [Fact]
    public async Task PagesNewestFirstWithinTheTimeWindow()
    {
        for (var i = 1; i <= 7; i++) await _store.AppendAsync(Event(i));
        var seen = await LookupAll(max: 2, start: T0.AddSeconds(2), end: T0.AddSeconds(6));
        Assert.Equal(["6", "5", "4", "3", "2"], seen.Select(e => e.EventId[^1..]));
        await Assert.ThrowsAsync<InvalidNextTokenException>(() => Lookup(token: "garbage!"));
    }

    [Fact]
    public async Task ConcurrentAppendsAreAllDurableAndIndexRebuildsFromTheJournal()
    {
        await Task.WhenAll(Enumerable.Range(1, 500).Select(i => Task.Run(() => _store.AppendAsync(Event(i)))));
        await _store.DisposeAsync();
        SqliteConnection.ClearAllPools();
        // The index is derived: without it, the journal alone gives every event back.
        foreach (var file in Directory.EnumerateFiles(_directory, "index.db*")) File.Delete(file);
        _store = new JournalAuditStore(_directory);
        Assert.Equal(500, (await LookupAll(max: 50)).Count);
    }

    [Fact]
    public async Task An_index_of_the_old_layout_is_rebuilt_from_the_journal()
    {
        for (var i = 1; i <= 30; i++) await _store.AppendAsync(Event(i, resource: "arn:k1"));
        await _store.DisposeAsync();
        SqliteConnection.ClearAllPools();
        // The first layout kept each event's body in the index and had no schema version.
        foreach (var file in Directory.EnumerateFiles(_directory, "index.db*")) File.Delete(file);
        using (var old = new SqliteConnection($"Data Source={Path.Combine(_directory, "index.db")};Pooling=False"))
        {
            old.Open();
            using var create = old.CreateCommand();
            create.CommandText = """
                CREATE TABLE events (seq INTEGER PRIMARY KEY, event_id TEXT NOT NULL, event_time INTEGER NOT NULL, event_name TEXT NOT NULL,
                    event_source TEXT NOT NULL, username TEXT, access_key_id TEXT, read_only INTEGER NOT NULL, body TEXT NOT NULL);
                CREATE TABLE event_resources (seq INTEGER NOT NULL, type TEXT NOT NULL, name TEXT NOT NULL);
                CREATE TABLE meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
                INSERT INTO meta VALUES ('segment', 1), ('offset', 99999999);
                """;
            create.ExecuteNonQuery();
        }
        _store = new JournalAuditStore(_directory);
        var page = await Lookup(LookupAttribute.ResourceName, "arn:k1", max: 50);
        Assert.Equal(30, page.Events.Count);
        Assert.Equal("00000000-0000-0000-0000-000000000030", page.Events[0].EventId);
        Assert.Contains("\"requestID\":\"req-30\"", page.Events[0].CloudTrailEvent, StringComparison.Ordinal);
        Assert.Equal(page.Events[0].EventId, (await _store.FindByRequestIdAsync("req-30"))!.EventId);
    }

    [Fact]
    public async Task Lookups_read_bodies_from_every_segment_of_the_journal()
    {
        await _store.DisposeAsync();
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, true);
        _store = new JournalAuditStore(_directory, segmentBytes: 4096); // a few records per segment
        for (var i = 1; i <= 40; i++) await _store.AppendAsync(Event(i, name: i % 2 == 0 ? "Decrypt" : "Encrypt"));
        Assert.True(Directory.EnumerateFiles(_directory, "journal-*.log").Count() > 5);
        var seen = await LookupAll(LookupAttribute.EventName, "Decrypt", max: 7);
        Assert.All(seen, e => Assert.Contains($"\"eventID\":\"{e.EventId}\"", e.CloudTrailEvent, StringComparison.Ordinal));
        Assert.Equal(Enumerable.Range(1, 20).Select(i => $"00000000-0000-0000-0000-{41 - 2 * i - 1 + 2:D12}"), seen.Select(e => e.EventId));
    }

    [Fact]
    public async Task Callers_that_append_again_from_their_continuations_are_all_served()
    {
        // The writer carries waiting callers on from the commit itself (no thread hop per request); a caller that
        // appends again from there, as a request's next audited call would, must still be served.
        var chains = Enumerable.Range(0, 20).Select(i => Task.Run(async () =>
        {
            for (var step = 0; step < 5; step++) await _store.AppendAsync(Event(1 + i + 20 * step));
        }));
        await Task.WhenAll(chains).WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(100, (await Lookup(max: 200)).Events.Count);
    }

    [Fact]
    public async Task ATornLastRecordIsCutOffAtOpen()
    {
        await _store.AppendAsync(Event(1));
        await _store.DisposeAsync();
        var journal = Directory.EnumerateFiles(_directory, "journal-*.log").Single();
        await File.AppendAllTextAsync(journal, "{\"eventVersion\":\"1.09\",\"userIden");
        _store = new JournalAuditStore(_directory);
        await _store.AppendAsync(Event(2));
        Assert.Equal(["2", "1"], (await Lookup()).Events.Select(e => e.EventId[^1..]));
        Assert.EndsWith("\n", await File.ReadAllTextAsync(journal), StringComparison.Ordinal);
    }

    [Fact]
    public async Task FailsClosedWhenTheDiskIsFullAndRecovers()
    {
        await _store.DisposeAsync();
        var mount = Path.Combine(Path.GetTempPath(), "citadel-audit-full-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(mount);
        Assert.Equal(0, await Run("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", mount));
        try
        {
            await using var store = new JournalAuditStore(Path.Combine(mount, "audit"));
            await store.AppendAsync(Event(1));
            var fill = Path.Combine(mount, "fill");
            await Run("dd", "if=/dev/zero", $"of={fill}", "bs=64k", "count=64");
            await Assert.ThrowsAsync<AuditUnavailableException>(() => store.AppendAsync(Event(2, resource: new string('r', 200_000))));
            File.Delete(fill);
            await store.AppendAsync(Event(3));
            var ids = (await store.LookupAsync(new AuditQuery(null, null, null, null, 50, null))).Events.Select(e => e.EventId[^1..]);
            Assert.Equal(["3", "1"], ids);
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            await Run("umount", "-l", mount);
            Directory.Delete(mount, true);
        }
        _store = new JournalAuditStore(_directory);
    }

    private static async Task<int> Run(string file, params string[] args)
    {
        using var process = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo(file, args) { RedirectStandardError = true, RedirectStandardOutput = true })!;
        await process.WaitForExitAsync();
        return process.ExitCode;
    }

    [Fact]
    public void RecordsHaveCloudTrailShapeWithoutRootUserName()
    {
        var json = Event(1, resource: "arn:k").ToJson();
        Assert.Equal("1.09", json["eventVersion"]!.GetValue<string>());
        Assert.Null(json["userIdentity"]!["userName"]);
        Assert.Equal("arn:k", json["resources"]![0]!["ARN"]!.GetValue<string>());
        Assert.Equal("req-1", json["requestID"]!.GetValue<string>());
    }

    [Fact]
    public void The_record_text_is_stable_through_the_node_tree_escapes_and_nulls_included()
    {
        var plain = Event(1);
        var full = new AuditEvent
        {
            EventId = "e-2",
            EventTime = T0.AddMilliseconds(1234),
            EventSource = "s3.amazonaws.com",
            EventName = "PutObject",
            AwsRegion = "eu-central-1",
            SourceIpAddress = "::1",
            UserAgent = "ünïcode <agent> & \"quotes\" \u0001",
            UserIdentity = new AuditIdentity("IAMUser", "AIDA1", "arn:aws:iam::111122223333:user/ann", "111122223333", "AKIA2", "ann"),
            RequestParameters = System.Text.Json.Nodes.JsonNode.Parse("""{"bucketName":"b","key":"k/ü","n":[1,2.5,true,null],"o":{"x":"y"}}"""),
            ResponseElements = System.Text.Json.Nodes.JsonNode.Parse("""{"x-amz-version-id":"v1"}"""),
            ErrorCode = "AccessDenied",
            ErrorMessage = "Nope: 'no' + <no>",
            RequestId = "r-2",
            ReadOnly = false,
            Resources = [new AuditResource("AWS::S3::Object", "arn:aws:s3:::b/k", "111122223333"), new AuditResource("AWS::KMS::Key", "arn:k", "111122223333")],
            RecipientAccountId = "111122223333",
        };
        foreach (var e in new[] { plain, full })
            Assert.Equal(e.ToJson().ToJsonString(), System.Text.Encoding.UTF8.GetString(e.ToUtf8Json()));
    }

    [Fact]
    public void Records_longer_than_the_read_buffer_are_read_whole()
    {
        var directory = Path.Combine(_directory, "long");
        var big = "{\"x\":\"" + new string('a', 3 << 20) + "\"}";
        using (var journal = new AuditJournal(directory))
            journal.Append(["{\"n\":1}", big, "{\"n\":3}"]);
        var read = AuditJournal.Read(directory, JournalPosition.Start, new JournalPosition(1, new FileInfo(AuditJournal.SegmentPath(directory, 1)).Length)).ToList();
        Assert.Equal(["{\"n\":1}", big, "{\"n\":3}"], read.Select(r => r.Record));
    }
}
