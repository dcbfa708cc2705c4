using System.Globalization;
using System.Text;
using System.Text.Json;
using Citadel.Storage;
using Microsoft.Data.Sqlite;

namespace Citadel.Audit;

/// <summary>
/// The lookup index of the audit journal (SQLite, <c>index.db</c> beside the journal): one row per event with the
/// LookupEvents attributes indexed, where the record lies in the journal, and the journal position it has read up
/// to. It holds no event bodies (a lookup reads them from the journal), so indexing writes a small row per event
/// rather than a second copy of the trail. It is derived data: written without fsync and rebuilt from the journal
/// after a crash or when its schema changes, so it costs requests nothing.
/// </summary>
public sealed class AuditIndex
{
    /// <summary>The layout this code writes; an index of another (or no) version is dropped and rebuilt from the journal.</summary>
    private const int SchemaVersion = 2;

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
                DELETE FROM meta;
                """);
        }
        // Event and request ids are time-ordered (UUID version 7), so their index entries append at the right edge
        // of the b-tree instead of landing on a random page each.
        SqliteConnectionFactory.Execute(connection, $"""
            CREATE TABLE IF NOT EXISTS events (
                seq INTEGER PRIMARY KEY,
                segment INTEGER NOT NULL,
                offset INTEGER NOT NULL,
                length INTEGER NOT NULL,
                event_id TEXT NOT NULL,
                event_time INTEGER NOT NULL,
                event_name TEXT NOT NULL,
                event_source TEXT NOT NULL,
                username TEXT,
                access_key_id TEXT,
                read_only INTEGER NOT NULL,
                request_id TEXT
            );
            CREATE TABLE IF NOT EXISTS event_resources (seq INTEGER NOT NULL, type TEXT NOT NULL, name TEXT NOT NULL);
            CREATE INDEX IF NOT EXISTS events_id ON events(event_id);
            CREATE INDEX IF NOT EXISTS events_time ON events(event_time, seq);
            CREATE INDEX IF NOT EXISTS events_name ON events(event_name, event_time);
            CREATE INDEX IF NOT EXISTS events_source ON events(event_source, event_time);
            CREATE INDEX IF NOT EXISTS events_user ON events(username, event_time);
            CREATE INDEX IF NOT EXISTS events_akid ON events(access_key_id, event_time);
            CREATE INDEX IF NOT EXISTS events_request ON events(request_id);
            CREATE INDEX IF NOT EXISTS resources_name ON event_resources(name, seq);
            CREATE INDEX IF NOT EXISTS resources_type ON event_resources(type, seq);
            INSERT INTO meta (key, value) VALUES ('schema', {SchemaVersion}) ON CONFLICT (key) DO UPDATE SET value = excluded.value;
            """);
    }

    private static long Version(SqliteConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT value FROM meta WHERE key = 'schema'";
        return command.ExecuteScalar() is long version ? version : 0;
    }

    /// <summary>The journal position indexed so far.</summary>
    public JournalPosition Position()
    {
        using var connection = _factory.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT key, value FROM meta WHERE key IN ('segment', 'offset')";
        using var reader = command.ExecuteReader();
        int segment = 1;
        long offset = 0;
        while (reader.Read())
        {
            if (reader.GetString(0) == "segment") segment = (int)reader.GetInt64(1);
            else offset = reader.GetInt64(1);
        }
        return new JournalPosition(segment, offset);
    }

    /// <summary>Indexes journal records, in journal order, and records the position after the last one; returns how many.</summary>
    public int Apply(IEnumerable<JournalEntry> entries, int maxRecords)
    {
        using var connection = _factory.Open();
        using var transaction = connection.BeginTransaction(deferred: false);
        using var insert = connection.CreateCommand();
        insert.Transaction = transaction;
        insert.CommandText = """
            INSERT INTO events (segment, offset, length, event_id, event_time, event_name, event_source, username, access_key_id, read_only, request_id)
            VALUES ($segment, $offset, $length, $id, $time, $name, $source, $user, $akid, $ro, $request) RETURNING seq
            """;
        var p = new[] { "$segment", "$offset", "$length", "$id", "$time", "$name", "$source", "$user", "$akid", "$ro", "$request" }
            .ToDictionary(n => n, n => insert.Parameters.Add(n, n is "$segment" or "$offset" or "$length" or "$time" or "$ro" ? SqliteType.Integer : SqliteType.Text));
        using var resource = connection.CreateCommand();
        resource.Transaction = transaction;
        resource.CommandText = "INSERT INTO event_resources (seq, type, name) VALUES ($seq, $type, $name)";
        var rSeq = resource.Parameters.Add("$seq", SqliteType.Integer);
        var rType = resource.Parameters.Add("$type", SqliteType.Text);
        var rName = resource.Parameters.Add("$name", SqliteType.Text);
        var count = 0;
        JournalPosition? last = null;
        foreach (var entry in entries)
        {
            using var document = JsonDocument.Parse(entry.Json);
            var e = document.RootElement;
            var identity = e.GetProperty("userIdentity");
            var type = identity.TryGetProperty("type", out var t) ? t.GetString() : null;
            p["$segment"].Value = entry.Start.Segment;
            p["$offset"].Value = entry.Start.Offset;
            p["$length"].Value = entry.Json.Length;
            p["$id"].Value = e.GetProperty("eventID").GetString();
            p["$time"].Value = e.GetProperty("eventTime").GetDateTimeOffset().ToUnixTimeMilliseconds();
            p["$name"].Value = e.GetProperty("eventName").GetString();
            p["$source"].Value = e.GetProperty("eventSource").GetString();
            p["$user"].Value = type == "Root" ? "root" : identity.TryGetProperty("userName", out var u) ? u.GetString() : DBNull.Value;
            p["$akid"].Value = identity.TryGetProperty("accessKeyId", out var a) ? a.GetString() : DBNull.Value;
            p["$ro"].Value = e.TryGetProperty("readOnly", out var ro) && ro.GetBoolean() ? 1 : 0;
            p["$request"].Value = e.TryGetProperty("requestID", out var r) && r.ValueKind == JsonValueKind.String ? r.GetString() : DBNull.Value;
            var seq = (long)insert.ExecuteScalar()!;
            if (e.TryGetProperty("resources", out var resources))
            {
                foreach (var item in resources.EnumerateArray())
                {
                    rSeq.Value = seq;
                    rType.Value = item.GetProperty("type").GetString();
                    rName.Value = item.GetProperty("ARN").GetString();
                    resource.ExecuteNonQuery();
                }
            }
            last = entry.After;
            if (++count >= maxRecords) break;
        }
        if (last is { } position)
        {
            using var meta = connection.CreateCommand();
            meta.Transaction = transaction;
            meta.CommandText = "INSERT INTO meta (key, value) VALUES ('segment', $s), ('offset', $o) ON CONFLICT (key) DO UPDATE SET value = excluded.value";
            meta.Parameters.AddWithValue("$s", position.Segment);
            meta.Parameters.AddWithValue("$o", position.Offset);
            meta.ExecuteNonQuery();
        }
        transaction.Commit();
        return count;
    }

    /// <summary>Removes events older than <paramref name="cutoff"/> (retention); LookupEvents no longer finds them.</summary>
    /// <remarks>Also removes every event of a journal segment before <paramref name="firstKeptSegment"/>, whose records are gone.</remarks>
    public void PruneBefore(DateTimeOffset cutoff, int firstKeptSegment = 0)
    {
        using var connection = _factory.Open();
        using var transaction = connection.BeginTransaction(deferred: false);
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = """
            DELETE FROM event_resources WHERE seq IN (SELECT seq FROM events WHERE event_time < $cutoff OR segment < $segment);
            DELETE FROM events WHERE event_time < $cutoff OR segment < $segment;
            """;
        command.Parameters.AddWithValue("$cutoff", cutoff.ToUnixTimeMilliseconds());
        command.Parameters.AddWithValue("$segment", firstKeptSegment);
        command.ExecuteNonQuery();
        transaction.Commit();
    }

    private const int CommonResourceThreshold = 5000;

    /// <summary>Looks events up, newest first.</summary>
    public AuditPage Lookup(AuditQuery query)
    {
        using var connection = _factory.Open();
        using var command = connection.CreateCommand();
        var where = new StringBuilder("WHERE 1=1");
        if (query.StartTime is { } start) { where.Append(" AND e.event_time >= $start"); command.Parameters.AddWithValue("$start", start.ToUnixTimeMilliseconds()); }
        if (query.EndTime is { } end) { where.Append(" AND e.event_time <= $end"); command.Parameters.AddWithValue("$end", end.ToUnixTimeMilliseconds()); }
        if (query.NextToken is not null)
        {
            var (time, seq) = DecodeToken(query.NextToken);
            where.Append(" AND (e.event_time < $tt OR (e.event_time = $tt AND e.seq < $ts))");
            command.Parameters.AddWithValue("$tt", time);
            command.Parameters.AddWithValue("$ts", seq);
        }
        if (query.Attribute is LookupAttribute.ResourceType or LookupAttribute.ResourceName)
        {
            command.Parameters.AddWithValue("$v", query.Value ?? "");
            var column = query.Attribute == LookupAttribute.ResourceType ? "type" : "name";
            // A resource on few events: collect their seqs through the index and sort those. A resource on many
            // (every call on one busy key): walk the events newest first and test each, so the page stops early
            // instead of gathering and sorting hundreds of thousands of matches.
            using var count = connection.CreateCommand();
            count.CommandText = $"SELECT COUNT(*) FROM (SELECT 1 FROM event_resources WHERE {column} = $v LIMIT {CommonResourceThreshold})";
            count.Parameters.AddWithValue("$v", query.Value ?? "");
            var common = (long)count.ExecuteScalar()! >= CommonResourceThreshold;
            where.Append(common
                ? $" AND EXISTS (SELECT 1 FROM event_resources r WHERE r.{column} = $v AND r.seq = e.seq)"
                : $" AND e.seq IN (SELECT seq FROM event_resources WHERE {column} = $v)");
        }
        else if (query.Attribute is { } attribute)
        {
            command.Parameters.AddWithValue("$v", query.Value ?? "");
            where.Append(attribute switch
            {
                LookupAttribute.EventId => " AND e.event_id = $v",
                LookupAttribute.EventName => " AND e.event_name = $v",
                LookupAttribute.ReadOnly => " AND e.read_only = (CASE lower($v) WHEN 'true' THEN 1 ELSE 0 END)",
                LookupAttribute.Username => " AND e.username = $v",
                LookupAttribute.EventSource => " AND e.event_source = $v",
                LookupAttribute.AccessKeyId => " AND e.access_key_id = $v",
                _ => throw new ArgumentOutOfRangeException(nameof(query)),
            });
        }
        command.CommandText = $"SELECT {Columns} FROM events e {where} ORDER BY e.event_time DESC, e.seq DESC LIMIT $limit";
        command.Parameters.AddWithValue("$limit", query.MaxResults + 1);
        var rows = Read(command);
        string? next = null;
        if (rows.Count > query.MaxResults)
        {
            rows.RemoveAt(rows.Count - 1);
            next = EncodeToken(rows[^1].Time, rows[^1].Seq);
        }
        return new AuditPage(rows.Select(r => r.Event).ToList(), next);
    }

    /// <summary>The event of a request id (the newest, should a client reuse one), or null.</summary>
    public StoredEvent? FindByRequestId(string requestId)
    {
        using var connection = _factory.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {Columns} FROM events e WHERE e.request_id = $v ORDER BY e.seq DESC LIMIT 1";
        command.Parameters.AddWithValue("$v", requestId);
        return Read(command) is [var row] ? row.Event : null;
    }

    private const string Columns = "e.seq, e.event_id, e.event_time, e.event_name, e.event_source, e.username, e.access_key_id, e.read_only, e.segment, e.offset, e.length";

    /// <summary>The rows of <paramref name="command"/> with their bodies read from the journal; rows whose segment was pruned are left out.</summary>
    private List<(long Seq, long Time, StoredEvent Event)> Read(SqliteCommand command)
    {
        var rows = new List<(long Seq, long Time, StoredEvent Event)>();
        var segments = new Dictionary<int, Microsoft.Win32.SafeHandles.SafeFileHandle?>(); // a page's rows share a segment or two: open each once
        try
        {
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                var start = new JournalPosition((int)reader.GetInt64(8), reader.GetInt64(9));
                if (!segments.TryGetValue(start.Segment, out var segment))
                    segments[start.Segment] = segment = AuditJournal.OpenSegment(_journalDirectory, start.Segment);
                if (segment is null) continue;
                var body = AuditJournal.ReadRecord(segment, start, (int)reader.GetInt64(10));
                rows.Add((reader.GetInt64(0), reader.GetInt64(2), new StoredEvent(reader.GetString(1), reader.GetString(3), reader.GetInt64(7) != 0,
                    reader.IsDBNull(6) ? null : reader.GetString(6), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(2)),
                    reader.GetString(4), reader.IsDBNull(5) ? null : reader.GetString(5), ResourcesOf(body), body)));
            }
        }
        finally
        {
            foreach (var segment in segments.Values) segment?.Dispose();
        }
        return rows;
    }

    private static List<AuditResource> ResourcesOf(string body)
    {
        using var document = JsonDocument.Parse(body);
        if (!document.RootElement.TryGetProperty("resources", out var resources)) return [];
        return resources.EnumerateArray()
            .Select(r => new AuditResource(r.GetProperty("type").GetString()!, r.GetProperty("ARN").GetString()!, r.TryGetProperty("accountId", out var a) ? a.GetString() ?? "" : ""))
            .ToList();
    }

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
