using System.Globalization;
using System.Text;
using System.Threading.Channels;
using Citadel.Storage;
using Microsoft.Data.Sqlite;

namespace Citadel.Audit;

/// <summary>
/// The embedded audit store: its own SQLite database (so audit writes never wait on metadata
/// writes), with group commit: concurrent requests' events are written in one transaction and one
/// fsync, and each request is released only after that commit.
/// </summary>
public sealed class SqliteAuditStore : IAuditStore
{
    private const int MaxBatch = 512;
    private readonly SqliteConnectionFactory _factory;
    private readonly Channel<Pending> _queue = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task _writer;

    private sealed record Pending(AuditEvent Event, string Body, TaskCompletionSource Done);

    /// <summary>Opens (creating when needed) the audit database at <paramref name="path"/> and starts the writer.</summary>
    public SqliteAuditStore(string path)
    {
        _factory = new SqliteConnectionFactory(path);
        using (var connection = _factory.Open())
        {
            SqliteConnectionFactory.Execute(connection, """
                CREATE TABLE IF NOT EXISTS events (
                    seq INTEGER PRIMARY KEY,
                    event_id TEXT NOT NULL UNIQUE,
                    event_time INTEGER NOT NULL,
                    event_name TEXT NOT NULL,
                    event_source TEXT NOT NULL,
                    username TEXT,
                    access_key_id TEXT,
                    read_only INTEGER NOT NULL,
                    body TEXT NOT NULL
                );
                CREATE TABLE IF NOT EXISTS event_resources (
                    seq INTEGER NOT NULL REFERENCES events(seq),
                    type TEXT NOT NULL,
                    name TEXT NOT NULL
                );
                CREATE INDEX IF NOT EXISTS events_time ON events(event_time, seq);
                CREATE INDEX IF NOT EXISTS events_name ON events(event_name, event_time);
                CREATE INDEX IF NOT EXISTS events_source ON events(event_source, event_time);
                CREATE INDEX IF NOT EXISTS events_user ON events(username, event_time);
                CREATE INDEX IF NOT EXISTS events_akid ON events(access_key_id, event_time);
                CREATE INDEX IF NOT EXISTS resources_name ON event_resources(name, seq);
                CREATE INDEX IF NOT EXISTS resources_type ON event_resources(type, seq);
                """);
        }
        _writer = Task.Run(WriteLoopAsync);
    }

