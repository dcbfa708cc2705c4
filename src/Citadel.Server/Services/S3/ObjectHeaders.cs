using System.Globalization;
using Citadel.ObjectStore;
using Citadel.ObjectStore.Model;

namespace Citadel.Server.Services.S3;

/// <summary>The object headers S3 stores and returns: standard content headers, x-amz-meta-*, tagging, ranges and conditions.</summary>
public static class ObjectHeaders
{
    /// <summary>The standard headers stored with an object.</summary>
    public static readonly string[] Stored = ["Content-Type", "Content-Encoding", "Content-Disposition", "Content-Language", "Cache-Control", "Expires"];

    private static readonly (string Query, string Header)[] Overrides =
    [
        ("response-content-type", "Content-Type"), ("response-content-language", "Content-Language"), ("response-expires", "Expires"),
        ("response-cache-control", "Cache-Control"), ("response-content-disposition", "Content-Disposition"), ("response-content-encoding", "Content-Encoding"),
    ];

    /// <summary>The standard headers of a PUT (aws-chunked removed from Content-Encoding; Content-Type defaults to binary/octet-stream).</summary>
    public static Dictionary<string, string> FromRequest(S3Request request)
    {
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var name in Stored)
        {
            if (request.Header(name) is not { } value) continue;
            if (name == "Content-Encoding")
            {
                value = string.Join(",", value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Where(v => v != "aws-chunked"));
                if (value.Length == 0) continue;
            }
            headers[name] = value;
        }
        headers.TryAdd("Content-Type", "binary/octet-stream");
        return headers;
    }

    /// <summary>x-amz-meta-* headers, by lower-case name without the prefix.</summary>
    public static Dictionary<string, string> UserMetadata(S3Request request)
    {
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, values) in request.Http.Request.Headers)
        {
            if (name.StartsWith("x-amz-meta-", StringComparison.OrdinalIgnoreCase))
                metadata[name["x-amz-meta-".Length..].ToLowerInvariant()] = values.ToString();
        }
        return metadata;
    }

    /// <summary>The x-amz-tagging header (URL query form) as tags.</summary>
    public static Dictionary<string, string> Tagging(string? header)
    {
        var tags = new Dictionary<string, string>(StringComparer.Ordinal);
        if (string.IsNullOrEmpty(header)) return tags;
        foreach (var pair in header.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            var key = Uri.UnescapeDataString((eq < 0 ? pair : pair[..eq]).Replace('+', ' '));
            var value = eq < 0 ? "" : Uri.UnescapeDataString(pair[(eq + 1)..].Replace('+', ' '));
            if (key.Length is 0 or > 128 || value.Length > 256 || !tags.TryAdd(key, value))
                throw new ObjectStoreException(ObjectStoreError.InvalidArgument, "The TagKey you have provided is invalid");
        }
        if (tags.Count > 10) throw new ObjectStoreException(ObjectStoreError.InvalidArgument, "Object tags cannot be greater than 10");
        return tags;
    }

    /// <summary>The headers describing a stored object (GET/HEAD), with the response-* query overrides applied.</summary>
    public static void Describe(ObjectRecord record, S3Request request, Dictionary<string, string> headers)
    {
        foreach (var (name, value) in record.Headers) headers[name] = value;
        foreach (var (name, value) in record.UserMetadata) headers["x-amz-meta-" + name] = value;
        headers["ETag"] = record.ETag;
        headers["Last-Modified"] = Protocols.S3.S3Xml.HttpDate(record.LastModified);
        headers["Accept-Ranges"] = "bytes";
        if (record.Tags.Count > 0) headers["x-amz-tagging-count"] = record.Tags.Count.ToString(CultureInfo.InvariantCulture);
        if (record.VersionId != "null") headers["x-amz-version-id"] = record.VersionId;
        SseHeaders.Describe(record.Encryption, headers);
        if (string.Equals(request.Header("x-amz-checksum-mode"), "ENABLED", StringComparison.OrdinalIgnoreCase))
        {
            foreach (var (algorithm, value) in record.Checksums) headers["x-amz-checksum-" + algorithm.ToLowerInvariant()] = value;
            if (record.Checksums.Count > 0) headers["x-amz-checksum-type"] = "FULL_OBJECT";
        }
        foreach (var (query, header) in Overrides)
        {
            if (!request.Query.TryGetValue(query, out var value)) continue;
            // Checked here, not left to Kestrel: it refuses such a header value only once the answer is being sent,
            // too late for an S3 error.
            if (!IsHeaderValue(value))
                throw new ObjectStoreException(ObjectStoreError.InvalidArgument, $"The value of {query} cannot be sent in an HTTP header: it holds a control or non-ASCII character.");
            headers[header] = value;
        }
    }

    /// <summary>Whether a value can go into a response header as it is: tab and printable ASCII only.</summary>
    private static bool IsHeaderValue(string value) => value.All(c => c is '\t' or (>= ' ' and < '\x7f'));

    /// <summary>The byte range [start, end) a Range header asks for; null for the whole object. InvalidRange when unsatisfiable.</summary>
    public static (long Start, long End)? Range(string? header, long size)
    {
        if (string.IsNullOrEmpty(header) || !header.StartsWith("bytes=", StringComparison.OrdinalIgnoreCase)) return null;
        var spec = header[6..].Trim();
        // Several ranges are not supported by S3 either: it answers the whole object.
        if (spec.Contains(',', StringComparison.Ordinal)) return null;
        var dash = spec.IndexOf('-', StringComparison.Ordinal);
        if (dash < 0) return null;
        var first = spec[..dash];
        var last = spec[(dash + 1)..];
        if (first.Length == 0)
        {
            if (!long.TryParse(last, NumberStyles.None, CultureInfo.InvariantCulture, out var suffix)) return null;
            if (suffix == 0 || size == 0) throw Unsatisfiable(size);
            return (Math.Max(0, size - suffix), size);
        }
        if (!long.TryParse(first, NumberStyles.None, CultureInfo.InvariantCulture, out var start)) return null;
        long end = size;
        if (last.Length > 0)
        {
            if (!long.TryParse(last, NumberStyles.None, CultureInfo.InvariantCulture, out var lastByte) || lastByte < start) return null;
            end = Math.Min(size, lastByte + 1);
        }
        if (start >= size) throw Unsatisfiable(size);
        return (start, end);
    }

    private static ObjectStoreException Unsatisfiable(long size) => new(ObjectStoreError.InvalidRange, $"The requested range is not satisfiable (object size {size}).");

    /// <summary>Applies If-Match, If-None-Match, If-Modified-Since and If-Unmodified-Since as S3 does (PreconditionFailed / NotModified).</summary>
    public static void CheckConditions(S3Request request, ObjectRecord record, string prefix = "")
    {
        var ifMatch = request.Header(prefix + "If-Match");
        var ifNoneMatch = request.Header(prefix + "If-None-Match");
        var ifModifiedSince = Date(request.Header(prefix + "If-Modified-Since"));
        var ifUnmodifiedSince = Date(request.Header(prefix + "If-Unmodified-Since"));
        var matched = ifMatch is not null && EtagMatches(ifMatch, record.ETag);
        if (ifMatch is not null && !matched)
            throw new ObjectStoreException(ObjectStoreError.PreconditionFailed, "At least one of the pre-conditions you specified did not hold");
        if (ifMatch is null && ifUnmodifiedSince is { } unmodified && record.LastModified > unmodified)
            throw new ObjectStoreException(ObjectStoreError.PreconditionFailed, "At least one of the pre-conditions you specified did not hold");
        if (ifNoneMatch is not null && EtagMatches(ifNoneMatch, record.ETag))
            throw new ObjectStoreException(ObjectStoreError.NotModified, "Not Modified");
        if (ifNoneMatch is null && ifModifiedSince is { } modified && record.LastModified <= modified)
            throw new ObjectStoreException(ObjectStoreError.NotModified, "Not Modified");
    }

    private static bool EtagMatches(string header, string etag)
        => header.Split(',', StringSplitOptions.TrimEntries).Any(candidate => candidate == "*" || candidate.Trim('"') == etag.Trim('"'));

    private static DateTimeOffset? Date(string? header)
        => header is not null && DateTimeOffset.TryParse(header, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed) ? parsed : null;
}
