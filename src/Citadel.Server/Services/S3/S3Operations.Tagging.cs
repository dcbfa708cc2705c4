using System.Globalization;
using System.Xml.Linq;
using Citadel.ObjectStore;
using Citadel.Server.Hosting;
using Citadel.Server.Protocols.S3;

namespace Citadel.Server.Services.S3;

// Tags on objects and buckets, and GetObjectAttributes.
public sealed partial class S3Operations
{
    private S3Operation PutObjectTagging() => new("PutObjectTagging", false,
        (request, _) => Task.FromResult<IReadOnlyList<AuthorizationCheck>>([OnObject(request, VersionAction(request, "s3:PutObjectTagging", "s3:PutObjectVersionTagging"))]),
        async (request, cancellationToken) =>
        {
            var tags = ParseTagging(await request.ReadSmallBodyAsync(cancellationToken).ConfigureAwait(false), 10);
            var record = objects.SetTags(request.Bucket!, request.Key!, request.Query.GetValueOrDefault("versionId"), tags);
            return VersionHeader(S3Response.Empty(), record.VersionId);
        });

    private S3Operation GetObjectTagging() => new("GetObjectTagging", true,
        (request, _) => Task.FromResult<IReadOnlyList<AuthorizationCheck>>([OnObject(request, VersionAction(request, "s3:GetObjectTagging", "s3:GetObjectVersionTagging"))]),
        (request, _) =>
        {
            var record = Current(request);
            return Task.FromResult(VersionHeader(S3Response.Xml(S3Xml.Serialize(TaggingXml(record.Tags))), record.VersionId));
        });

    private S3Operation DeleteObjectTagging() => new("DeleteObjectTagging", false,
        (request, _) => Task.FromResult<IReadOnlyList<AuthorizationCheck>>([OnObject(request, VersionAction(request, "s3:DeleteObjectTagging", "s3:DeleteObjectVersionTagging"))]),
        (request, _) =>
        {
            var record = objects.SetTags(request.Bucket!, request.Key!, request.Query.GetValueOrDefault("versionId"), new Dictionary<string, string>());
            return Task.FromResult(VersionHeader(S3Response.Empty(204), record.VersionId));
        });

    private S3Operation PutBucketTagging() => new("PutBucketTagging", false,
        (request, _) => OnBucket(request, "s3:PutBucketTagging"),
        async (request, cancellationToken) =>
        {
            var bucket = objects.GetBucket(request.Bucket!);
            var tags = ParseTagging(await request.ReadSmallBodyAsync(cancellationToken).ConfigureAwait(false), 50);
            objects.Catalog.UpdateBucket(bucket with { Tags = tags });
            return S3Response.Empty(204);
        });

    private S3Operation GetBucketTagging() => new("GetBucketTagging", true,
        (request, _) => OnBucket(request, "s3:GetBucketTagging"),
        (request, _) =>
        {
            var bucket = objects.GetBucket(request.Bucket!);
            if (bucket.Tags is not { Count: > 0 } tags)
                throw new ObjectStoreException(ObjectStoreError.NoSuchTagSet, "The TagSet does not exist", request.Bucket);
            return Task.FromResult(S3Response.Xml(S3Xml.Serialize(TaggingXml(tags))));
        });

    private S3Operation DeleteBucketTagging() => new("DeleteBucketTagging", false,
        (request, _) => OnBucket(request, "s3:PutBucketTagging"),
        (request, _) =>
        {
            var bucket = objects.GetBucket(request.Bucket!);
            objects.Catalog.UpdateBucket(bucket with { Tags = null });
            return Task.FromResult(S3Response.Empty(204));
        });

    private static readonly string[] AttributeNames = ["ETag", "Checksum", "ObjectParts", "StorageClass", "ObjectSize"];