    /// <inheritdoc />
    public Task AppendAsync(AuditEvent auditEvent, CancellationToken cancellationToken = default)
    {
        var pending = new Pending(auditEvent, auditEvent.ToJsonString(), new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        if (!_queue.Writer.TryWrite(pending))
            throw new AuditUnavailableException("The audit store is shut down.");
        return pending.Done.Task;
    }

    private async Task WriteLoopAsync()
    {
        var batch = new List<Pending>(MaxBatch);
        while (await _queue.Reader.WaitToReadAsync().ConfigureAwait(false))
        {
            batch.Clear();
            while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var item)) batch.Add(item);
            if (batch.Count == 0) continue;
            try
            {
                WriteBatch(batch);
                foreach (var item in batch) item.Done.TrySetResult();
            }
            catch (Exception ex)
            {
                // Fail closed: every request of the batch learns its event was not recorded; the loop lives on,
                // so service resumes when the disk does.
                var failure = new AuditUnavailableException("The audit trail could not record the request: " + ex.Message, ex);
                foreach (var item in batch) item.Done.TrySetException(failure);
            }
        }
    }

    private void WriteBatch(List<Pending> batch)
    {
        using var connection = _factory.Open();
        using var transaction = connection.BeginTransaction(deferred: false);
        using var insert = connection.CreateCommand();
        insert.Transaction = transaction;
        insert.CommandText = """
            INSERT INTO events (event_id, event_time, event_name, event_source, username, access_key_id, read_only, body)
            VALUES ($id, $time, $name, $source, $user, $akid, $ro, $body) RETURNING seq
            """;
        var pId = insert.Parameters.Add("$id", SqliteType.Text);
        var pTime = insert.Parameters.Add("$time", SqliteType.Integer);
        var pName = insert.Parameters.Add("$name", SqliteType.Text);
        var pSource = insert.Parameters.Add("$source", SqliteType.Text);
        var pUser = insert.Parameters.Add("$user", SqliteType.Text);
        var pAkid = insert.Parameters.Add("$akid", SqliteType.Text);
        var pRo = insert.Parameters.Add("$ro", SqliteType.Integer);
        var pBody = insert.Parameters.Add("$body", SqliteType.Text);
        using var resource = connection.CreateCommand();
        resource.Transaction = transaction;
        resource.CommandText = "INSERT INTO event_resources (seq, type, name) VALUES ($seq, $type, $name)";
        var rSeq = resource.Parameters.Add("$seq", SqliteType.Integer);
        var rType = resource.Parameters.Add("$type", SqliteType.Text);
        var rName = resource.Parameters.Add("$name", SqliteType.Text);
        foreach (var item in batch)
        {
            var e = item.Event;
            pId.Value = e.EventId;
            pTime.Value = e.EventTime.ToUnixTimeMilliseconds();
            pName.Value = e.EventName;
            pSource.Value = e.EventSource;
            pUser.Value = (object?)e.UserIdentity.UserName ?? DBNull.Value;
            pAkid.Value = (object?)e.UserIdentity.AccessKeyId ?? DBNull.Value;
            pRo.Value = e.ReadOnly ? 1 : 0;
            pBody.Value = item.Body;
            var seq = (long)insert.ExecuteScalar()!;
            foreach (var r in e.Resources)
            {
                rSeq.Value = seq;
                rType.Value = r.Type;
                rName.Value = r.Arn;
                resource.ExecuteNonQuery();
            }
        }
        transaction.Commit();
    }

    /// <inheritdoc />
    public Task<AuditPage> LookupAsync(AuditQuery query, CancellationToken cancellationToken = default)
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
        if (query.Attribute is { } attribute)
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
                LookupAttribute.ResourceType => " AND e.seq IN (SELECT seq FROM event_resources WHERE type = $v)",
                LookupAttribute.ResourceName => " AND e.seq IN (SELECT seq FROM event_resources WHERE name = $v)",
                _ => throw new ArgumentOutOfRangeException(nameof(query)),
            });
        }
        command.CommandText = $"SELECT e.seq, e.event_id, e.event_time, e.event_name, e.event_source, e.username, e.access_key_id, e.read_only, e.body FROM events e {where} ORDER BY e.event_time DESC, e.seq DESC LIMIT $limit";
        command.Parameters.AddWithValue("$limit", query.MaxResults + 1);
        var rows = new List<(long Seq, StoredEvent Event)>();
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                rows.Add((reader.GetInt64(0), new StoredEvent(reader.GetString(1), reader.GetString(3), reader.GetInt64(7) != 0,
                    reader.IsDBNull(6) ? null : reader.GetString(6), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(2)),
                    reader.GetString(4), reader.IsDBNull(5) ? null : reader.GetString(5), [], reader.GetString(8))));
            }
        }
        string? next = null;
        if (rows.Count > query.MaxResults)
        {
            rows.RemoveAt(rows.Count - 1);
            var last = rows[^1];
            next = EncodeToken(last.Event.EventTime.ToUnixTimeMilliseconds(), last.Seq);
        }
        var events = rows.Select(r => r.Event with { Resources = ResourcesOf(connection, r.Seq) }).ToList();
        return Task.FromResult(new AuditPage(events, next));
    }

    private static List<AuditResource> ResourcesOf(SqliteConnection connection, long seq)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT type, name FROM event_resources WHERE seq = $s";
        command.Parameters.AddWithValue("$s", seq);
        using var reader = command.ExecuteReader();
        var list = new List<AuditResource>();
        while (reader.Read()) list.Add(new AuditResource(reader.GetString(0), reader.GetString(1), ""));
        return list;
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

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        // Drain: everything accepted before shutdown is written before we return.
        _queue.Writer.TryComplete();
        await _writer.ConfigureAwait(false);
    }
}
