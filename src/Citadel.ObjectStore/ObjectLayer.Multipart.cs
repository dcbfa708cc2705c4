using System.Globalization;
using System.Security.Cryptography;
using Citadel.Crypto;
using Citadel.ObjectStore.Encryption;
using Citadel.ObjectStore.Model;

namespace Citadel.ObjectStore;

/// <summary>What a CreateMultipartUpload records for the object to come.</summary>
/// <param name="Bucket">The bucket.</param>
/// <param name="Key">The object key.</param>
/// <param name="Encryption">How to encrypt.</param>
/// <param name="Headers">Standard headers.</param>
/// <param name="UserMetadata">x-amz-meta-* values.</param>
/// <param name="Tags">Object tags.</param>
/// <param name="ChecksumAlgorithm">The checksum algorithm named at initiation, if any.</param>
public sealed record CreateUploadInput(string Bucket, string Key, EncryptionRequest Encryption, IReadOnlyDictionary<string, string> Headers,
    IReadOnlyDictionary<string, string> UserMetadata, IReadOnlyDictionary<string, string> Tags, string? ChecksumAlgorithm);

// Multipart uploads: each part is its own segment (own blob, own Cobblestone message) under the object key
// created at initiation; completion commits the chosen parts as the object's segments in one transaction.
public sealed partial class ObjectLayer
{
    /// <summary>Smallest part except the last (as S3: 5 MiB).</summary>
    public const long MinPartSize = 5L * 1024 * 1024;

    /// <summary>Starts a multipart upload.</summary>
    public async Task<UploadRecord> CreateMultipartUploadAsync(CreateUploadInput input, CancellationToken cancellationToken)
    {
        GetBucket(input.Bucket);
        ObjectKeyNames.Validate(input.Key);
        MetadataLimits.Validate(input.UserMetadata);
        var (objectKey, encryption) = await keys.CreateAsync(input.Encryption, input.Bucket, input.Key, cancellationToken).ConfigureAwait(false);
        // Every part opens the object key again from its sealed form (for plain SSE-KMS: a KMS Decrypt per part).
        CryptographicOperations.ZeroMemory(objectKey);
        var upload = new UploadRecord
        {
            UploadId = Convert.ToHexStringLower(random.GetBytes(24)),
            Bucket = input.Bucket,
            Key = input.Key,
            Initiated = Truncate(time.GetUtcNow()),
            Encryption = encryption,
            Headers = input.Headers,
            UserMetadata = input.UserMetadata,
            Tags = input.Tags,
            ChecksumAlgorithm = input.ChecksumAlgorithm,
        };
        catalog.AddUpload(upload);
        return upload;
    }

    /// <summary>An upload of this bucket and key, or NoSuchUpload.</summary>
    public UploadRecord GetUpload(string bucket, string key, string uploadId)
    {
        var upload = catalog.GetUpload(uploadId);
        if (upload is null || upload.Bucket != bucket || upload.Key != key)
            throw new ObjectStoreException(ObjectStoreError.NoSuchUpload, "The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.", uploadId);
        return upload;
    }

