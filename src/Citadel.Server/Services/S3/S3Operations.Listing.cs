using System.Globalization;
using System.Text;
using System.Xml.Linq;
using Citadel.ObjectStore;
using Citadel.ObjectStore.Model;
using Citadel.Server.Protocols.S3;

namespace Citadel.Server.Services.S3;

// Listing: ListObjectsV2 and ListObjects (prefix, delimiter, start-after/marker, continuation, encoding-type=url).
public sealed partial class S3Operations
{
    // Sorts after every valid UTF-8 continuation of a prefix: the scan resumes past all keys under a common prefix.
    private const string AfterEverything = "\U0010FFFF";

    private sealed record Listing(List<ObjectRecord> Contents, List<string> CommonPrefixes, bool Truncated, string? ResumeAfter, string? LastReturned);

    private S3Operation ListObjectsV2() => new("ListObjects", true,
        (request, _) => OnBucket(request, "s3:ListBucket", ListConditionKeys(request)),
        (request, _) =>
        {
            objects.GetBucket(request.Bucket!);
            var (prefix, delimiter, maxKeys, url) = ListParameters(request);
            request.Query.TryGetValue("continuation-token", out var token);
            request.Query.TryGetValue("start-after", out var startAfter);
            var after = token is not null ? DecodeToken(token) : startAfter ?? "";
            var listing = List(request.Bucket!, prefix, delimiter, after, maxKeys);
            var result = S3Xml.E("ListBucketResult",
                S3Xml.E("Name", request.Bucket),
                S3Xml.E("Prefix", Encode(prefix, url)),
                delimiter.Length > 0 ? S3Xml.E("Delimiter", Encode(delimiter, url)) : null,
                S3Xml.E("MaxKeys", maxKeys),
                url ? S3Xml.E("EncodingType", "url") : null,
                S3Xml.E("KeyCount", listing.Contents.Count + listing.CommonPrefixes.Count),
                S3Xml.E("IsTruncated", listing.Truncated ? "true" : "false"),
                token is not null ? S3Xml.E("ContinuationToken", token) : null,
                listing.Truncated ? S3Xml.E("NextContinuationToken", EncodeToken(listing.ResumeAfter!)) : null,
                startAfter is not null ? S3Xml.E("StartAfter", Encode(startAfter, url)) : null);
            AddEntries(result, listing, url, request.Query.TryGetValue("fetch-owner", out var owner) && owner == "true");
            return Task.FromResult(S3Response.Xml(S3Xml.Serialize(result)));
        });

    private S3Operation ListObjects() => new("ListObjects", true,
        (request, _) => OnBucket(request, "s3:ListBucket", ListConditionKeys(request)),
        (request, _) =>
        {
            objects.GetBucket(request.Bucket!);
            var (prefix, delimiter, maxKeys, url) = ListParameters(request);
            var marker = request.Query.GetValueOrDefault("marker") ?? "";
            var listing = List(request.Bucket!, prefix, delimiter, marker, maxKeys);
            var result = S3Xml.E("ListBucketResult",
                S3Xml.E("Name", request.Bucket),
                S3Xml.E("Prefix", Encode(prefix, url)),
                S3Xml.E("Marker", Encode(marker, url)),
                listing.Truncated && delimiter.Length > 0 ? S3Xml.E("NextMarker", Encode(listing.LastReturned!, url)) : null,
                S3Xml.E("MaxKeys", maxKeys),
                delimiter.Length > 0 ? S3Xml.E("Delimiter", Encode(delimiter, url)) : null,
                url ? S3Xml.E("EncodingType", "url") : null,
                S3Xml.E("IsTruncated", listing.Truncated ? "true" : "false"));
            AddEntries(result, listing, url, fetchOwner: true);
            return Task.FromResult(S3Response.Xml(S3Xml.Serialize(result)));
        });

