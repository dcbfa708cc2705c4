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
            CREATE TABLE IF NOT EXISTS objects (bucket TEXT NOT NULL, key TEXT NOT NULL, seq INTEGER NOT NULL, delete_marker INTEGER NOT NULL,
                record TEXT NOT NULL, PRIMARY KEY (bucket, key)) WITHOUT ROWID;
            CREATE TABLE IF NOT EXISTS noncurrent (bucket TEXT NOT NULL, key TEXT NOT NULL, seq INTEGER NOT NULL, version_id TEXT NOT NULL,
                record TEXT NOT NULL, PRIMARY KEY (bucket, key, seq)) WITHOUT ROWID;
            CREATE TABLE IF NOT EXISTS rekey_jobs (bucket TEXT PRIMARY KEY, record TEXT NOT NULL) WITHOUT ROWID;
            CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
            CREATE TABLE IF NOT EXISTS uploads (upload_id TEXT PRIMARY KEY, bucket TEXT NOT NULL, key TEXT NOT NULL, record TEXT NOT NULL) WITHOUT ROWID;
            CREATE INDEX IF NOT EXISTS uploads_by_key ON uploads (bucket, key, upload_id);
            CREATE TABLE IF NOT EXISTS parts (upload_id TEXT NOT NULL, part_number INTEGER NOT NULL, record TEXT NOT NULL, PRIMARY KEY (upload_id, part_number)) WITHOUT ROWID;
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
        return Execute(connection, null, "INSERT OR IGNORE INTO buckets (name, record) VALUES ($a, $b)", bucket.Name, JsonSerializer.Serialize(bucket, Json)) == 1;
    }

    /// <summary>Replaces a bucket's record (configuration changes); false when the bucket is gone.</summary>
    public bool UpdateBucket(BucketRecord bucket)
    {
        using var connection = _db.Open();
        return Execute(connection, null, "UPDATE buckets SET record = $b WHERE name = $a", bucket.Name, JsonSerializer.Serialize(bucket, Json)) == 1;
    }

    /// <summary>Deletes an empty bucket; false when it does not exist; throws BucketNotEmpty when it holds objects.</summary>
    public bool DeleteBucket(string name)
    {
        using var connection = _db.Open();
        using var transaction = connection.BeginTransaction(deferred: false);
        using (var check = connection.CreateCommand())
        {
            check.Transaction = transaction;
            check.CommandText = "SELECT 1 FROM objects WHERE bucket = $a UNION ALL SELECT 1 FROM noncurrent WHERE bucket = $a LIMIT 1";
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

    /// <summary>The current version of an object (possibly a delete marker), or null.</summary>
    public ObjectRecord? GetObject(string bucket, string key)
    {
        using var connection = _db.Open();
        return Single<ObjectRecord>(connection, null, "SELECT record FROM objects WHERE bucket = $a AND key = $b", bucket, key);
    }

    /// <summary>A specific version (current or noncurrent), or null.</summary>
    public ObjectRecord? GetVersion(string bucket, string key, string versionId)
    {
        using var connection = _db.Open();
        if (Single<ObjectRecord>(connection, null, "SELECT record FROM objects WHERE bucket = $a AND key = $b", bucket, key) is { } current && current.VersionId == versionId)
            return current;
        return Single<ObjectRecord>(connection, null, "SELECT record FROM noncurrent WHERE bucket = $a AND key = $b AND version_id = $c", bucket, key, versionId);
    }

    /// <summary>
    /// Makes <paramref name="record"/> (an object or a delete marker) the current version, as S3 versioning does:
    /// the previous current version becomes noncurrent, unless both are "null" versions (unversioned or suspended
    /// buckets), in which case it is replaced; a new "null" version also replaces a noncurrent "null" one.
    /// Returns the versions that were replaced (whose blobs the caller deletes).
    /// </summary>
    public IReadOnlyList<ObjectRecord> PutObject(ObjectRecord record)
    {
        using var connection = _db.Open();
        using var transaction = connection.BeginTransaction(deferred: false);
        if (Single<BucketRecord>(connection, transaction, "SELECT record FROM buckets WHERE name = $a", record.Bucket) is null)
            throw new ObjectStoreException(ObjectStoreError.NoSuchBucket, "The specified bucket does not exist", record.Bucket);
        var replaced = MakeCurrent(connection, transaction, record);
        transaction.Commit();
        return replaced;
    }

    private List<ObjectRecord> MakeCurrent(SqliteConnection connection, SqliteTransaction transaction, ObjectRecord record)
    {
        var replaced = new List<ObjectRecord>();
        var previous = Current(connection, transaction, record.Bucket, record.Key);
        if (previous is { } p)
        {
            if (p.Record.VersionId == "null" && record.VersionId == "null") replaced.Add(p.Record);
            else Execute(connection, transaction, "INSERT INTO noncurrent (bucket, key, seq, version_id, record) VALUES ($a, $b, $c, $d, $e)",
                record.Bucket, record.Key, p.Seq, p.Record.VersionId, JsonSerializer.Serialize(p.Record, Json));
        }
        if (record.VersionId == "null")
        {
            replaced.AddRange(ReadAll<ObjectRecord>(connection, transaction, "SELECT record FROM noncurrent WHERE bucket = $a AND key = $b AND version_id = 'null'", record.Bucket, record.Key));
            Execute(connection, transaction, "DELETE FROM noncurrent WHERE bucket = $a AND key = $b AND version_id = 'null'", record.Bucket, record.Key);
        }
        Execute(connection, transaction, "INSERT OR REPLACE INTO objects (bucket, key, seq, delete_marker, record) VALUES ($a, $b, $c, $d, $e)",
            record.Bucket, record.Key, NextSequence(connection, transaction), record.DeleteMarker ? 1 : 0, JsonSerializer.Serialize(record, Json));
        return replaced;
    }

    /// <summary>Removes the current version outright (unversioned buckets); returns it, or null when there was none.</summary>
    public ObjectRecord? DeleteObject(string bucket, string key)
    {
        using var connection = _db.Open();
        using var transaction = connection.BeginTransaction(deferred: false);
        var previous = Current(connection, transaction, bucket, key);
        if (previous is null) return null;
        Execute(connection, transaction, "DELETE FROM objects WHERE bucket = $a AND key = $b", bucket, key);
        transaction.Commit();
        return previous.Value.Record;
    }

    /// <summary>
    /// Removes one version permanently; when it was the current one, the newest noncurrent version becomes current.
    /// Returns the removed version, or null when no such version exists.
    /// </summary>
    public ObjectRecord? DeleteVersion(string bucket, string key, string versionId)
    {
        using var connection = _db.Open();
        using var transaction = connection.BeginTransaction(deferred: false);
        ObjectRecord? removed = null;
        if (Current(connection, transaction, bucket, key) is { } current && current.Record.VersionId == versionId)
        {
            removed = current.Record;
            Execute(connection, transaction, "DELETE FROM objects WHERE bucket = $a AND key = $b", bucket, key);
            using var newest = connection.CreateCommand();
            newest.Transaction = transaction;
            newest.CommandText = "SELECT seq, record FROM noncurrent WHERE bucket = $a AND key = $b ORDER BY seq DESC LIMIT 1";
            newest.Parameters.AddWithValue("$a", bucket);
            newest.Parameters.AddWithValue("$b", key);
            using var reader = newest.ExecuteReader();
            if (reader.Read())
            {
                var seq = reader.GetInt64(0);
                var promoted = JsonSerializer.Deserialize<ObjectRecord>(reader.GetString(1), Json)!;
                reader.Close();
                Execute(connection, transaction, "DELETE FROM noncurrent WHERE bucket = $a AND key = $b AND seq = $c", bucket, key, seq);
                Execute(connection, transaction, "INSERT INTO objects (bucket, key, seq, delete_marker, record) VALUES ($a, $b, $c, $d, $e)",
                    bucket, key, seq, promoted.DeleteMarker ? 1 : 0, JsonSerializer.Serialize(promoted, Json));
            }
        }
        else
        {
            removed = Single<ObjectRecord>(connection, transaction, "SELECT record FROM noncurrent WHERE bucket = $a AND key = $b AND version_id = $c", bucket, key, versionId);
            Execute(connection, transaction, "DELETE FROM noncurrent WHERE bucket = $a AND key = $b AND version_id = $c", bucket, key, versionId);
        }
        transaction.Commit();
        return removed;
    }

    /// <summary>Replaces the stored record of an existing version in place (tag changes); false when the version is gone.</summary>
    public bool UpdateVersion(ObjectRecord record)
    {
        using var connection = _db.Open();
        using var transaction = connection.BeginTransaction(deferred: false);
        var text = JsonSerializer.Serialize(record, Json);
        var changed = Current(connection, transaction, record.Bucket, record.Key) is { } current && current.Record.VersionId == record.VersionId
            ? Execute(connection, transaction, "UPDATE objects SET record = $c WHERE bucket = $a AND key = $b", record.Bucket, record.Key, text)
            : Execute(connection, transaction, "UPDATE noncurrent SET record = $c WHERE bucket = $a AND key = $b AND version_id = $d", record.Bucket, record.Key, text, record.VersionId);
        transaction.Commit();
        return changed == 1;
    }

    /// <summary>
    /// Replaces a version's record only if it is still exactly <paramref name="expected"/> (compare-and-swap), so a
    /// background rewrite never overwrites a write that happened meanwhile; false when it changed or is gone.
    /// </summary>
    public bool ReplaceVersion(ObjectRecord expected, ObjectRecord replacement)
    {
        using var connection = _db.Open();
        using var transaction = connection.BeginTransaction(deferred: false);
        var expectedText = JsonSerializer.Serialize(expected, Json);
        var text = JsonSerializer.Serialize(replacement, Json);
        var changed = Execute(connection, transaction, "UPDATE objects SET record = $d WHERE bucket = $a AND key = $b AND record = $c",
            expected.Bucket, expected.Key, expectedText, text);
        if (changed == 0)
            changed = Execute(connection, transaction, "UPDATE noncurrent SET record = $d WHERE bucket = $a AND key = $b AND record = $c",
                expected.Bucket, expected.Key, expectedText, text);
        transaction.Commit();
        return changed == 1;
    }

    /// <summary>The number of versions (current and noncurrent, delete markers included) in a bucket.</summary>
    public long CountVersions(string bucket)
    {
        using var connection = _db.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT (SELECT COUNT(*) FROM objects WHERE bucket = $a) + (SELECT COUNT(*) FROM noncurrent WHERE bucket = $a)";
        command.Parameters.AddWithValue("$a", bucket);
        return (long)command.ExecuteScalar()!;
    }

    /// <summary>A bucket's rekey job, or null.</summary>
    public RekeyJob? GetRekeyJob(string bucket)
    {
        using var connection = _db.Open();
        return Single<RekeyJob>(connection, null, "SELECT record FROM rekey_jobs WHERE bucket = $a", bucket);
    }

    /// <summary>Stores a bucket's rekey job (its progress), durably.</summary>
    public void SaveRekeyJob(RekeyJob job)
    {
        using var connection = _db.Open();
        Execute(connection, null, "INSERT OR REPLACE INTO rekey_jobs (bucket, record) VALUES ($a, $b)", job.Bucket, JsonSerializer.Serialize(job, Json));
    }

    /// <summary>Up to <paramref name="limit"/> current objects (not delete markers) whose key starts with <paramref name="prefix"/> and sorts after <paramref name="after"/>, in byte order.</summary>
    public IReadOnlyList<ObjectRecord> ListObjects(string bucket, string prefix, string after, int limit)
    {
        using var connection = _db.Open();
        using var command = connection.CreateCommand();
        // key >= prefix starts the scan at the prefix; the loop below stops at the first key past it.
        command.CommandText = "SELECT record FROM objects WHERE bucket = $a AND key > $b AND key >= $c AND delete_marker = 0 ORDER BY key LIMIT $d";
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

    /// <summary>
    /// Versions (current and noncurrent, delete markers included) whose key starts with <paramref name="prefix"/>, by key and
    /// then newest first, starting after (<paramref name="afterKey"/>, <paramref name="afterSeq"/>); with IsLatest and the sequence for paging.
    /// </summary>
    public IReadOnlyList<(ObjectRecord Record, bool IsLatest, long Seq)> ListVersions(string bucket, string prefix, string afterKey, long afterSeq, int limit)
    {
        using var connection = _db.Open();
        using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT record, latest, seq FROM (
                SELECT key, seq, record, 1 AS latest FROM objects WHERE bucket = $a
                UNION ALL
                SELECT key, seq, record, 0 AS latest FROM noncurrent WHERE bucket = $a)
            WHERE key >= $b AND (key > $c OR (key = $c AND seq < $d))
            ORDER BY key, seq DESC LIMIT $e
            """;
        command.Parameters.AddWithValue("$a", bucket);
        command.Parameters.AddWithValue("$b", prefix);
        command.Parameters.AddWithValue("$c", afterKey);
        command.Parameters.AddWithValue("$d", afterSeq);
        command.Parameters.AddWithValue("$e", limit);
        var result = new List<(ObjectRecord, bool, long)>();
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            var record = JsonSerializer.Deserialize<ObjectRecord>(reader.GetString(0), Json)!;
            if (!record.Key.StartsWith(prefix, StringComparison.Ordinal)) break;
            result.Add((record, reader.GetInt64(1) == 1, reader.GetInt64(2)));
        }
        return result;
    }

    /// <summary>The sequence number of a version, for resuming a version listing after it; null when unknown.</summary>
    public long? VersionSequence(string bucket, string key, string versionId)
    {
        using var connection = _db.Open();
        foreach (var table in new[] { "objects", "noncurrent" })
        {
            using var command = connection.CreateCommand();
            command.CommandText = $"SELECT seq, record FROM {table} WHERE bucket = $a AND key = $b";
            command.Parameters.AddWithValue("$a", bucket);
            command.Parameters.AddWithValue("$b", key);
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                if (JsonSerializer.Deserialize<ObjectRecord>(reader.GetString(1), Json)!.VersionId == versionId) return reader.GetInt64(0);
            }
        }
        return null;
    }

    private static (ObjectRecord Record, long Seq)? Current(SqliteConnection connection, SqliteTransaction transaction, string bucket, string key)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "SELECT record, seq FROM objects WHERE bucket = $a AND key = $b";
        command.Parameters.AddWithValue("$a", bucket);
        command.Parameters.AddWithValue("$b", key);
        using var reader = command.ExecuteReader();
        return reader.Read() ? (JsonSerializer.Deserialize<ObjectRecord>(reader.GetString(0), Json)!, reader.GetInt64(1)) : null;
    }

    private static long NextSequence(SqliteConnection connection, SqliteTransaction transaction)
    {
        Execute(connection, transaction, "INSERT INTO counters (name, value) VALUES ('versions', 1) ON CONFLICT (name) DO UPDATE SET value = value + 1");
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "SELECT value FROM counters WHERE name = 'versions'";
        return (long)command.ExecuteScalar()!;
    }

    private static int Execute(SqliteConnection connection, SqliteTransaction? transaction, string sql, params object[] values)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        for (var i = 0; i < values.Length; i++) command.Parameters.AddWithValue("$" + (char)('a' + i), values[i]);
        return command.ExecuteNonQuery();
    }

    private static List<T> ReadAll<T>(SqliteConnection connection, SqliteTransaction? transaction, string sql, params string[] values)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        for (var i = 0; i < values.Length; i++) command.Parameters.AddWithValue("$" + (char)('a' + i), values[i]);
        return Read<T>(command);
    }

    /// <summary>Every blob name some object or part references (for garbage collection).</summary>
    public HashSet<string> ReferencedBlobs()
    {
        using var connection = _db.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT record FROM objects UNION ALL SELECT record FROM noncurrent";
        var blobs = Read<ObjectRecord>(command).SelectMany(r => r.Segments.Select(s => s.Blob)).ToHashSet(StringComparer.Ordinal);
        using var parts = connection.CreateCommand();
        parts.CommandText = "SELECT record FROM parts";
        blobs.UnionWith(Read<PartRecord>(parts).Select(p => p.Blob));
        return blobs;
    }

    /// <summary>Records a new multipart upload.</summary>
    public void AddUpload(UploadRecord upload)
    {
        using var connection = _db.Open();
        Execute(connection, null, "INSERT INTO uploads (upload_id, bucket, key, record) VALUES ($a, $b, $c, $d)",
            upload.UploadId, upload.Bucket, upload.Key, JsonSerializer.Serialize(upload, Json));
    }

    /// <summary>A multipart upload, or null.</summary>
    public UploadRecord? GetUpload(string uploadId)
    {
        using var connection = _db.Open();
        return Single<UploadRecord>(connection, null, "SELECT record FROM uploads WHERE upload_id = $a", uploadId);
    }

    /// <summary>Uploads of a bucket whose key starts with <paramref name="prefix"/>, by key then upload id, after the markers.</summary>
    public IReadOnlyList<UploadRecord> ListUploads(string bucket, string prefix, string keyMarker, string uploadIdMarker, int limit)
    {
        using var connection = _db.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT record FROM uploads WHERE bucket = $a AND (key > $b OR (key = $b AND upload_id > $c)) AND key >= $d ORDER BY key, upload_id LIMIT $e";
        command.Parameters.AddWithValue("$a", bucket);
        command.Parameters.AddWithValue("$b", keyMarker);
        command.Parameters.AddWithValue("$c", uploadIdMarker);
        command.Parameters.AddWithValue("$d", prefix);
        command.Parameters.AddWithValue("$e", limit);
        return Read<UploadRecord>(command).TakeWhile(u => u.Key.StartsWith(prefix, StringComparison.Ordinal)).ToList();
    }

    /// <summary>Stores a part (replacing an earlier upload of the same number); returns the part it replaced. NoSuchUpload when the upload is gone.</summary>
    public PartRecord? PutPart(string uploadId, PartRecord part)
    {
        using var connection = _db.Open();
        using var transaction = connection.BeginTransaction(deferred: false);
        if (Single<UploadRecord>(connection, transaction, "SELECT record FROM uploads WHERE upload_id = $a", uploadId) is null)
            throw new ObjectStoreException(ObjectStoreError.NoSuchUpload, "The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.");
        using var find = connection.CreateCommand();
        find.Transaction = transaction;
        find.CommandText = "SELECT record FROM parts WHERE upload_id = $a AND part_number = $b";
        find.Parameters.AddWithValue("$a", uploadId);
        find.Parameters.AddWithValue("$b", part.PartNumber);
        var previous = Read<PartRecord>(find).FirstOrDefault();
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "INSERT OR REPLACE INTO parts (upload_id, part_number, record) VALUES ($a, $b, $c)";
        command.Parameters.AddWithValue("$a", uploadId);
        command.Parameters.AddWithValue("$b", part.PartNumber);
        command.Parameters.AddWithValue("$c", JsonSerializer.Serialize(part, Json));
        command.ExecuteNonQuery();
        transaction.Commit();
        return previous;
    }

    /// <summary>The parts of an upload, by number.</summary>
    public IReadOnlyList<PartRecord> ListParts(string uploadId)
    {
        using var connection = _db.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT record FROM parts WHERE upload_id = $a ORDER BY part_number";
        command.Parameters.AddWithValue("$a", uploadId);
        return Read<PartRecord>(command);
    }

    /// <summary>
    /// Ends an upload in one transaction: removes it and its parts and, when <paramref name="result"/> is given,
    /// makes that the current object. Returns the parts and the replaced versions (whose blobs the caller may delete).
    /// </summary>
    public (IReadOnlyList<PartRecord> Parts, IReadOnlyList<ObjectRecord> Replaced) FinishUpload(string uploadId, ObjectRecord? result)
    {
        using var connection = _db.Open();
        using var transaction = connection.BeginTransaction(deferred: false);
        if (Single<UploadRecord>(connection, transaction, "SELECT record FROM uploads WHERE upload_id = $a", uploadId) is null)
            throw new ObjectStoreException(ObjectStoreError.NoSuchUpload, "The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.");
        using var list = connection.CreateCommand();
        list.Transaction = transaction;
        list.CommandText = "SELECT record FROM parts WHERE upload_id = $a ORDER BY part_number";
        list.Parameters.AddWithValue("$a", uploadId);
        var parts = Read<PartRecord>(list);
        IReadOnlyList<ObjectRecord> replaced = result is null ? [] : MakeCurrent(connection, transaction, result);
        using var delete = connection.CreateCommand();
        delete.Transaction = transaction;
        delete.CommandText = "DELETE FROM parts WHERE upload_id = $a; DELETE FROM uploads WHERE upload_id = $a;";
        delete.Parameters.AddWithValue("$a", uploadId);
        delete.ExecuteNonQuery();
        transaction.Commit();
        return (parts, replaced);
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
