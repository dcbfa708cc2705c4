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
    private readonly Task _writerLoop;

    private long _batches;
    private long _events;
    private long _batchMicros;

    /// <summary>Committed batches, events, and seconds spent writing them, for /metrics.</summary>
    public (long Batches, long Events, double Seconds) Statistics => (Interlocked.Read(ref _batches), Interlocked.Read(ref _events), Interlocked.Read(ref _batchMicros) / 1e6);

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
                    seq INTEGER NOT NULL,
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
        _writerLoop = Task.Run(WriteLoopAsync);
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
                var started = System.Diagnostics.Stopwatch.GetTimestamp();
                WriteBatch(batch);
                Interlocked.Add(ref _batchMicros, (long)System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMicroseconds);
                Interlocked.Increment(ref _batches);
                Interlocked.Add(ref _events, batch.Count);
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
        // One connection and two prepared statements for the writer's lifetime; a failed batch drops
        // them so the next batch starts from a fresh connection.
        _writer ??= new BatchWriter(_factory.Open());
        try
        {
            _writer.Write(batch);
        }
        catch
        {
            _writer.Dispose();
            _writer = null;
            throw;
        }
    }

    private BatchWriter? _writer;

    private sealed class BatchWriter : IDisposable
    {
        private readonly SqliteConnection _connection;
        private readonly SqliteCommand _insert;
        private readonly SqliteCommand _resource;
        private readonly SqliteParameter _pId, _pTime, _pName, _pSource, _pUser, _pAkid, _pRo, _pBody, _rSeq, _rType, _rName;

        public BatchWriter(SqliteConnection connection)
        {
            _connection = connection;
            _insert = connection.CreateCommand();
            _insert.CommandText = """
                INSERT INTO events (event_id, event_time, event_name, event_source, username, access_key_id, read_only, body)
                VALUES ($id, $time, $name, $source, $user, $akid, $ro, $body) RETURNING seq
                """;
            _pId = _insert.Parameters.Add("$id", SqliteType.Text);
            _pTime = _insert.Parameters.Add("$time", SqliteType.Integer);
            _pName = _insert.Parameters.Add("$name", SqliteType.Text);
            _pSource = _insert.Parameters.Add("$source", SqliteType.Text);
            _pUser = _insert.Parameters.Add("$user", SqliteType.Text);
            _pAkid = _insert.Parameters.Add("$akid", SqliteType.Text);
            _pRo = _insert.Parameters.Add("$ro", SqliteType.Integer);
            _pBody = _insert.Parameters.Add("$body", SqliteType.Text);
            _resource = connection.CreateCommand();
            _resource.CommandText = "INSERT INTO event_resources (seq, type, name) VALUES ($seq, $type, $name)";
            _rSeq = _resource.Parameters.Add("$seq", SqliteType.Integer);
            _rType = _resource.Parameters.Add("$type", SqliteType.Text);
            _rName = _resource.Parameters.Add("$name", SqliteType.Text);
        }

        public void Write(List<Pending> batch)
        {
            using var transaction = _connection.BeginTransaction(deferred: false);
            _insert.Transaction = transaction;
            _resource.Transaction = transaction;
            foreach (var item in batch)
            {
                var e = item.Event;
                _pId.Value = e.EventId;
                _pTime.Value = e.EventTime.ToUnixTimeMilliseconds();
                _pName.Value = e.EventName;
                _pSource.Value = e.EventSource;
                _pUser.Value = (object?)e.UserIdentity.UserName ?? DBNull.Value;
                _pAkid.Value = (object?)e.UserIdentity.AccessKeyId ?? DBNull.Value;
                _pRo.Value = e.ReadOnly ? 1 : 0;
                _pBody.Value = item.Body;
                var seq = (long)_insert.ExecuteScalar()!;
                foreach (var r in e.Resources)
                {
                    _rSeq.Value = seq;
                    _rType.Value = r.Type;
                    _rName.Value = r.Arn;
                    _resource.ExecuteNonQuery();
                }
            }
            transaction.Commit();
        }

        public void Dispose()
        {
            _insert.Dispose();
            _resource.Dispose();
            _connection.Dispose();
        }
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
        await _writerLoop.ConfigureAwait(false);
        _writer?.Dispose();
    }
}
