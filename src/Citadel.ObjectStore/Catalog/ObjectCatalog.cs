using System.Text.Json;
using Citadel.ObjectStore.Model;
using Citadel.Storage;
using Microsoft.Data.Sqlite;

namespace Citadel.ObjectStore.Catalog;

/// <summary>
/// The metadata of buckets and objects in SQLite (WAL, every commit fsynced): one row per bucket, one per
/// current object version keyed by (bucket, key) in byte order, which is S3's listing order. A record
/// commits only after its ciphertext is durable in the blob store, so a listed object is always readable.
/// </summary>
public sealed class ObjectCatalog
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly SqliteConnectionFactory _db;

    /// <summary>Opens (and creates) the catalog at <paramref name="path"/>.</summary>
    public ObjectCatalog(string path)
    {
        FilePermissions.CreatePrivateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        _db = new SqliteConnectionFactory(path);
        using var connection = _db.Open();
        SqliteConnectionFactory.Execute(connection, """
            CREATE TABLE IF NOT EXISTS buckets (name TEXT PRIMARY KEY, record TEXT NOT NULL) WITHOUT ROWID;
            CREATE TABLE IF NOT EXISTS objects (bucket TEXT NOT NULL, key TEXT NOT NULL, record TEXT NOT NULL, PRIMARY KEY (bucket, key)) WITHOUT ROWID;
            CREATE TABLE IF NOT EXISTS service_keys (name TEXT PRIMARY KEY, wrapped BLOB NOT NULL) WITHOUT ROWID;
            """);
    }

    /// <summary>A bucket, or null.</summary>
    public BucketRecord? GetBucket(string name)
    {
        using var connection = _db.Open();
        return Single<BucketRecord>(connection, null, "SELECT record FROM buckets WHERE name = $a", name);
    }

    /// <summary>Every bucket, by name.</summary>
    public IReadOnlyList<BucketRecord> ListBuckets()
    {
        using var connection = _db.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT record FROM buckets ORDER BY name";
        return Read<BucketRecord>(command);
    }

    /// <summary>Creates a bucket; false when the name is taken.</summary>
    public bool CreateBucket(BucketRecord bucket)
    {
        using var connection = _db.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "INSERT OR IGNORE INTO buckets (name, record) VALUES ($a, $b)";
        command.Parameters.AddWithValue("$a", bucket.Name);
        command.Parameters.AddWithValue("$b", JsonSerializer.Serialize(bucket, Json));
        return command.ExecuteNonQuery() == 1;
    }

    /// <summary>Replaces a bucket's record (configuration changes); false when the bucket is gone.</summary>
    public bool UpdateBucket(BucketRecord bucket)
    {
        using var connection = _db.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "UPDATE buckets SET record = $b WHERE name = $a";
        command.Parameters.AddWithValue("$a", bucket.Name);
        command.Parameters.AddWithValue("$b", JsonSerializer.Serialize(bucket, Json));
        return command.ExecuteNonQuery() == 1;
    }

    /// <summary>Deletes an empty bucket; false when it does not exist; throws BucketNotEmpty when it holds objects.</summary>
    public bool DeleteBucket(string name)
    {
        using var connection = _db.Open();
        using var transaction = connection.BeginTransaction(deferred: false);
        using (var check = connection.CreateCommand())
        {
            check.Transaction = transaction;
            check.CommandText = "SELECT 1 FROM objects WHERE bucket = $a LIMIT 1";
            check.Parameters.AddWithValue("$a", name);
            if (check.ExecuteScalar() is not null)
                throw new ObjectStoreException(ObjectStoreError.BucketNotEmpty, "The bucket you tried to delete is not empty", name);
        }
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "DELETE FROM buckets WHERE name = $a";
        command.Parameters.AddWithValue("$a", name);
        var deleted = command.ExecuteNonQuery() == 1;
        transaction.Commit();
        return deleted;
    }

    /// <summary>The current version of an object, or null.</summary>
    public ObjectRecord? GetObject(string bucket, string key)
    {
        using var connection = _db.Open();
        return Single<ObjectRecord>(connection, null, "SELECT record FROM objects WHERE bucket = $a AND key = $b", bucket, key);
    }

    /// <summary>Makes <paramref name="record"/> the current version; returns the record it replaced (whose blobs the caller deletes).</summary>
    public ObjectRecord? PutObject(ObjectRecord record)
    {
        using var connection = _db.Open();
        using var transaction = connection.BeginTransaction(deferred: false);
        if (Single<BucketRecord>(connection, transaction, "SELECT record FROM buckets WHERE name = $a", record.Bucket) is null)
            throw new ObjectStoreException(ObjectStoreError.NoSuchBucket, "The specified bucket does not exist", record.Bucket);
        var previous = Single<ObjectRecord>(connection, transaction, "SELECT record FROM objects WHERE bucket = $a AND key = $b", record.Bucket, record.Key);
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "INSERT OR REPLACE INTO objects (bucket, key, record) VALUES ($a, $b, $c)";
        command.Parameters.AddWithValue("$a", record.Bucket);
        command.Parameters.AddWithValue("$b", record.Key);
        command.Parameters.AddWithValue("$c", JsonSerializer.Serialize(record, Json));
        command.ExecuteNonQuery();
        transaction.Commit();
        return previous;
    }

    /// <summary>Removes the current version of an object; returns it, or null when there was none.</summary>
    public ObjectRecord? DeleteObject(string bucket, string key)
    {
        using var connection = _db.Open();
        using var transaction = connection.BeginTransaction(deferred: false);
        var previous = Single<ObjectRecord>(connection, transaction, "SELECT record FROM objects WHERE bucket = $a AND key = $b", bucket, key);
        if (previous is null) return null;
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "DELETE FROM objects WHERE bucket = $a AND key = $b";
        command.Parameters.AddWithValue("$a", bucket);
        command.Parameters.AddWithValue("$b", key);
        command.ExecuteNonQuery();
        transaction.Commit();
        return previous;
    }

    /// <summary>Up to <paramref name="limit"/> objects whose key starts with <paramref name="prefix"/> and sorts after <paramref name="after"/>, in byte order.</summary>
    public IReadOnlyList<ObjectRecord> ListObjects(string bucket, string prefix, string after, int limit)
    {
        using var connection = _db.Open();
        using var command = connection.CreateCommand();
        // key >= prefix starts the scan at the prefix; the loop below stops at the first key past it.
        command.CommandText = "SELECT record FROM objects WHERE bucket = $a AND key > $b AND key >= $c ORDER BY key LIMIT $d";
        command.Parameters.AddWithValue("$a", bucket);
        command.Parameters.AddWithValue("$b", after);
        command.Parameters.AddWithValue("$c", prefix);
        command.Parameters.AddWithValue("$d", limit);
        var result = new List<ObjectRecord>();
        foreach (var record in Read<ObjectRecord>(command))
        {
            if (!record.Key.StartsWith(prefix, StringComparison.Ordinal)) break;
            result.Add(record);
        }
        return result;
    }

    /// <summary>Every blob name some record references (for garbage collection).</summary>
    public HashSet<string> ReferencedBlobs()
    {
        using var connection = _db.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT record FROM objects";
        return Read<ObjectRecord>(command).SelectMany(r => r.Segments.Select(s => s.Blob)).ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>A wrapped service key, or null.</summary>
    public byte[]? GetServiceKey(string name)
    {
        using var connection = _db.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT wrapped FROM service_keys WHERE name = $a";
        command.Parameters.AddWithValue("$a", name);
        return command.ExecuteScalar() as byte[];
    }

    /// <summary>Stores a wrapped service key unless one exists; returns the one that is stored afterwards.</summary>
    public byte[] AddServiceKey(string name, byte[] wrapped)
    {
        using var connection = _db.Open();
        using (var command = connection.CreateCommand())
        {
            command.CommandText = "INSERT OR IGNORE INTO service_keys (name, wrapped) VALUES ($a, $b)";
            command.Parameters.AddWithValue("$a", name);
            command.Parameters.AddWithValue("$b", wrapped);
            command.ExecuteNonQuery();
        }
        return GetServiceKey(name)!;
    }

    private static T? Single<T>(SqliteConnection connection, SqliteTransaction? transaction, string sql, params string[] values) where T : class
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        for (var i = 0; i < values.Length; i++) command.Parameters.AddWithValue("$" + (char)('a' + i), values[i]);
        return Read<T>(command).FirstOrDefault();
    }

    private static List<T> Read<T>(SqliteCommand command)
    {
        var result = new List<T>();
        using var reader = command.ExecuteReader();
        while (reader.Read()) result.Add(JsonSerializer.Deserialize<T>(reader.GetString(0), Json)!);
        return result;
    }
}
