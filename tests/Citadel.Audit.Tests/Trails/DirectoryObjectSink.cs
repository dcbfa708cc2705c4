using System.Text.Json;
using Citadel.Audit.Trails;

namespace Citadel.Audit.Tests.Trails;

/// <summary>
/// A test stand-in for the object store: buckets are directories of <see cref="Root"/>, an object is the file
/// <c>{bucket}/{key}</c> and its headers are <c>.meta/{bucket}/{key}.json</c> (the layout validate_logs.py serves
/// to the AWS CLI as S3). Puts can be made to fail.
/// </summary>
public sealed class DirectoryObjectSink(string root) : ITrailObjectSink
{
    public string Root { get; } = root;

    /// <summary>When set and true for an object, its put fails (the object store is down).</summary>
    public Func<TrailObject, bool>? Fail { get; set; }

    /// <summary>When set and true for an object, its put writes the object and then fails (the acknowledgement is lost).</summary>
    public Func<TrailObject, bool>? FailAfterWrite { get; set; }

    /// <summary>Every put that succeeded, in order (also retries).</summary>
    public List<TrailObject> Puts { get; } = [];

    /// <summary>Every put attempted, in order.</summary>
    public List<TrailObject> Attempts { get; } = [];

    public void CreateBucket(string bucket) => Directory.CreateDirectory(Path.Combine(Root, bucket));

    public Task<bool> BucketExistsAsync(string bucket, CancellationToken cancellationToken) => Task.FromResult(Directory.Exists(Path.Combine(Root, bucket)));

    public async Task PutObjectAsync(TrailObject trailObject, CancellationToken cancellationToken)
    {
        lock (Attempts) Attempts.Add(trailObject);
        if (Fail?.Invoke(trailObject) == true) throw new IOException($"The object store refused {trailObject.Key}.");
        if (!Directory.Exists(Path.Combine(Root, trailObject.Bucket))) throw new IOException($"No bucket {trailObject.Bucket}.");
        var path = ObjectPath(trailObject.Bucket, trailObject.Key);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await File.WriteAllBytesAsync(path, trailObject.Content, cancellationToken);
        var meta = MetaPath(trailObject.Bucket, trailObject.Key);
        Directory.CreateDirectory(Path.GetDirectoryName(meta)!);
        await File.WriteAllTextAsync(meta, JsonSerializer.Serialize(new
        {
            contentType = trailObject.ContentType,
            contentEncoding = trailObject.ContentEncoding,
            userMetadata = trailObject.UserMetadata,
            kmsKeyId = trailObject.KmsKeyId,
        }), cancellationToken);
        if (FailAfterWrite?.Invoke(trailObject) == true) throw new TimeoutException($"The object store stored {trailObject.Key} but did not answer.");
        lock (Puts) Puts.Add(trailObject);
    }

    public string ObjectPath(string bucket, string key) => Path.Combine(Root, bucket, key);

    public string MetaPath(string bucket, string key) => Path.Combine(Root, ".meta", bucket, key + ".json");

    /// <summary>The keys of a bucket under a prefix, in S3's (ordinal) order.</summary>
    public List<string> Keys(string bucket, string prefix = "")
    {
        var directory = Path.Combine(Root, bucket);
        return Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(directory, f).Replace(Path.DirectorySeparatorChar, '/'))
            .Where(k => k.StartsWith(prefix, StringComparison.Ordinal))
            .Order(StringComparer.Ordinal).ToList();
    }

    public byte[] Read(string bucket, string key) => File.ReadAllBytes(ObjectPath(bucket, key));

    public Dictionary<string, string> UserMetadata(string bucket, string key)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(MetaPath(bucket, key)));
        return document.RootElement.GetProperty("userMetadata").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!);
    }

    public void Delete(string bucket, string key)
    {
        File.Delete(ObjectPath(bucket, key));
        File.Delete(MetaPath(bucket, key));
    }
}
