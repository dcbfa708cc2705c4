using Microsoft.Data.Sqlite;

namespace Citadel.Storage;

/// <summary>The embedded <see cref="IDocumentStore"/>: one SQLite table, WAL, fsync on every commit.</summary>
public sealed class SqliteDocumentStore : IDocumentStore
{
    private readonly SqliteConnectionFactory _factory;

    /// <summary>Opens (creating when needed) the store in the database file at <paramref name="path"/>.</summary>
    public SqliteDocumentStore(string path)
    {
        _factory = new SqliteConnectionFactory(path);
        using var connection = _factory.Open();
        SqliteConnectionFactory.Execute(connection, """
            CREATE TABLE IF NOT EXISTS documents (
                collection TEXT NOT NULL,
                id TEXT NOT NULL,
                revision INTEGER NOT NULL,
                body TEXT NOT NULL,
                PRIMARY KEY (collection, id)
            ) WITHOUT ROWID;
            """);
    }

    /// <summary>
    /// Every document of <paramref name="collection"/> in the database at <paramref name="path"/>, opened read-only:
    /// for offline tools on a stopped server's data directory or a copy of it, which must not be changed.
    /// </summary>
    public static IReadOnlyList<Document> ReadCollection(string path, string collection)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"No database at {path}.", path);
        var connectionString = new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString();
        using var connection = new SqliteConnection(connectionString);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT id, revision, body FROM documents WHERE collection = $c ORDER BY id";
        command.Parameters.AddWithValue("$c", collection);
        using var reader = command.ExecuteReader();
        var result = new List<Document>();
        while (reader.Read()) result.Add(new Document(collection, reader.GetString(0), reader.GetInt64(1), reader.GetString(2)));
        return result;
    }

    /// <inheritdoc />
    public Task<Document?> GetAsync(string collection, string id, CancellationToken cancellationToken = default)
    {
        using var connection = _factory.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT revision, body FROM documents WHERE collection = $c AND id = $i";
        command.Parameters.AddWithValue("$c", collection);
        command.Parameters.AddWithValue("$i", id);
        using var reader = command.ExecuteReader();
        return Task.FromResult(reader.Read() ? new Document(collection, id, reader.GetInt64(0), reader.GetString(1)) : null);
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<Document>> ListAsync(string collection, string? afterId, int limit, CancellationToken cancellationToken = default)
    {
        using var connection = _factory.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT id, revision, body FROM documents WHERE collection = $c AND id > $a ORDER BY id LIMIT $l";
        command.Parameters.AddWithValue("$c", collection);
        command.Parameters.AddWithValue("$a", afterId ?? "");
        command.Parameters.AddWithValue("$l", limit);
        using var reader = command.ExecuteReader();
        var result = new List<Document>();
        while (reader.Read()) result.Add(new Document(collection, reader.GetString(0), reader.GetInt64(1), reader.GetString(2)));
        return Task.FromResult<IReadOnlyList<Document>>(result);
    }

    /// <inheritdoc />
    public Task WriteAsync(IReadOnlyList<DocumentWrite> writes, CancellationToken cancellationToken = default)
    {
        using var connection = _factory.Open();
        // BEGIN IMMEDIATE takes the write lock up front so the revision checks and writes are one unit.
        using var transaction = connection.BeginTransaction(deferred: false);
        foreach (var write in writes)
        {
            var current = CurrentRevision(connection, transaction, write.Collection, write.Id);
            if (write.ExpectedRevision is { } expected && expected != (current ?? 0))
                throw new ConcurrencyConflictException(write.Collection, write.Id);
            using var command = connection.CreateCommand();
            command.Transaction = transaction;
            if (write.Body is null)
            {
                command.CommandText = "DELETE FROM documents WHERE collection = $c AND id = $i";
            }
            else
            {
                command.CommandText = """
                    INSERT INTO documents (collection, id, revision, body) VALUES ($c, $i, $r, $b)
                    ON CONFLICT (collection, id) DO UPDATE SET revision = excluded.revision, body = excluded.body
                    """;
                command.Parameters.AddWithValue("$r", (current ?? 0) + 1);
                command.Parameters.AddWithValue("$b", write.Body);
            }
            command.Parameters.AddWithValue("$c", write.Collection);
            command.Parameters.AddWithValue("$i", write.Id);
            command.ExecuteNonQuery();
        }
        transaction.Commit();
        return Task.CompletedTask;
    }

    private static long? CurrentRevision(SqliteConnection connection, SqliteTransaction transaction, string collection, string id)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "SELECT revision FROM documents WHERE collection = $c AND id = $i";
        command.Parameters.AddWithValue("$c", collection);
        command.Parameters.AddWithValue("$i", id);
        return command.ExecuteScalar() is long revision ? revision : null;
    }
}