    private S3Operation GetObjectAttributes() => new("GetObjectAttributes", true,
        (request, _) => Task.FromResult<IReadOnlyList<AuthorizationCheck>>([OnObject(request, VersionAction(request, "s3:GetObjectAttributes", "s3:GetObjectVersionAttributes"))]),
        async (request, cancellationToken) =>
        {
            var wanted = (request.Header("x-amz-object-attributes") ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            if (wanted.Length == 0 || wanted.Any(w => !AttributeNames.Contains(w)))
                throw new ObjectStoreException(ObjectStoreError.InvalidArgument, "Invalid attribute name specified.");
            var record = Current(request);
            await OpenableKeyAsync(request, record, cancellationToken).ConfigureAwait(false);
            var result = S3Xml.E("GetObjectAttributesResponse");
            if (wanted.Contains("ETag")) result.Add(S3Xml.E("ETag", record.ETag.Trim('"')));
            if (wanted.Contains("Checksum") && record.Checksums.Count > 0)
            {
                result.Add(S3Xml.E("Checksum", record.Checksums.Select(c => S3Xml.E("Checksum" + c.Key, c.Value)),
                    S3Xml.E("ChecksumType", record.Checksums.Values.Any(v => v.Contains('-', StringComparison.Ordinal)) ? "COMPOSITE" : "FULL_OBJECT")));
            }
            if (wanted.Contains("ObjectParts") && record.Segments.Count > 0 && record.Segments[0].PartNumber > 0)
            {
                var marker = request.Header("x-amz-part-number-marker") is { } m && int.TryParse(m, out var pm) ? pm : 0;
                var maxParts = request.Header("x-amz-max-parts") is { } x && int.TryParse(x, out var mp) ? Math.Clamp(mp, 0, 1000) : 1000;
                var remaining = record.Segments.Where(s => s.PartNumber > marker).ToList();
                var page = remaining.Take(maxParts).ToList();
                result.Add(S3Xml.E("ObjectParts", S3Xml.E("TotalPartsCount", record.Segments.Count), S3Xml.E("PartNumberMarker", marker),
                    page.Count > 0 ? S3Xml.E("NextPartNumberMarker", page[^1].PartNumber) : null, S3Xml.E("MaxParts", maxParts),
                    S3Xml.E("IsTruncated", remaining.Count > page.Count ? "true" : "false"),
                    page.Select(s => S3Xml.E("Part", S3Xml.E("PartNumber", s.PartNumber), S3Xml.E("Size", s.PlaintextSize.ToString(CultureInfo.InvariantCulture))))));
            }
            if (wanted.Contains("StorageClass")) result.Add(S3Xml.E("StorageClass", "STANDARD"));
            if (wanted.Contains("ObjectSize")) result.Add(S3Xml.E("ObjectSize", record.Size.ToString(CultureInfo.InvariantCulture)));
            var response = VersionHeader(S3Response.Xml(S3Xml.Serialize(result)), record.VersionId);
            response.Headers["Last-Modified"] = S3Xml.HttpDate(record.LastModified);
            return response;
        });

    private static S3Response VersionHeader(S3Response response, string versionId)
    {
        if (versionId != "null") response.Headers["x-amz-version-id"] = versionId;
        return response;
    }

    private static XElement TaggingXml(IReadOnlyDictionary<string, string> tags)
        => S3Xml.E("Tagging", S3Xml.E("TagSet", tags.Select(t => S3Xml.E("Tag", S3Xml.E("Key", t.Key), S3Xml.E("Value", t.Value)))));

    private static Dictionary<string, string> ParseTagging(byte[] body, int maxTags)
    {
        var root = S3Xml.Parse(body, "Tagging");
        var tags = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var tag in root.Child("TagSet")?.Children("Tag") ?? throw S3Xml.Malformed())
        {
            var key = tag.Child("Key")?.Value ?? throw S3Xml.Malformed();
            var value = tag.Child("Value")?.Value ?? "";
            if (key.Length is 0 or > 128 || value.Length > 256)
                throw new ObjectStoreException(ObjectStoreError.InvalidTag, "The TagKey you have provided is invalid");
            if (!tags.TryAdd(key, value))
                throw new ObjectStoreException(ObjectStoreError.InvalidTag, "Cannot provide multiple Tags with the same key");
        }
        if (tags.Count > maxTags)
            throw new ObjectStoreException(ObjectStoreError.InvalidTag, $"Object tags cannot be greater than {maxTags}");
        return tags;
    }
}
