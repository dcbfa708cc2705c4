using System.Security.Cryptography;
using Citadel.Crypto;
using Citadel.ObjectStore.Blobs;
using Citadel.ObjectStore.Catalog;
using Citadel.ObjectStore.Encryption;
using Citadel.ObjectStore.Model;

namespace Citadel.ObjectStore;

/// <summary>What a PutObject stores besides the body.</summary>
/// <param name="Bucket">The bucket.</param>
/// <param name="Key">The object key.</param>
/// <param name="Encryption">How to encrypt (request headers combined with the bucket default).</param>
/// <param name="Headers">Content-Type and the other standard headers to store.</param>
/// <param name="UserMetadata">x-amz-meta-* values.</param>
/// <param name="Tags">Object tags.</param>
/// <param name="ContentMd5">The Content-MD5 the client declared (base64), checked against the body.</param>
/// <param name="ChecksumAlgorithms">Flexible checksums to compute (the declared ones and the one the SDK named).</param>
/// <param name="ExpectedChecksums">Called after the body ended: the checksums the client declared (headers or trailers), base64 by algorithm.</param>
/// <param name="ExpectedLength">The declared plaintext length, or -1 when unknown; a shorter body is IncompleteBody.</param>
public sealed record PutObjectInput(string Bucket, string Key, EncryptionRequest Encryption, IReadOnlyDictionary<string, string> Headers,
    IReadOnlyDictionary<string, string> UserMetadata, IReadOnlyDictionary<string, string> Tags, string? ContentMd5,
    IReadOnlyCollection<string> ChecksumAlgorithms, Func<IReadOnlyDictionary<string, string>> ExpectedChecksums, long ExpectedLength);

/// <summary>An object opened for reading: its record, the plaintext range returned and a stream of it.</summary>
/// <param name="Record">The object.</param>
/// <param name="Start">First byte returned.</param>
/// <param name="End">One past the last byte returned.</param>
/// <param name="Content">The plaintext of [Start, End); the caller disposes it.</param>
public sealed record ObjectRead(ObjectRecord Record, long Start, long End, Stream Content);

/// <summary>
/// The object layer: buckets and objects over the catalog (metadata) and the blob store (ciphertext), with
/// the encryption as stream decorators in between (<see cref="EncryptingStream"/>, <see cref="DecryptingStream"/>),
/// keys from <see cref="ObjectKeys"/>. A write is visible only once its ciphertext is durable and its record
/// committed; a failed write (bad digest, broken connection, cancelled) leaves the previous version in place
/// and deletes its own blob.
/// </summary>
public sealed partial class ObjectLayer(ObjectCatalog catalog, IBlobStore blobs, ObjectKeys keys, IRandom random, TimeProvider time, string region)
{
    /// <summary>Largest single PUT (as S3: 5 GiB).</summary>
    public const long MaxPutSize = 5L * 1024 * 1024 * 1024;

    /// <summary>The key chain.</summary>
    public ObjectKeys Keys => keys;

    /// <summary>The segment cipher. Only the S3 benchmark swaps it (for its plain-copy floor); see <see cref="ISegmentCipher"/>.</summary>
    internal ISegmentCipher Segments { get; init; } = new CobblestoneSegments(random);

    /// <summary>The catalog (bucket configuration reads and writes go through it directly).</summary>
    public ObjectCatalog Catalog => catalog;

    /// <summary>Creates a bucket; BucketAlreadyOwnedByYou when it exists (one account per server).</summary>
    public BucketRecord CreateBucket(string name, string? locationConstraint)
    {
        BucketNames.Validate(name);
        var bucket = new BucketRecord { Name = name, CreationDate = Truncate(time.GetUtcNow()), Region = string.IsNullOrEmpty(locationConstraint) ? region : locationConstraint };
        if (!catalog.CreateBucket(bucket))
            throw new ObjectStoreException(ObjectStoreError.BucketAlreadyOwnedByYou, "Your previous request to create the named bucket succeeded and you already own it.", name);
        return bucket;
    }

    /// <summary>The bucket, or NoSuchBucket.</summary>
    public BucketRecord GetBucket(string name)
        => catalog.GetBucket(name) ?? throw new ObjectStoreException(ObjectStoreError.NoSuchBucket, "The specified bucket does not exist", name);

