using System.Globalization;
using System.Text;
using Citadel.Storage;
using Microsoft.Data.Sqlite;

namespace Citadel.Audit;

/// <summary>
/// The lookup index of the audit journal (SQLite, <c>index.db</c> beside the journal). It indexes <em>blocks</em> of up
/// to <see cref="BlockRecords"/> consecutive journal records, not single events: a block row says where the block lies
/// in the journal, how many records it holds, their ordinal of the first and their time range; a value row says that
/// some record of the block has a LookupEvents attribute value (event name, user, access key, source, read-only,
/// resource type and name: a few distinct values per block) or an event id or request id (one per record). A lookup
/// finds the candidate blocks through the values, newest first, reads them from the journal and filters their records
/// exactly. This keeps indexing cheap on the request path's CPU (it ran a per-event row into eleven b-trees before:
/// ~10 % of the server's CPU under load) while a lookup reads at most a few blocks beyond the page it returns.
/// It is derived data: written without fsync and rebuilt from the journal after a crash or when its layout changes.
/// </summary>
public sealed class AuditIndex
{
    /// <summary>The layout this code writes; an index of another (or no) version is dropped and rebuilt from the journal.</summary>
    private const int SchemaVersion = 4;

    /// <summary>Records per block at most: bounds what a lookup reads per candidate block (~256 KiB of records).</summary>
    public const int BlockRecords = 256;

    private readonly SqliteConnectionFactory _factory;
    private readonly string _journalDirectory;

    /// <summary>Opens (creating, or rebuilding an older layout, when needed) the index database of the journal beside it.</summary>
    public AuditIndex(string path)
    {
        _journalDirectory = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!;
        _factory = new SqliteConnectionFactory(path, durable: false);
        using var connection = _factory.Open();
        SqliteConnectionFactory.Execute(connection, "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;");
        if (Version(connection) != SchemaVersion)
        {
            // Derived data: drop whatever layout is there and index the journal again from its start.
            SqliteConnectionFactory.Execute(connection, """
                DROP TABLE IF EXISTS events;
                DROP TABLE IF EXISTS event_resources;
                DROP TABLE IF EXISTS blocks;
                DROP TABLE IF EXISTS block_values;
                DELETE FROM meta;
                """);
        }
        SqliteConnectionFactory.Execute(connection, $"""
            CREATE TABLE IF NOT EXISTS blocks (
                block INTEGER PRIMARY KEY,
                first_seq INTEGER NOT NULL,
                count INTEGER NOT NULL,
                segment INTEGER NOT NULL,
                offset INTEGER NOT NULL,
                length INTEGER NOT NULL,
                min_time INTEGER NOT NULL,
                max_time INTEGER NOT NULL,
                eid_min INTEGER, eid_max INTEGER,
                rid_min INTEGER, rid_max INTEGER
            );
            CREATE INDEX IF NOT EXISTS blocks_time ON blocks(max_time);
            CREATE INDEX IF NOT EXISTS blocks_eid ON blocks(eid_min);
            CREATE INDEX IF NOT EXISTS blocks_rid ON blocks(rid_min);
            CREATE TABLE IF NOT EXISTS block_values (kind INTEGER NOT NULL, value TEXT NOT NULL, block INTEGER NOT NULL, PRIMARY KEY (kind, value, block)) WITHOUT ROWID;
            INSERT INTO meta (key, value) VALUES ('schema', {SchemaVersion}) ON CONFLICT (key) DO UPDATE SET value = excluded.value;
            """);
    }

    /// <summary>The value kind of request ids (the LookupAttribute values are the others).</summary>
    private const int RequestIdKind = 100;

    private static long Version(SqliteConnection connection) => Meta(connection, "schema") ?? 0;

