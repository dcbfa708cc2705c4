using System.Security.Cryptography;
using Citadel.ObjectStore.Encryption;
using Citadel.ObjectStore.Model;

namespace Citadel.ObjectStore;

// Rekeying a bucket: every version is brought under the bucket's current default encryption, server-side, without
// the data leaving the server. Rewrap keeps each object key and reseals it; re-encrypt reads each segment and
// writes it again under a fresh object key (same part numbers, same ETag and checksums). A version's record is
// swapped only if it is unchanged since it was read, so a concurrent write always wins.
public sealed partial class ObjectLayer
{
    /// <summary>
    /// Runs (or resumes) a bucket's rekey job for up to <paramref name="maxVersions"/> versions and saves its progress.
    /// A finished job is started again from the beginning when asked anew.
    /// </summary>
    public async Task<RekeyJob> RekeyAsync(string bucket, bool rewrapOnly, int maxVersions, CancellationToken cancellationToken)
    {
        var record = GetBucket(bucket);
        var job = catalog.GetRekeyJob(bucket);
        if (job is null || job.Finished || job.RewrapOnly != rewrapOnly)
        {
            job = new RekeyJob
            {
                Bucket = bucket,
                Target = record.Encryption,
                RewrapOnly = rewrapOnly,
                Started = time.GetUtcNow(),
                Total = catalog.CountVersions(bucket),
            };
        }
        var target = job.Target is { Algorithm: EncryptionRequest.SseKms } kms
            ? new EncryptionRequest(EncryptionRequest.SseKms, kms.KmsKeyId, null, kms.BucketKeyEnabled)
            : EncryptionRequest.Default;
        var targetArn = target.Mode == EncryptionRequest.SseKms
            ? await keys.KmsKeyArnAsync(target.KmsKeyId, cancellationToken).ConfigureAwait(false) : null;
        var batch = catalog.ListVersions(bucket, "", job.CursorKey, job.CursorSeq, maxVersions);
        foreach (var (version, _, seq) in batch)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var outcome = version switch
            {
                { DeleteMarker: true } => RekeyOutcome.Unchanged,
                { Encryption.Mode: EncryptionRequest.SseC } => RekeyOutcome.CustomerKey,
                _ when IsUnder(version.Encryption, target, targetArn) => RekeyOutcome.Unchanged,
                _ => await RekeyVersionAsync(version, target, rewrapOnly, cancellationToken).ConfigureAwait(false),
            };
            job = job with
            {
                CursorKey = version.Key,
                CursorSeq = seq,
                Done = job.Done + 1,
                Changed = job.Changed + (outcome == RekeyOutcome.Changed ? 1 : 0),
                Unchanged = job.Unchanged + (outcome == RekeyOutcome.Unchanged ? 1 : 0),
                SkippedCustomerKeys = job.SkippedCustomerKeys + (outcome == RekeyOutcome.CustomerKey ? 1 : 0),
            };
        }
        job = job with { Finished = batch.Count < maxVersions, Total = Math.Max(job.Total, job.Done) };
        catalog.SaveRekeyJob(job);
        return job;
    }

    private enum RekeyOutcome { Changed, Unchanged, CustomerKey }

    private static bool IsUnder(ObjectEncryption encryption, EncryptionRequest target, string? targetArn)
        => encryption.Mode == target.Mode
            && (target.Mode != EncryptionRequest.SseKms || (encryption.KmsKeyArn == targetArn && encryption.BucketKeyEnabled == target.BucketKey));

    private async Task<RekeyOutcome> RekeyVersionAsync(ObjectRecord version, EncryptionRequest target, bool rewrapOnly, CancellationToken cancellationToken)
    {
        var objectKey = await keys.OpenAsync(version.Encryption, version.Bucket, version.Key, null, cancellationToken).ConfigureAwait(false);
        try
        {
            if (rewrapOnly)
            {
                var resealed = await keys.SealExistingAsync(objectKey, target, version.Bucket, version.Key, cancellationToken).ConfigureAwait(false);
                return catalog.ReplaceVersion(version, version with { Encryption = resealed }) ? RekeyOutcome.Changed : RekeyOutcome.Unchanged;
            }
            var (freshKey, encryption) = await keys.CreateAsync(target, version.Bucket, version.Key, cancellationToken).ConfigureAwait(false);
            var written = new List<StoredSegment>();
            try
            {
                foreach (var segment in version.Segments)
                {
                    var content = await ReadWithKeyAsync(version with { Segments = [segment], Size = segment.PlaintextSize }, 0, segment.PlaintextSize, objectKey, cancellationToken).ConfigureAwait(false);
                    WrittenSegment copy;
                    await using (content.ConfigureAwait(false))
                    {
                        copy = await WriteSegmentAsync(version.Bucket, version.Key, segment.PartNumber, freshKey, content, null, [],
                            () => new Dictionary<string, string>(), segment.PlaintextSize, MaxPutSize, cancellationToken).ConfigureAwait(false);
                    }
                    written.Add(new StoredSegment(copy.Blob, copy.Size, segment.PartNumber, segment.ETag));
                }
                if (catalog.ReplaceVersion(version, version with { Segments = written, Encryption = encryption }))
                {
                    await DeleteBlobsAsync(version).ConfigureAwait(false);
                    return RekeyOutcome.Changed;
                }
                foreach (var segment in written) await blobs.DeleteAsync(segment.Blob, CancellationToken.None).ConfigureAwait(false);
                return RekeyOutcome.Unchanged;
            }
            finally
            {
                foreach (var segment in written) Settled(segment.Blob);
                CryptographicOperations.ZeroMemory(freshKey);
            }
        }
        finally
        {
            CryptographicOperations.ZeroMemory(objectKey);
        }
    }
}