    private Listing List(string bucket, string prefix, string delimiter, string after, int maxKeys)
    {
        var contents = new List<ObjectRecord>();
        var prefixes = new List<string>();
        string? lastReturned = null;
        string? resumeAfter = null;
        var cursor = after;
        if (maxKeys == 0) return new Listing(contents, prefixes, false, null, null);
        var limit = Math.Max(maxKeys + 1, 100);
        while (true)
        {
            var batch = objects.Catalog.ListObjects(bucket, prefix, cursor, limit);
            var restarted = false;
            foreach (var record in batch)
            {
                string? commonPrefix = null;
                if (delimiter.Length > 0)
                {
                    var index = record.Key.IndexOf(delimiter, prefix.Length, StringComparison.Ordinal);
                    if (index >= 0) commonPrefix = record.Key[..(index + delimiter.Length)];
                }
                if (contents.Count + prefixes.Count == maxKeys)
                    return new Listing(contents, prefixes, true, resumeAfter, lastReturned);
                if (commonPrefix is not null && commonPrefix == after)
                {
                    // The marker is this common prefix (ListObjects' NextMarker is the prefix itself): it was on the
                    // page before, so skip every key under it. (A prefix the marker only starts with, as "c/" for the
                    // marker "c/1", is listed: it rolls up keys after the marker.)
                    cursor = commonPrefix + AfterEverything;
                    restarted = true;
                    break;
                }
                if (commonPrefix is not null)
                {
                    prefixes.Add(commonPrefix);
                    lastReturned = commonPrefix;
                    // Skip every other key under this common prefix by resuming the scan past all of them.
                    resumeAfter = cursor = commonPrefix + AfterEverything;
                    restarted = true;
                    break;
                }
                contents.Add(record);
                lastReturned = resumeAfter = cursor = record.Key;
            }
            if (!restarted && batch.Count < limit) return new Listing(contents, prefixes, false, null, lastReturned);
        }
    }

    private static void AddEntries(XElement result, Listing listing, bool url, bool fetchOwner)
    {
        foreach (var record in listing.Contents)
        {
            result.Add(S3Xml.E("Contents",
                S3Xml.E("Key", Encode(record.Key, url)),
                S3Xml.E("LastModified", S3Xml.Time(record.LastModified)),
                S3Xml.E("ETag", record.ETag),
                record.Checksums.Keys.Select(a => S3Xml.E("ChecksumAlgorithm", a)),
                record.Checksums.Count > 0 ? S3Xml.E("ChecksumType", "FULL_OBJECT") : null,
                S3Xml.E("Size", record.Size.ToString(CultureInfo.InvariantCulture)),
                fetchOwner ? S3Xml.E("Owner", S3Xml.E("ID", "citadel"), S3Xml.E("DisplayName", "citadel")) : null,
                S3Xml.E("StorageClass", "STANDARD")));
        }
        foreach (var prefix in listing.CommonPrefixes)
            result.Add(S3Xml.E("CommonPrefixes", S3Xml.E("Prefix", Encode(prefix, url))));
    }

    private static (string Prefix, string Delimiter, int MaxKeys, bool Url) ListParameters(S3Request request)
    {
        var prefix = request.Query.GetValueOrDefault("prefix") ?? "";
        var delimiter = request.Query.GetValueOrDefault("delimiter") ?? "";
        var maxKeys = 1000;
        if (request.Query.TryGetValue("max-keys", out var text))
        {
            if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out maxKeys))
                throw new ObjectStoreException(ObjectStoreError.InvalidArgument, "Provided max-keys not an integer or within integer range");
            maxKeys = Math.Min(maxKeys, 1000);
        }
        var encoding = request.Query.GetValueOrDefault("encoding-type");
        if (encoding is not null && encoding != "url")
            throw new ObjectStoreException(ObjectStoreError.InvalidArgument, "Invalid Encoding Method specified in Request");
        return (prefix, delimiter, maxKeys, encoding == "url");
    }

    private static Dictionary<string, IReadOnlyList<string>> ListConditionKeys(S3Request request)
    {
        var keys = new Dictionary<string, IReadOnlyList<string>>(StringComparer.OrdinalIgnoreCase);
        foreach (var name in new[] { "prefix", "delimiter", "max-keys" })
        {
            if (request.Query.TryGetValue(name, out var value)) keys["s3:" + name] = [value];
        }
        return keys;
    }

    private static string Encode(string value, bool url) => url ? Uri.EscapeDataString(value).Replace("%2F", "/", StringComparison.Ordinal) : value;

    private static string EncodeToken(string after) => Convert.ToBase64String(Encoding.UTF8.GetBytes(after));

    private static string DecodeToken(string token)
    {
        try
        {
            return Encoding.UTF8.GetString(Convert.FromBase64String(token));
        }
        catch (FormatException)
        {
            throw new ObjectStoreException(ObjectStoreError.InvalidArgument, "The continuation token provided is incorrect");
        }
    }
}
