using System.Globalization;
using System.Text;
using System.Text.Json;
using Citadel.Storage;
using Microsoft.Data.Sqlite;

namespace Citadel.Audit;

/// <summary>
/// The lookup index of the audit journal (SQLite, <c>index.db</c>): one row per event with the
/// LookupEvents attributes indexed, and the journal position it has read up to. It is derived data:
/// written without fsync and rebuilt from the journal after a crash, so it costs requests nothing.
/// </summary>
public sealed class AuditIndex
{
    private readonly SqliteConnectionFactory _factory;

    /// <summary>Opens (creating when needed) the index database.</summary>
    public AuditIndex(string path)
    {
        _factory = new SqliteConnectionFactory(path, durable: false);
        using var connection = _factory.Open();
        SqliteConnectionFactory.Execute(connection, """
            CREATE TABLE IF NOT EXISTS events (
                seq INTEGER PRIMARY KEY,
                event_id TEXT NOT NULL,
                event_time INTEGER NOT NULL,
                event_name TEXT NOT NULL,
                event_source TEXT NOT NULL,
                username TEXT,
                access_key_id TEXT,
                read_only INTEGER NOT NULL,
                body TEXT NOT NULL
            );
            CREATE TABLE IF NOT EXISTS event_resources (seq INTEGER NOT NULL, type TEXT NOT NULL, name TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
            CREATE INDEX IF NOT EXISTS events_id ON events(event_id);
            CREATE INDEX IF NOT EXISTS events_time ON events(event_time, seq);
            CREATE INDEX IF NOT EXISTS events_name ON events(event_name, event_time);
            CREATE INDEX IF NOT EXISTS events_source ON events(event_source, event_time);
            CREATE INDEX IF NOT EXISTS events_user ON events(username, event_time);
            CREATE INDEX IF NOT EXISTS events_akid ON events(access_key_id, event_time);
            CREATE INDEX IF NOT EXISTS resources_name ON event_resources(name, seq);
            CREATE INDEX IF NOT EXISTS resources_type ON event_resources(type, seq);
            CREATE INDEX IF NOT EXISTS events_request ON events(json_extract(body, '$.requestID'));
            """);
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
    public int Apply(IEnumerable<(string Record, JournalPosition After)> records, int maxRecords)
    {
        using var connection = _factory.Open();
        using var transaction = connection.BeginTransaction(deferred: false);
        using var insert = connection.CreateCommand();
        insert.Transaction = transaction;
        insert.CommandText = """
            INSERT INTO events (event_id, event_time, event_name, event_source, username, access_key_id, read_only, body)
            VALUES ($id, $time, $name, $source, $user, $akid, $ro, $body) RETURNING seq
            """;
        var p = new[] { "$id", "$time", "$name", "$source", "$user", "$akid", "$ro", "$body" }
            .ToDictionary(n => n, n => insert.Parameters.Add(n, n is "$time" or "$ro" ? SqliteType.Integer : SqliteType.Text));
        using var resource = connection.CreateCommand();
        resource.Transaction = transaction;
        resource.CommandText = "INSERT INTO event_resources (seq, type, name) VALUES ($seq, $type, $name)";
        var rSeq = resource.Parameters.Add("$seq", SqliteType.Integer);
        var rType = resource.Parameters.Add("$type", SqliteType.Text);
        var rName = resource.Parameters.Add("$name", SqliteType.Text);
        var count = 0;
        JournalPosition? last = null;
        foreach (var (record, after) in records)
        {
            using var document = JsonDocument.Parse(record);
            var e = document.RootElement;
            var identity = e.GetProperty("userIdentity");
            var type = identity.TryGetProperty("type", out var t) ? t.GetString() : null;
            p["$id"].Value = e.GetProperty("eventID").GetString();
            p["$time"].Value = DateTimeOffset.Parse(e.GetProperty("eventTime").GetString()!, CultureInfo.InvariantCulture).ToUnixTimeMilliseconds();
            p["$name"].Value = e.GetProperty("eventName").GetString();
            p["$source"].Value = e.GetProperty("eventSource").GetString();
            p["$user"].Value = type == "Root" ? "root" : identity.TryGetProperty("userName", out var u) ? u.GetString() : DBNull.Value;
            p["$akid"].Value = identity.TryGetProperty("accessKeyId", out var a) ? a.GetString() : DBNull.Value;
            p["$ro"].Value = e.TryGetProperty("readOnly", out var ro) && ro.GetBoolean() ? 1 : 0;
            p["$body"].Value = record;
            var seq = (long)insert.ExecuteScalar()!;
            if (e.TryGetProperty("resources", out var resources))
            {
                foreach (var r in resources.EnumerateArray())
                {
                    rSeq.Value = seq;
                    rType.Value = r.GetProperty("type").GetString();
                    rName.Value = r.GetProperty("ARN").GetString();
                    resource.ExecuteNonQuery();
                }
            }
            last = after;
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
    public void PruneBefore(DateTimeOffset cutoff)
    {
        using var connection = _factory.Open();
        using var transaction = connection.BeginTransaction(deferred: false);
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = """
            DELETE FROM event_resources WHERE seq IN (SELECT seq FROM events WHERE event_time < $cutoff);
            DELETE FROM events WHERE event_time < $cutoff;
            """;
        command.Parameters.AddWithValue("$cutoff", cutoff.ToUnixTimeMilliseconds());
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
        // Matches the expression index events_request, so the lookup does not scan the events.
        command.CommandText = $"SELECT {Columns} FROM events e WHERE json_extract(e.body, '$.requestID') = $v ORDER BY e.seq DESC LIMIT 1";
        command.Parameters.AddWithValue("$v", requestId);
        return Read(command) is [var row] ? row.Event : null;
    }

    private const string Columns = "e.seq, e.event_id, e.event_time, e.event_name, e.event_source, e.username, e.access_key_id, e.read_only, e.body";

    private static List<(long Seq, long Time, StoredEvent Event)> Read(SqliteCommand command)
    {
        var rows = new List<(long Seq, long Time, StoredEvent Event)>();
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            var body = reader.GetString(8);
            rows.Add((reader.GetInt64(0), reader.GetInt64(2), new StoredEvent(reader.GetString(1), reader.GetString(3), reader.GetInt64(7) != 0,
                reader.IsDBNull(6) ? null : reader.GetString(6), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(2)),
                reader.GetString(4), reader.IsDBNull(5) ? null : reader.GetString(5), ResourcesOf(body), body)));
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