    private static long? Meta(SqliteConnection connection, string key)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT value FROM meta WHERE key = $k";
        command.Parameters.AddWithValue("$k", key);
        return command.ExecuteScalar() is long value ? value : null;
    }

    /// <summary>The journal position indexed so far.</summary>
    public JournalPosition Position()
    {
        using var connection = _factory.Open();
        return new JournalPosition((int)(Meta(connection, "segment") ?? 1), Meta(connection, "offset") ?? 0);
    }

    /// <summary>Indexes journal records, in journal order, and records the position after the last one; returns how many.</summary>
    public int Apply(IEnumerable<JournalEntry> entries, int maxRecords)
    {
        using var connection = _factory.Open();
        using var transaction = connection.BeginTransaction(deferred: false);
        using var insertBlock = connection.CreateCommand();
        insertBlock.Transaction = transaction;
        insertBlock.CommandText = """
            INSERT INTO blocks (first_seq, count, segment, offset, length, min_time, max_time, eid_min, eid_max, rid_min, rid_max)
            VALUES ($first, $count, $segment, $offset, $length, $min, $max, $eidMin, $eidMax, $ridMin, $ridMax) RETURNING block
            """;
        var bFirst = insertBlock.Parameters.Add("$first", SqliteType.Integer);
        var bCount = insertBlock.Parameters.Add("$count", SqliteType.Integer);
        var bSegment = insertBlock.Parameters.Add("$segment", SqliteType.Integer);
        var bOffset = insertBlock.Parameters.Add("$offset", SqliteType.Integer);
        var bLength = insertBlock.Parameters.Add("$length", SqliteType.Integer);
        var bMin = insertBlock.Parameters.Add("$min", SqliteType.Integer);
        var bMax = insertBlock.Parameters.Add("$max", SqliteType.Integer);
        var bIds = new[] { "$eidMin", "$eidMax", "$ridMin", "$ridMax" }.Select(n => insertBlock.Parameters.Add(n, SqliteType.Integer)).ToArray();
        using var insertValue = connection.CreateCommand();
        insertValue.Transaction = transaction;
        insertValue.CommandText = "INSERT OR IGNORE INTO block_values (kind, value, block) VALUES ($kind, $value, $block)";
        var vKind = insertValue.Parameters.Add("$kind", SqliteType.Integer);
        var vValue = insertValue.Parameters.Add("$value", SqliteType.Text);
        var vBlock = insertValue.Parameters.Add("$block", SqliteType.Integer);

        var nextSeq = Meta(connection, "next_seq") ?? 1;
        var idSpan = Meta(connection, "id_span") ?? 0;
        var block = new BlockBuilder();
        void Flush()
        {
            if (block.Count == 0) return;
            bFirst.Value = nextSeq;
            bCount.Value = block.Count;
            bSegment.Value = block.Start.Segment;
            bOffset.Value = block.Start.Offset;
            bLength.Value = block.End.Offset - block.Start.Offset;
            bMin.Value = block.MinTime;
            bMax.Value = block.MaxTime;
            bIds[0].Value = block.EventIds.Min ?? (object)DBNull.Value;
            bIds[1].Value = block.EventIds.Max ?? (object)DBNull.Value;
            bIds[2].Value = block.RequestIds.Min ?? (object)DBNull.Value;
            bIds[3].Value = block.RequestIds.Max ?? (object)DBNull.Value;
            idSpan = Math.Max(idSpan, Math.Max(block.EventIds.Span, block.RequestIds.Span));
            vBlock.Value = (long)insertBlock.ExecuteScalar()!;
            foreach (var (kind, value) in block.Values)
            {
                vKind.Value = kind;
                vValue.Value = value;
                insertValue.ExecuteNonQuery();
            }
            nextSeq += block.Count;
            block.Clear();
        }

        var count = 0;
        JournalPosition? last = null;
        foreach (var entry in entries)
        {
            // A block is one contiguous range of one segment.
            if (block.Count == BlockRecords || (block.Count > 0 && (entry.Start.Segment != block.End.Segment || entry.Start.Offset != block.End.Offset))) Flush();
            block.Add(IndexedRecord.Parse(entry.Json.Span), entry.Start, entry.After);
            last = entry.After;
            if (++count >= maxRecords) break;
        }
        Flush();
        if (last is { } position)
        {
            using var meta = connection.CreateCommand();
            meta.Transaction = transaction;
            meta.CommandText = "INSERT INTO meta (key, value) VALUES ('segment', $s), ('offset', $o), ('next_seq', $n), ('id_span', $span) ON CONFLICT (key) DO UPDATE SET value = excluded.value";
            meta.Parameters.AddWithValue("$s", position.Segment);
            meta.Parameters.AddWithValue("$o", position.Offset);
            meta.Parameters.AddWithValue("$n", nextSeq);
            meta.Parameters.AddWithValue("$span", idSpan);
            meta.ExecuteNonQuery();
        }
        transaction.Commit();
        return count;
    }

    /// <summary>The block being gathered: its range, time span and distinct attribute values.</summary>
    private sealed class BlockBuilder
    {
        public int Count { get; private set; }
        public JournalPosition Start { get; private set; } = JournalPosition.Start;
        public JournalPosition End { get; private set; } = JournalPosition.Start;
        public long MinTime { get; private set; }
        public long MaxTime { get; private set; }
        public HashSet<(int Kind, string Value)> Values { get; } = [];
        public IdRange EventIds { get; } = new();
        public IdRange RequestIds { get; } = new();

        public void Add(IndexedRecord record, JournalPosition start, JournalPosition after)
        {
            if (Count == 0)
            {
                Start = start;
                MinTime = MaxTime = record.TimeMs;
            }
            End = after;
            MinTime = Math.Min(MinTime, record.TimeMs);
            MaxTime = Math.Max(MaxTime, record.TimeMs);
            Count++;
            if (!EventIds.TryAdd(record.EventId)) Values.Add(((int)LookupAttribute.EventId, record.EventId));
            Values.Add(((int)LookupAttribute.EventName, record.EventName));
            Values.Add(((int)LookupAttribute.EventSource, record.EventSource));
            Values.Add(((int)LookupAttribute.ReadOnly, record.ReadOnly ? "true" : "false"));
            if (record.Username is not null) Values.Add(((int)LookupAttribute.Username, record.Username));
            if (record.AccessKeyId is not null) Values.Add(((int)LookupAttribute.AccessKeyId, record.AccessKeyId));
            if (record.RequestId is not null && !RequestIds.TryAdd(record.RequestId)) Values.Add((RequestIdKind, record.RequestId));
            foreach (var resource in record.Resources)
            {
                Values.Add(((int)LookupAttribute.ResourceType, resource.Type));
                Values.Add(((int)LookupAttribute.ResourceName, resource.Arn));
            }
        }

        public void Clear()
        {
            Count = 0;
            Values.Clear();
            EventIds.Clear();
            RequestIds.Clear();
        }
    }

    /// <summary>Removes events older than <paramref name="cutoff"/> (retention); LookupEvents no longer finds them.</summary>
    /// <remarks>Also removes every event of a journal segment before <paramref name="firstKeptSegment"/>, whose records are gone.</remarks>
    public void PruneBefore(DateTimeOffset cutoff, int firstKeptSegment = 0)
    {
        using var connection = _factory.Open();
        using var transaction = connection.BeginTransaction(deferred: false);
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        // Whole blocks go when all their events are older; a block that straddles the cutoff stays, and lookups
        // leave out its older events (the cutoff is kept in meta; it only ever moves forward).
        command.CommandText = """
            DELETE FROM block_values WHERE block IN (SELECT block FROM blocks WHERE max_time < $cutoff OR segment < $segment);
            DELETE FROM blocks WHERE max_time < $cutoff OR segment < $segment;
            INSERT INTO meta (key, value) VALUES ('cutoff', $cutoff) ON CONFLICT (key) DO UPDATE SET value = max(value, excluded.value);
            """;
        command.Parameters.AddWithValue("$cutoff", cutoff.ToUnixTimeMilliseconds());
        command.Parameters.AddWithValue("$segment", firstKeptSegment);
        command.ExecuteNonQuery();
        transaction.Commit();
    }

    /// <summary>
    /// Above this many candidate blocks a lookup walks all blocks newest first and tests each for the value (the page
    /// fills from the newest few); below it, it collects the candidates through the value index and sorts those.
    /// </summary>
    private const int CommonValueThreshold = 200;

    /// <summary>Looks events up, newest first (by event time, then journal order).</summary>
    public AuditPage Lookup(AuditQuery query)
    {
        using var connection = _factory.Open();
        var cutoff = Meta(connection, "cutoff") ?? long.MinValue;
        var from = Math.Max(cutoff, query.StartTime?.ToUnixTimeMilliseconds() ?? long.MinValue);
        var to = query.EndTime?.ToUnixTimeMilliseconds() ?? long.MaxValue;
        (long Time, long Seq)? after = query.NextToken is null ? null : DecodeToken(query.NextToken);
        if (after is { } token) to = Math.Min(to, token.Time);

        using var command = connection.CreateCommand();
        command.Parameters.AddWithValue("$from", from);
        command.Parameters.AddWithValue("$to", to);
        var where = "b.max_time >= $from AND b.min_time <= $to";
        if (after is { } resume)
        {
            // Past the token: a block can only hold a later event with an older time, or the token's time and an
            // earlier ordinal (event times have whole seconds, so thousands of events may share the token's).
            command.Parameters.AddWithValue("$tt", resume.Time);
            command.Parameters.AddWithValue("$ts", resume.Seq);
            where += " AND (b.min_time < $tt OR b.first_seq < $ts)";
        }
        if (query.Attribute is { } attribute)
        {
            var value = attribute == LookupAttribute.ReadOnly ? (IndexedRecord.IsTrue(query.Value ?? "") ? "true" : "false") : query.Value ?? "";
            command.Parameters.AddWithValue("$kind", (int)attribute);
            command.Parameters.AddWithValue("$v", value);
            where += attribute == LookupAttribute.EventId
                ? " AND b.block IN (" + IdCandidates(command, connection, "eid", value) + ")"
                : CountBlocks(connection, (int)attribute, value) >= CommonValueThreshold
                    ? " AND EXISTS (SELECT 1 FROM block_values v WHERE v.kind = $kind AND v.value = $v AND v.block = b.block)"
                    : " AND b.block IN (SELECT block FROM block_values WHERE kind = $kind AND value = $v)";
        }
        command.CommandText = $"SELECT {BlockColumns} FROM blocks b WHERE {where} ORDER BY b.max_time DESC, b.block DESC";

        bool Wanted(IndexedRecord record, long seq)
            => record.TimeMs >= from && record.TimeMs <= to
               && (after is not { } t || record.TimeMs < t.Time || (record.TimeMs == t.Time && seq < t.Seq))
               && (query.Attribute is not { } a || record.Matches(a, query.Value ?? ""));

        // Gathers a page and one more (whose presence means there is a next page), newest first.
        var want = query.MaxResults + 1;
        var found = new List<(long Time, long Seq, IndexedRecord Record, ReadOnlyMemory<byte> Json)>();
        using (var blocks = new BlockReader(_journalDirectory))
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                var block = BlockOf(reader);
                // Blocks come newest event first, then latest in the journal first: once one can hold nothing after
                // the page's last event (older, or as old and earlier in the journal), neither can any that follows.
                if (found.Count >= want && (block.MaxTime < found[want - 1].Time || (block.MaxTime == found[want - 1].Time && block.LastSeq < found[want - 1].Seq)))
                    break;
                foreach (var (record, seq, json) in blocks.Records(block))
                    if (Wanted(record, seq)) found.Add((record.TimeMs, seq, record, json));
                found.Sort((x, y) => x.Time != y.Time ? y.Time.CompareTo(x.Time) : y.Seq.CompareTo(x.Seq));
                if (found.Count > want) found.RemoveRange(want, found.Count - want);
            }
        }
        string? next = null;
        if (found.Count > query.MaxResults)
        {
            found.RemoveAt(found.Count - 1);
            next = EncodeToken(found[^1].Time, found[^1].Seq);
        }
        return new AuditPage(found.Select(r => ToStored(r.Record, r.Json)).ToList(), next);
    }

    /// <summary>
    /// The blocks that may hold an event id or request id (<c>$kind</c>, <c>$v</c>): those with it as a value row, and,
    /// for a UUID of version 7, those whose id time range (<paramref name="column"/>: eid or rid) covers its time.
    /// A range's start lies at most the widest range ever indexed (<c>id_span</c>) before the id's time, which bounds
    /// the scan of its index.
    /// </summary>
    private static string IdCandidates(SqliteCommand command, SqliteConnection connection, string column, string id)
    {
        const string rows = "SELECT block FROM block_values WHERE kind = $kind AND value = $v";
        if (!IdRange.TryTime(id, out var time)) return rows;
        command.Parameters.AddWithValue("$idTime", time);
        command.Parameters.AddWithValue("$idFrom", time - (Meta(connection, "id_span") ?? 0));
        return $"{rows} UNION SELECT block FROM blocks WHERE {column}_min BETWEEN $idFrom AND $idTime AND {column}_max >= $idTime";
    }

    private static long CountBlocks(SqliteConnection connection, int kind, string value)
    {
        using var count = connection.CreateCommand();
        count.CommandText = $"SELECT COUNT(*) FROM (SELECT 1 FROM block_values WHERE kind = $kind AND value = $v LIMIT {CommonValueThreshold})";
        count.Parameters.AddWithValue("$kind", kind);
        count.Parameters.AddWithValue("$v", value);
        return (long)count.ExecuteScalar()!;
    }

    /// <summary>The event of a request id (the newest, should a client reuse one), or null.</summary>
    public StoredEvent? FindByRequestId(string requestId)
    {
        using var connection = _factory.Open();
        var cutoff = Meta(connection, "cutoff") ?? long.MinValue;
        using var command = connection.CreateCommand();
        command.Parameters.AddWithValue("$kind", RequestIdKind);
        command.Parameters.AddWithValue("$v", requestId);
        command.CommandText = $"SELECT {BlockColumns} FROM blocks b WHERE b.block IN ({IdCandidates(command, connection, "rid", requestId)}) ORDER BY b.block DESC";
        using var blocks = new BlockReader(_journalDirectory);
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            (IndexedRecord Record, ReadOnlyMemory<byte> Json)? newest = null;
            foreach (var (record, _, json) in blocks.Records(BlockOf(reader)))
                if (record.RequestId == requestId && record.TimeMs >= cutoff) newest = (record, json);
            if (newest is { } match) return ToStored(match.Record, match.Json);
        }
        return null;
    }

    private const string BlockColumns = "b.first_seq, b.count, b.segment, b.offset, b.length, b.max_time";

    private static IndexBlock BlockOf(SqliteDataReader reader)
        => new(reader.GetInt64(0), (int)reader.GetInt64(1), new JournalPosition((int)reader.GetInt64(2), reader.GetInt64(3)), (int)reader.GetInt64(4), reader.GetInt64(5));

    private static StoredEvent ToStored(IndexedRecord record, ReadOnlyMemory<byte> json)
        => new(record.EventId, record.EventName, record.ReadOnly, record.AccessKeyId, DateTimeOffset.FromUnixTimeMilliseconds(record.TimeMs),
            record.EventSource, record.Username, record.Resources, Encoding.UTF8.GetString(json.Span));

    private static string EncodeToken(long time, long seq)
        => Convert.ToBase64String(Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"v1:{time}:{seq}")));

    private static (long Time, long Seq) DecodeToken(string token)
    {
        try
        {
            var parts = Encoding.UTF8.GetString(Convert.FromBase64String(token)).Split(':');
            if (parts.Length == 3 && parts[0] == "v1")
                return (long.Parse(parts[1], CultureInfo.InvariantCulture), long.Parse(parts[2], CultureInfo.InvariantCulture));
        }
        catch (FormatException) { }
        throw new InvalidNextTokenException();
    }
}