    /// <summary>Deletes an empty bucket.</summary>
    public void DeleteBucket(string name)
    {
        if (!catalog.DeleteBucket(name))
            throw new ObjectStoreException(ObjectStoreError.NoSuchBucket, "The specified bucket does not exist", name);
    }

    /// <summary>Stores an object: encrypts the body as it arrives, verifies every declared digest, then commits.</summary>
    public async Task<ObjectRecord> PutObjectAsync(PutObjectInput input, Stream body, CancellationToken cancellationToken)
    {
        GetBucket(input.Bucket);
        ObjectKeyNames.Validate(input.Key);
        MetadataLimits.Validate(input.UserMetadata);
        var (objectKey, encryption) = await keys.CreateAsync(input.Encryption, input.Bucket, input.Key, cancellationToken).ConfigureAwait(false);
        WrittenSegment written;
        try
        {
            written = await WriteSegmentAsync(input.Bucket, input.Key, 0, objectKey, body, input.ContentMd5, input.ChecksumAlgorithms,
                input.ExpectedChecksums, input.ExpectedLength, MaxPutSize, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(objectKey);
        }
        var (blob, size, etag, checksums) = (written.Blob, written.Size, written.ETag, written.Checksums);

        var record = new ObjectRecord
        {
            Bucket = input.Bucket,
            Key = input.Key,
            VersionId = NewVersionId(input.Bucket),
            Size = size,
            ETag = etag,
            LastModified = Truncate(time.GetUtcNow()),
            Headers = input.Headers,
            UserMetadata = input.UserMetadata,
            Checksums = checksums,
            Tags = input.Tags,
            Segments = [new StoredSegment(blob, size, 0, null)],
            Encryption = encryption,
        };
        IReadOnlyList<ObjectRecord> replaced;
        try
        {
            replaced = catalog.PutObject(record);
        }
        catch
        {
            await blobs.DeleteAsync(blob, CancellationToken.None).ConfigureAwait(false);
            throw;
        }
        finally
        {
            Settled(blob);
        }
        foreach (var old in replaced) await DeleteBlobsAsync(old).ConfigureAwait(false);
        return record;
    }

    private sealed record WrittenSegment(string Blob, long Size, string ETag, byte[] Md5, Dictionary<string, string> Checksums);

    /// <summary>Encrypts a body into a new blob as one segment, verifying every declared digest before the blob commits.</summary>
    private async Task<WrittenSegment> WriteSegmentAsync(string bucket, string key, int partNumber, byte[] objectKey, Stream body, string? contentMd5,
        IReadOnlyCollection<string> checksumAlgorithms, Func<IReadOnlyDictionary<string, string>> expectedChecksums, long expectedLength, long maxSize,
        CancellationToken cancellationToken)
    {
        var blob = NewBlobName();
        _uncommitted[blob] = 0;
        long size = 0;
        byte[] digest = [];
        Dictionary<string, string> checksums = [];
        try
        {
            await blobs.WriteAsync(blob, async (output, ct) =>
            {
                using var md5 = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
                using var sums = new ObjectChecksums(checksumAlgorithms);
                var encryptor = Segments.StartWriting(output, objectKey, SegmentCipher.Context(bucket, key, partNumber));
                await using (encryptor.ConfigureAwait(false))
                {
                    var buffer = new byte[1 << 16];
                    int read;
                    while ((read = await body.ReadAsync(buffer, ct).ConfigureAwait(false)) > 0)
                    {
                        size += read;
                        if (size > maxSize)
                            throw new ObjectStoreException(ObjectStoreError.EntityTooLarge, "Your proposed upload exceeds the maximum allowed size");
                        md5.AppendData(buffer.AsSpan(0, read));
                        sums.Append(buffer.AsSpan(0, read));
                        await encryptor.WriteAsync(buffer.AsMemory(0, read), ct).ConfigureAwait(false);
                    }
                    if (expectedLength >= 0 && size < expectedLength)
                        throw new ObjectStoreException(ObjectStoreError.IncompleteBody, "You did not provide the number of bytes specified by the Content-Length HTTP header.");
                    digest = md5.GetHashAndReset();
                    if (contentMd5 is not null && !CryptographicOperations.FixedTimeEquals(digest, DecodeMd5(contentMd5)))
                        throw new ObjectStoreException(ObjectStoreError.BadDigest, "The Content-MD5 you specified did not match what we received.");
                    foreach (var (algorithm, expected) in expectedChecksums())
                    {
                        if (!sums.Computed.Contains(algorithm) || sums.Value(algorithm) != expected)
                            throw new ObjectStoreException(ObjectStoreError.BadDigest, $"The {algorithm} you specified did not match the calculated checksum.");
                    }
                    foreach (var algorithm in sums.Computed) checksums[algorithm] = sums.Value(algorithm);
                    await encryptor.CompleteAsync(ct).ConfigureAwait(false);
                }
            }, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            Settled(blob);
            throw;
        }
        return new WrittenSegment(blob, size, "\"" + Convert.ToHexStringLower(digest) + "\"", digest, checksums);
    }

    /// <summary>
    /// The current object, or the version asked for. NoSuchKey when there is none or the current version is a
    /// delete marker; NoSuchVersion for an unknown version; a delete marker asked for by version is MethodNotAllowed.
    /// </summary>
    public ObjectRecord HeadObject(string bucket, string key, string? versionId = null)
    {
        GetBucket(bucket);
        if (versionId is null)
        {
            var current = catalog.GetObject(bucket, key);
            if (current is null) throw new ObjectStoreException(ObjectStoreError.NoSuchKey, "The specified key does not exist.", key);
            if (current.DeleteMarker)
                throw new ObjectStoreException(ObjectStoreError.NoSuchKey, "The specified key does not exist.", key) { DeleteMarker = true, VersionId = current.VersionId };
            return current;
        }
        var version = catalog.GetVersion(bucket, key, versionId)
            ?? throw new ObjectStoreException(ObjectStoreError.NoSuchVersion, "The specified version does not exist.", key) { VersionId = versionId };
        if (version.DeleteMarker)
            throw new ObjectStoreException(ObjectStoreError.MethodNotAllowed, "The specified method is not allowed against this resource.", key) { DeleteMarker = true, VersionId = versionId };
        return version;
    }

    /// <summary>Replaces the tags of a version (current when <paramref name="versionId"/> is null).</summary>
    public ObjectRecord SetTags(string bucket, string key, string? versionId, IReadOnlyDictionary<string, string> tags)
    {
        var record = HeadObject(bucket, key, versionId);
        var updated = record with { Tags = tags };
        if (!catalog.UpdateVersion(updated))
            throw new ObjectStoreException(ObjectStoreError.NoSuchKey, "The specified key does not exist.", key);
        return updated;
    }

    /// <summary>A new version id when the bucket's versioning is enabled, else "null".</summary>
    private string NewVersionId(string bucket)
        => GetBucket(bucket).Versioning == "Enabled" ? Convert.ToBase64String(random.GetBytes(24)).Replace('+', '-').Replace('/', '_') : "null";

    /// <summary>Checks that the caller can open the object's key (SSE-C: the right key), without reading data.</summary>
    public async Task VerifyKeyAsync(ObjectRecord record, byte[]? customerKey, CancellationToken cancellationToken)
    {
        var objectKey = await keys.OpenAsync(record.Encryption, record.Bucket, record.Key, customerKey, cancellationToken).ConfigureAwait(false);
        CryptographicOperations.ZeroMemory(objectKey);
    }

    /// <summary>Opens bytes [start, end) of an object for reading; the stream authenticates every chunk it returns.</summary>
    public async Task<ObjectRead> ReadAsync(ObjectRecord record, long start, long end, byte[]? customerKey, CancellationToken cancellationToken)
    {
        var objectKey = await keys.OpenAsync(record.Encryption, record.Bucket, record.Key, customerKey, cancellationToken).ConfigureAwait(false);
        try
        {
            return new ObjectRead(record, start, end, await ReadWithKeyAsync(record, start, end, objectKey, cancellationToken).ConfigureAwait(false));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(objectKey);
        }
    }

    /// <summary>The plaintext of [start, end) with the object key already opened (the segments' ciphers are derived before this returns).</summary>
    private async Task<Stream> ReadWithKeyAsync(ObjectRecord record, long start, long end, byte[] objectKey, CancellationToken cancellationToken)
    {
        var parts = new List<Stream>();
        long segmentStart = 0;
        foreach (var segment in record.Segments)
        {
            var segmentEnd = segmentStart + segment.PlaintextSize;
            var isFirst = parts.Count == 0;
            if (segmentEnd > start && segmentStart < end || (record.Size == 0 && isFirst))
            {
                parts.Add(await Segments.OpenReadAsync(blobs, segment, objectKey, SegmentCipher.Context(record.Bucket, record.Key, segment.PartNumber),
                    Math.Max(0, start - segmentStart), Math.Min(segment.PlaintextSize, end - segmentStart), cancellationToken).ConfigureAwait(false));
            }
            segmentStart = segmentEnd;
        }
        return new ConcatenatedStream(parts);
    }

    /// <summary>What a delete did: the version it created (a delete marker) or removed, and whether that is a delete marker.</summary>
    /// <param name="VersionId">The version id to report, or null in an unversioned bucket.</param>
    /// <param name="DeleteMarker">Whether a delete marker was created or removed.</param>
    public sealed record DeleteOutcome(string? VersionId, bool DeleteMarker);

    /// <summary>
    /// Deletes as S3 does: without a version id, an unversioned bucket removes the object and a versioned one
    /// adds a delete marker; with a version id, that version is removed for good. Deleting what is not there succeeds.
    /// </summary>
    public async Task<DeleteOutcome> DeleteObjectAsync(string bucket, string key, string? versionId = null)
    {
        var state = GetBucket(bucket).Versioning;
        if (versionId is not null)
        {
            var removed = catalog.DeleteVersion(bucket, key, versionId);
            if (removed is not null) await DeleteBlobsAsync(removed).ConfigureAwait(false);
            return new DeleteOutcome(versionId, removed?.DeleteMarker ?? false);
        }
        if (state is null)
        {
            var removed = catalog.DeleteObject(bucket, key);
            if (removed is not null) await DeleteBlobsAsync(removed).ConfigureAwait(false);
            return new DeleteOutcome(null, false);
        }
        var marker = new ObjectRecord
        {
            Bucket = bucket,
            Key = key,
            VersionId = NewVersionId(bucket),
            Size = 0,
            ETag = "",
            LastModified = Truncate(time.GetUtcNow()),
            DeleteMarker = true,
            Encryption = new ObjectEncryption("none"),
        };
        foreach (var old in catalog.PutObject(marker)) await DeleteBlobsAsync(old).ConfigureAwait(false);
        return new DeleteOutcome(marker.VersionId, true);
    }

    /// <summary>Removes blobs no record references (left by a crash between blob write and commit, or before an old version's blob was deleted).</summary>
    public async Task<int> CollectGarbageAsync(CancellationToken cancellationToken)
    {
        var referenced = catalog.ReferencedBlobs();
        var removed = 0;
        var cutoff = time.GetUtcNow() - TimeSpan.FromHours(1);
        await foreach (var name in blobs.ListAsync(cancellationToken).ConfigureAwait(false))
        {
            if (referenced.Contains(name) || _uncommitted.ContainsKey(name) || !BlobNames.CreatedBefore(name, cutoff)) continue;
            await blobs.DeleteAsync(name, cancellationToken).ConfigureAwait(false);
            removed++;
        }
        return removed;
    }

    private async Task DeleteBlobsAsync(ObjectRecord record)
    {
        foreach (var segment in record.Segments)
            await blobs.DeleteAsync(segment.Blob, CancellationToken.None).ConfigureAwait(false);
    }

    private string NewBlobName() => BlobNames.New(time.GetUtcNow(), random);

    // Blobs written but not yet committed (or deleted): garbage collection never takes them, however long the write took.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, byte> _uncommitted = new(StringComparer.Ordinal);

    /// <summary>Ends a blob's uncommitted period (its record committed, or the blob deleted).</summary>
    private void Settled(string blob) => _uncommitted.TryRemove(blob, out _);

    private static byte[] DecodeMd5(string contentMd5)
    {
        try
        {
            var bytes = Convert.FromBase64String(contentMd5);
            if (bytes.Length == 16) return bytes;
        }
        catch (FormatException)
        {
        }
        throw new ObjectStoreException(ObjectStoreError.InvalidDigest, "The Content-MD5 you specified was invalid.");
    }

    private static DateTimeOffset Truncate(DateTimeOffset value) => new(value.Ticks - value.Ticks % TimeSpan.TicksPerSecond, TimeSpan.Zero);
}
