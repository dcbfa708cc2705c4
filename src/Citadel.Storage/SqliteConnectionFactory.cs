using Microsoft.Data.Sqlite;

namespace Citadel.Storage;

/// <summary>
/// Opens SQLite connections configured for durability: WAL journal with <c>synchronous=FULL</c>
/// (every commit is fsynced before it returns), a busy timeout for concurrent writers, and foreign keys.
/// </summary>
public sealed class SqliteConnectionFactory
{
    private readonly string _connectionString;

    private readonly string _synchronous;

    /// <summary>Creates a factory for the database file at <paramref name="path"/>.</summary>
    /// <param name="durable">
    /// true: every commit is fsynced (<c>synchronous=FULL</c>). false (<c>NORMAL</c>): only for derived
    /// data that can be rebuilt, where a commit may be lost on power failure but never corrupts.
    /// </param>
    public SqliteConnectionFactory(string path, bool durable = true)
    {
        Path = path;
        _synchronous = durable ? "FULL" : "NORMAL";
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = true,
            DefaultTimeout = 30,
        }.ToString();
        // Created empty and owner-only before SQLite opens it (SQLite takes an empty file for a new database), so the
        // database never has the umask's mode and its -wal and -shm files, which SQLite creates with the database's
        // mode, are owner-only as well. Files of older versions are tightened.
        if (!File.Exists(path)) new FileStream(path, FilePermissions.OwnerOnly(new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write })).Dispose();
        FilePermissions.RestrictToOwner(path);
        FilePermissions.RestrictToOwner(path + "-wal");
        FilePermissions.RestrictToOwner(path + "-shm");
        using var connection = Open();
        Execute(connection, "PRAGMA journal_mode=WAL;");
    }

    /// <summary>The database file.</summary>
    public string Path { get; }

    /// <summary>Opens a connection with the per-connection pragmas applied.</summary>
    public SqliteConnection Open()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        // temp_store=MEMORY: a statement's rollback journal (kept for every INSERT that may abort inside a longer
        // transaction) otherwise spills to a temporary file past 64 KiB, one pwrite per page it touches; the audit
        // index made tens of thousands of those a second under load.
        Execute(connection, $"PRAGMA synchronous={_synchronous}; PRAGMA busy_timeout=30000; PRAGMA foreign_keys=ON; PRAGMA temp_store=MEMORY;");
        return connection;
    }

    /// <summary>Runs a statement without results.</summary>
    public static void Execute(SqliteConnection connection, string sql, SqliteTransaction? transaction = null)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        command.ExecuteNonQuery();
    }
}
