using System.Globalization;
using Citadel.ObjectStore;
using Citadel.ObjectStore.Model;
using Citadel.Server.Protocols.S3;

namespace Citadel.Server.Services.S3;

// Versioning: Put/GetBucketVersioning and ListObjectVersions.
public sealed partial class S3Operations
{
    private S3Operation PutBucketVersioning() => new("PutBucketVersioning", false,
        (request, _) => OnBucket(request, "s3:PutBucketVersioning"),
        async (request, cancellationToken) =>
        {
            var bucket = objects.GetBucket(request.Bucket!);
            var root = S3Xml.Parse(await request.ReadSmallBodyAsync(cancellationToken).ConfigureAwait(false), "VersioningConfiguration");
            var status = root.Child("Status")?.Value;
            if (status is not (null or "Enabled" or "Suspended")) throw S3Xml.Malformed();
            if (root.Child("MfaDelete")?.Value == "Enabled")
                throw new ObjectStoreException(ObjectStoreError.NotImplemented, "MFA delete is not supported by Citadel.");
            // A bucket whose versioning was never enabled stays unversioned when asked to suspend, as in S3.
            if (status is not null && !(status == "Suspended" && bucket.Versioning is null))
                objects.Catalog.UpdateBucket(bucket with { Versioning = status });
            return S3Response.Empty();
        });

    private S3Operation GetBucketVersioning() => new("GetBucketVersioning", true,
        (request, _) => OnBucket(request, "s3:GetBucketVersioning"),
        (request, _) =>
        {
            var bucket = objects.GetBucket(request.Bucket!);
            var xml = S3Xml.E("VersioningConfiguration", bucket.Versioning is null ? null : S3Xml.E("Status", bucket.Versioning));
            return Task.FromResult(S3Response.Xml(S3Xml.Serialize(xml)));
        });

    private S3Operation ListObjectVersions() => new("ListObjectVersions", true,
        (request, _) => OnBucket(request, "s3:ListBucketVersions", ListConditionKeys(request)),
        (request, _) =>
        {
            objects.GetBucket(request.Bucket!);
            var (prefix, delimiter, maxKeys, url) = ListParameters(request);
            var keyMarker = request.Query.GetValueOrDefault("key-marker") ?? "";
            var versionMarker = request.Query.GetValueOrDefault("version-id-marker");
            // Resume after the marker version, or after every version of the marker key.
            var afterSeq = versionMarker is not null && keyMarker.Length > 0
                ? objects.Catalog.VersionSequence(request.Bucket!, keyMarker, versionMarker) ?? long.MinValue
                : long.MinValue;
            var entries = new List<(ObjectRecord Record, bool IsLatest)>();
            var prefixes = new List<string>();
            var truncated = false;
            string? nextKey = null;
            string? nextVersion = null;
            var cursorKey = keyMarker;
            var cursorSeq = afterSeq;
            while (!truncated)
            {
                var batch = objects.Catalog.ListVersions(request.Bucket!, prefix, cursorKey, cursorSeq, maxKeys + 1);
                if (batch.Count == 0) break;
                var restarted = false;
                foreach (var (record, isLatest, seq) in batch)
                {
                    if (entries.Count + prefixes.Count == maxKeys)
                    {
                        truncated = true;
                        break;
                    }
                    var index = delimiter.Length > 0 ? record.Key.IndexOf(delimiter, prefix.Length, StringComparison.Ordinal) : -1;
                    if (index >= 0)
                    {
                        var commonPrefix = record.Key[..(index + delimiter.Length)];
                        prefixes.Add(commonPrefix);
                        nextKey = commonPrefix;
                        nextVersion = null;
                        (cursorKey, cursorSeq) = (commonPrefix + AfterEverything, long.MaxValue);
                        restarted = true;
                        break;
                    }
                    entries.Add((record, isLatest));
                    (nextKey, nextVersion) = (record.Key, record.VersionId);
                    (cursorKey, cursorSeq) = (record.Key, seq);
                }
                if (!restarted && !truncated && batch.Count <= maxKeys) break;
            }
            var owner = S3Xml.E("Owner", S3Xml.E("ID", options.AccountId), S3Xml.E("DisplayName", "citadel"));
            var result = S3Xml.E("ListVersionsResult",
                S3Xml.E("Name", request.Bucket), S3Xml.E("Prefix", Encode(prefix, url)), S3Xml.E("KeyMarker", Encode(keyMarker, url)),
                S3Xml.E("VersionIdMarker", versionMarker ?? ""),
                truncated ? S3Xml.E("NextKeyMarker", Encode(nextKey!, url)) : null,
                truncated && nextVersion is not null ? S3Xml.E("NextVersionIdMarker", nextVersion) : null,
                S3Xml.E("MaxKeys", maxKeys), delimiter.Length > 0 ? S3Xml.E("Delimiter", Encode(delimiter, url)) : null,
                url ? S3Xml.E("EncodingType", "url") : null,
                S3Xml.E("IsTruncated", truncated ? "true" : "false"));
            foreach (var (record, isLatest) in entries)
            {
                result.Add(record.DeleteMarker
                    ? S3Xml.E("DeleteMarker", S3Xml.E("Key", Encode(record.Key, url)), S3Xml.E("VersionId", record.VersionId),
                        S3Xml.E("IsLatest", isLatest ? "true" : "false"), S3Xml.E("LastModified", S3Xml.Time(record.LastModified)), owner)
                    : S3Xml.E("Version", S3Xml.E("Key", Encode(record.Key, url)), S3Xml.E("VersionId", record.VersionId),
                        S3Xml.E("IsLatest", isLatest ? "true" : "false"), S3Xml.E("LastModified", S3Xml.Time(record.LastModified)),
                        S3Xml.E("ETag", record.ETag), S3Xml.E("Size", record.Size.ToString(CultureInfo.InvariantCulture)),
                        S3Xml.E("StorageClass", "STANDARD"), owner));
            }
            foreach (var commonPrefix in prefixes) result.Add(S3Xml.E("CommonPrefixes", S3Xml.E("Prefix", Encode(commonPrefix, url))));
            return Task.FromResult(S3Response.Xml(S3Xml.Serialize(result)));
        });
}