    /// <summary>Stores one part, encrypted under the upload's object key (SSE-C: the customer key must be given again).</summary>
    public async Task<PartRecord> UploadPartAsync(UploadRecord upload, int partNumber, Stream body, string? contentMd5, IReadOnlyCollection<string> checksumAlgorithms,
        Func<IReadOnlyDictionary<string, string>> expectedChecksums, long expectedLength, byte[]? customerKey, CancellationToken cancellationToken)
    {
        if (partNumber is < 1 or > 10000)
            throw new ObjectStoreException(ObjectStoreError.InvalidArgument, "Part number must be an integer between 1 and 10000, inclusive");
        var objectKey = await keys.OpenAsync(upload.Encryption, upload.Bucket, upload.Key, customerKey, cancellationToken).ConfigureAwait(false);
        WrittenSegment written;
        try
        {
            written = await WriteSegmentAsync(upload.Bucket, upload.Key, partNumber, objectKey, body, contentMd5, checksumAlgorithms, expectedChecksums,
                expectedLength, MaxPutSize, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(objectKey);
        }
        var part = new PartRecord(partNumber, written.Blob, written.Size, written.ETag, Truncate(time.GetUtcNow()), written.Checksums);
        PartRecord? replaced;
        try
        {
            replaced = catalog.PutPart(upload.UploadId, part);
        }
        catch
        {
            await blobs.DeleteAsync(written.Blob, CancellationToken.None).ConfigureAwait(false);
            throw;
        }
        finally
        {
            Settled(written.Blob);
        }
        if (replaced is not null) await blobs.DeleteAsync(replaced.Blob, CancellationToken.None).ConfigureAwait(false);
        return part;
    }

    /// <summary>
    /// Completes an upload with the listed parts (ascending, each uploaded with that ETag, all but the last at
    /// least 5 MiB): the object's ETag is the MD5 of the parts' MD5s with "-N", as S3 computes it.
    /// </summary>
    public async Task<ObjectRecord> CompleteMultipartUploadAsync(UploadRecord upload, IReadOnlyList<(int PartNumber, string ETag)> requested, CancellationToken cancellationToken)
    {
        if (requested.Count == 0)
            throw new ObjectStoreException(ObjectStoreError.MalformedXml, "The XML you provided was not well-formed or did not validate against our published schema");
        var uploaded = catalog.ListParts(upload.UploadId).ToDictionary(p => p.PartNumber);
        var chosen = new List<PartRecord>();
        for (var i = 0; i < requested.Count; i++)
        {
            var (number, etag) = requested[i];
            if (i > 0 && number <= requested[i - 1].PartNumber)
                throw new ObjectStoreException(ObjectStoreError.InvalidPartOrder, "The list of parts was not in ascending order. The parts list must be specified in order by part number.");
            if (!uploaded.TryGetValue(number, out var part) || part.ETag.Trim('"') != etag.Trim('"'))
                throw new ObjectStoreException(ObjectStoreError.InvalidPart, "One or more of the specified parts could not be found. The part may not have been uploaded, or the specified entity tag may not have matched the part's entity tag.");
            chosen.Add(part);
        }
        for (var i = 0; i < chosen.Count - 1; i++)
        {
            if (chosen[i].Size < MinPartSize)
                throw new ObjectStoreException(ObjectStoreError.EntityTooSmall, "Your proposed upload is smaller than the minimum allowed object size.");
        }
        var md5s = chosen.SelectMany(p => Convert.FromHexString(p.ETag.Trim('"'))).ToArray();
        var checksums = new Dictionary<string, string>();
        if (upload.ChecksumAlgorithm is { } algorithm && chosen.All(p => p.Checksums.ContainsKey(algorithm)))
        {
            // Multipart checksums are "composite": the checksum of the parts' checksums, with -N (as S3 reports them).
            using var composite = new ObjectChecksums([algorithm]);
            foreach (var part in chosen) composite.Append(Convert.FromBase64String(part.Checksums[algorithm]));
            checksums[algorithm] = composite.Value(algorithm) + "-" + chosen.Count.ToString(CultureInfo.InvariantCulture);
        }
        var record = new ObjectRecord
        {
            Bucket = upload.Bucket,
            Key = upload.Key,
            VersionId = NewVersionId(upload.Bucket),
            Size = chosen.Sum(p => p.Size),
            ETag = "\"" + Convert.ToHexStringLower(MD5.HashData(md5s)) + "-" + chosen.Count.ToString(CultureInfo.InvariantCulture) + "\"",
            LastModified = Truncate(time.GetUtcNow()),
            Headers = upload.Headers,
            UserMetadata = upload.UserMetadata,
            Tags = upload.Tags,
            Checksums = checksums,
            Segments = chosen.Select(p => new StoredSegment(p.Blob, p.Size, p.PartNumber, p.ETag)).ToList(),
            Encryption = upload.Encryption,
        };
        var (parts, replaced) = catalog.FinishUpload(upload.UploadId, record);
        var kept = chosen.Select(p => p.Blob).ToHashSet(StringComparer.Ordinal);
        foreach (var unused in parts.Where(p => !kept.Contains(p.Blob)))
            await blobs.DeleteAsync(unused.Blob, CancellationToken.None).ConfigureAwait(false);
        foreach (var old in replaced) await DeleteBlobsAsync(old).ConfigureAwait(false);
        return record;
    }

    /// <summary>Aborts an upload and deletes its parts.</summary>
    public async Task AbortMultipartUploadAsync(UploadRecord upload)
    {
        var (parts, _) = catalog.FinishUpload(upload.UploadId, null);
        foreach (var part in parts) await blobs.DeleteAsync(part.Blob, CancellationToken.None).ConfigureAwait(false);
    }

    /// <summary>Checks that a customer key opens the upload's object key (SSE-C), without writing anything.</summary>
    public async Task VerifyUploadKeyAsync(UploadRecord upload, byte[]? customerKey, CancellationToken cancellationToken)
    {
        var objectKey = await keys.OpenAsync(upload.Encryption, upload.Bucket, upload.Key, customerKey, cancellationToken).ConfigureAwait(false);
        CryptographicOperations.ZeroMemory(objectKey);
    }
}
