using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Citadel.Server.Tests.Fuzzing;

/// <summary>
/// S3 (rest-xml) cases: a valid request of one operation of botocore's S3 model (<see cref="S3Binding"/>), then broken
/// in its key or bucket (control characters, bad escapes, lengths, traversal, virtual-host addressing), its query
/// (subresources, hostile values), its headers (ranges, conditions, checksums, SSE, copy sources, tagging, metadata),
/// its XML body (<see cref="XmlMutator"/>), its payload hash, or its body encoding (aws-chunked, signed and unsigned,
/// with and without trailers, with a defect: <see cref="AwsChunkedBodies"/>).
/// </summary>
internal static class S3Cases
{
    /// <summary>Operations Citadel serves, by the S3 model's names (the rest of S3Model.json answers NotImplemented).</summary>
    public static readonly string[] Served =
    [
        "ListBuckets", "CreateBucket", "DeleteBucket", "HeadBucket", "ListObjects", "ListObjectsV2", "GetBucketLocation", "PutBucketEncryption",
        "GetBucketEncryption", "DeleteBucketEncryption", "PutBucketPolicy", "GetBucketPolicy", "DeleteBucketPolicy", "PutBucketVersioning",
        "GetBucketVersioning", "PutBucketTagging", "GetBucketTagging", "DeleteBucketTagging", "ListObjectVersions", "DeleteObjects",
        "ListMultipartUploads", "PutObjectTagging", "GetObjectTagging", "DeleteObjectTagging", "GetObjectAttributes", "CreateMultipartUpload",
        "UploadPart", "UploadPartCopy", "CompleteMultipartUpload", "AbortMultipartUpload", "ListParts", "CopyObject", "PutObject", "GetObject",
        "HeadObject", "DeleteObject",
    ];

    private static readonly string[] HostileHeaders =
    [
        "Range", "If-Match", "If-None-Match", "If-Modified-Since", "If-Unmodified-Since", "Content-MD5", "x-amz-checksum-crc32", "x-amz-checksum-sha256",
        "x-amz-checksum-crc64nvme", "x-amz-sdk-checksum-algorithm", "x-amz-checksum-algorithm", "x-amz-checksum-mode", "x-amz-server-side-encryption",
        "x-amz-server-side-encryption-aws-kms-key-id", "x-amz-server-side-encryption-context", "x-amz-server-side-encryption-bucket-key-enabled",
        "x-amz-server-side-encryption-customer-algorithm", "x-amz-server-side-encryption-customer-key", "x-amz-server-side-encryption-customer-key-MD5",
        "x-amz-copy-source", "x-amz-copy-source-range", "x-amz-copy-source-if-match", "x-amz-copy-source-server-side-encryption-customer-key",
        "x-amz-metadata-directive", "x-amz-tagging-directive", "x-amz-tagging", "x-amz-meta-fuzz", "x-amz-object-attributes", "x-amz-max-parts",
        "x-amz-part-number-marker", "x-amz-storage-class", "x-amz-decoded-content-length", "x-amz-trailer", "x-amz-acl", "x-amz-expected-bucket-owner",
        "Content-Type", "Content-Encoding", "Cache-Control", "Expires", "x-amz-bucket-object-lock-enabled", "x-amz-mfa", "x-amz-request-payer",
        "x-amz-website-redirect-location", "x-amz-object-lock-mode", "x-amz-object-lock-retain-until-date",
    ];

    private static readonly string[] HeaderValues =
    [
        "", " ", "bytes=", "bytes=abc", "bytes=5-1", "bytes=-0", "bytes=0-99999999999999999999", "bytes=99999999999999999999-", "bytes=0-1,3-4", "items=0-1",
        "bytes=-", "bytes=--1", "*", "\"\"", "\"etag\"", "W/\"x\"", "Thu, 01 Jan 1970 00:00:00 GMT", "Fri, 31 Dec 9999 23:59:59 GMT", "not a date", "0",
        "-1", "1e300", "99999999999999999999", "2147483648", "!!!!", "====", "AAAA", "YWJj", "aws:kms", "AES256", "aws:kms:dsse", "AES128", "true", "TRUE",
        "yes", "COPY", "REPLACE", "copy", "a=b&c=d", "a", "=", "a=%zz", "&&&", "%", "%00", "/", "fuzz-bucket", "fuzz-bucket/", "/fuzz-bucket/fuzz/object.txt",
        "fuzz-bucket/fuzz/object.txt?versionId=", "fuzz-bucket/fuzz/object.txt?versionId=%00", "arn:aws:s3:::fuzz-bucket/x", "ETag,Checksum,ObjectParts",
        "Nonsense", "CRC32", "crc32", "MD5", "SHA512", "STANDARD", "GLACIER", "ENABLED", "x-amz-checksum-crc32", "x-amz-checksum-foo", "000000000000",
        "123456789012", "e30=", "eyJhIjogMX0=", "bnVsbA==",
    ];

    public static FuzzRequest Generate(FuzzFixtures fixtures, Random random)
    {
        var model = FuzzModel.Load("s3");
        var name = random.Next(20) == 0 ? Nasty.Pick(random, model.Operations.Keys.Order(StringComparer.Ordinal).ToList()) : Nasty.Pick(random, Served);
        var operation = model.Operations[name];
        var input = new ValueGenerator(model, fixtures, random).Input(operation.Input);
        var draft = S3Binding.Bind(model, operation, input, random);
        MakePlausible(draft, name, random);
        var request = new FuzzRequest { Generator = "s3." + name, Service = "s3", ExpectedShapeName = "s3" };
        var roll = random.Next(100);
        var chunked = false;
        if (roll < 8) request.Mutated("none");
        else if (roll < 22) MutateKey(draft, random, request);
        else if (roll < 30) MutateBucket(draft, random, request);
        else if (roll < 44) MutateQuery(draft, random, request.Mutations);
        else if (roll < 62) MutateHeaders(draft, random, request);
        else if (roll < 76) draft.Body = XmlMutator.Mutate(draft.Xml, draft.Xml?.Name.LocalName ?? "Tagging", random, request.Mutations);
        else if (roll < 92) chunked = true;
        else MutateMethod(draft, random, request.Mutations);

        request.Method = draft.Method;
        request.Path = S3Binding.Path(draft.Bucket, draft.Key);
        // (A DNS label holds at most 63 characters: HttpClient refuses a longer one as the TLS server name.)
        if (request.Host is null && random.Next(12) == 0 && draft.Bucket.Length <= 63 && draft.Bucket.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-'))
        {
            // Virtual-host style: the bucket in the Host header, the key alone in the path.
            request.Host = $"{draft.Bucket}.{(random.Next(2) == 0 ? "s3.localhost" : "localhost")}:{{port}}";
            request.Path = draft.Key is null ? "/" : "/" + Nasty.PercentEncode(draft.Key, keepSlash: true);
            request.Mutated("virtual-host style");
        }
        if (draft.PathOverride is not null) request.Path = draft.PathOverride;
        request.Query = string.Join('&', draft.Query.Select(p => p.Value is null ? p.Name : p.Name + "=" + p.Value));
        foreach (var header in draft.Headers) request.Headers.Add(header);
        request.Body = draft.Body;

        if (chunked)
        {
            var mode = Nasty.Pick(random, new[] { AwsChunkedBodies.Signed, AwsChunkedBodies.SignedTrailer, AwsChunkedBodies.UnsignedTrailer });
            var trailer = mode != AwsChunkedBodies.Signed || random.Next(4) == 0;
            var declare = random.Next(8) != 0;
            var defect = Nasty.Pick(random, AwsChunkedBodies.Defects);
            if (mode == AwsChunkedBodies.UnsignedTrailer && random.Next(5) == 0)
            {
                // The trailer the payload type promises, missing: neither declared nor sent.
                trailer = false;
                declare = false;
                defect = "none";
                request.MustReject = "STREAMING-UNSIGNED-PAYLOAD-TRAILER without a trailer (nothing vouches for the body)";
            }
            AwsChunkedBodies.Apply(request, draft.Body, mode, trailer, declare, defect, random);
            if (random.Next(2) == 0) request.Framing = BodyFraming.Chunked;
        }
        else
        {
            var hash = random.Next(100) switch
            {
                < 70 => Convert.ToHexStringLower(SHA256.HashData(request.Body)),
                < 88 => "UNSIGNED-PAYLOAD",
                < 91 => null,
                < 94 => new string('0', 64),
                _ => Nasty.Pick(random, new[] { "unsigned-payload", "STREAMING-AWS4-HMAC-SHA256-PAYLOAD", "ZZZZ", "", Convert.ToHexStringLower(SHA256.HashData(request.Body)).ToUpperInvariant(), "STREAMING-UNSIGNED-PAYLOAD-TRAILER" }),
            };
            if (hash is null) request.Mutated("no x-amz-content-sha256");
            else request.SetHeader("x-amz-content-sha256", hash);
            if (random.Next(15) == 0) request.Framing = BodyFraming.Chunked;
            if (random.Next(30) == 0) request.ExpectContinue = true;
        }
        return request;
    }

    /// <summary>Gives the generated values the relations a real client keeps (digests of the body, SSE-C key and its MD5, part numbers).</summary>
    private static void MakePlausible(S3Draft draft, string operation, Random random)
    {
        void Replace(string header, string? value)
        {
            draft.Headers.RemoveAll(h => h.Key.Equals(header, StringComparison.OrdinalIgnoreCase));
            if (value is not null) draft.Headers.Add(new(header, value));
        }
        bool Has(string header) => draft.Headers.Any(h => h.Key.Equals(header, StringComparison.OrdinalIgnoreCase));
        // Random checksums and digests would make nearly every request a BadDigest: mostly drop them, or make them right.
        foreach (var algorithm in new[] { "crc32", "crc32c", "crc64nvme", "sha1", "sha256" })
            if (Has("x-amz-checksum-" + algorithm) && random.Next(4) != 0) Replace("x-amz-checksum-" + algorithm, null);
        if (Has("Content-MD5") || operation == "DeleteObjects" || (operation is "PutBucketEncryption" or "PutBucketPolicy" or "PutBucketTagging" or "PutObjectTagging" && random.Next(2) == 0))
            Replace("Content-MD5", random.Next(5) == 0 ? Convert.ToBase64String(new byte[16]) : "$md5");
        if (Has("x-amz-server-side-encryption-customer-algorithm") || Has("x-amz-server-side-encryption-customer-key"))
        {
            var key = new byte[32];
            random.NextBytes(key);
            Replace("x-amz-server-side-encryption-customer-algorithm", "AES256");
            Replace("x-amz-server-side-encryption-customer-key", Convert.ToBase64String(key));
            Replace("x-amz-server-side-encryption-customer-key-MD5", S3Binding.Md5(key));
        }
        if (Has("x-amz-tagging") && random.Next(3) != 0) Replace("x-amz-tagging", "fuzz=1&b=2");
        if (Has("Range") && random.Next(3) != 0) Replace("Range", "bytes=0-3");
        if (Has("x-amz-copy-source-range") && random.Next(3) != 0) Replace("x-amz-copy-source-range", "bytes=0-3");
        foreach (var conditional in new[] { "If-Match", "If-None-Match", "If-Modified-Since", "If-Unmodified-Since", "x-amz-copy-source-if-match", "x-amz-copy-source-if-none-match" })
            if (Has(conditional) && random.Next(3) != 0) Replace(conditional, null);
        for (var i = 0; i < draft.Query.Count; i++)
        {
            if (draft.Query[i].Name is "partNumber" or "max-keys" or "max-parts" or "max-uploads" or "part-number-marker")
                draft.Query[i] = (draft.Query[i].Name, random.Next(1, 4).ToString(CultureInfo.InvariantCulture));
            else if (draft.Query[i].Value is { } value)
                draft.Query[i] = (draft.Query[i].Name, Nasty.PercentEncode(value));
        }
        if (random.Next(3) != 0) Replace("x-amz-bucket-object-lock-enabled", null);
        if (random.Next(3) != 0) Replace("x-amz-object-lock-mode", null);
        if (random.Next(3) != 0) Replace("x-amz-website-redirect-location", null);
        if (random.Next(3) != 0) Replace("x-amz-mfa", null);
        var md5 = draft.Headers.FindIndex(h => h.Value == "$md5");
        if (md5 >= 0) draft.Headers[md5] = new(draft.Headers[md5].Key, S3Binding.Md5(draft.Body));
    }

    private static void MutateKey(S3Draft draft, Random random, FuzzRequest request)
    {
        draft.Key ??= FuzzFixtures.ObjectKey;
        var choice = random.Next(10);
        switch (choice)
        {
            case 0:
            case 1:
                // Control characters (and DEL) in the key, percent-encoded as a client would send them.
                var control = (char)Nasty.Pick(random, new[] { 0, 1, 8, 9, 0x0b, 0x0c, 0x1b, 0x1f, 0x7f });
                draft.Key = "fuzz/a" + control + "b";
                break;
            case 2:
                draft.Key = Nasty.Long(random);
                break;
            case 3:
                draft.Key = Nasty.Pick(random, new[] { "..", "../x", "./", "a//b", "/", "//", "a/", " ", "\u00e9", "\ud83d\ude00", "\uffff", "\ud800", "a\u2028b", "?", "#", "%" });
                break;
            case 4:
                draft.PathOverride = S3Binding.Path(draft.Bucket, null) + "/" + Nasty.BadPercent(random);
                break;
            case 5:
                draft.PathOverride = S3Binding.Path(draft.Bucket, null) + "/" + Nasty.Pick(random, new[] { "a%2Fb", "%2e%2e/x", "a;b", "a+b", "a%20b", "%7E", "a%2", "x%u0041" });
                break;
            case 6:
                // A version id with control characters or hostile text (it is echoed in errors).
                draft.Query.RemoveAll(q => q.Name == "versionId");
                draft.Query.Add(("versionId", Nasty.PercentEncode(Nasty.Pick(random, new[] { "\u0001", "a\u0000b", "\u001f", "\u007f", "<x>", "null", "", "\ud800", "\uffff" }))));
                break;
            case 7:
                draft.Query.RemoveAll(q => q.Name == "uploadId");
                draft.Query.Add(("uploadId", Nasty.PercentEncode(Nasty.Pick(random, new[] { "\u0001", "", "x", "\u007f", new string('u', 2000) }))));
                break;
            default:
                draft.Key = "fuzz/" + Nasty.String(random);
                break;
        }
        request.Mutated($"key/id #{choice}: {FuzzRequest.Escape(Encoding.UTF8.GetBytes(draft.Key ?? ""), 40)}");
    }

    private static void MutateBucket(S3Draft draft, Random random, FuzzRequest request)
    {
        draft.Bucket = Nasty.Pick(random, new[]
        {
            "ab", "a", "UPPER", "under_score", "-dash", "dash-", "dots..dots", "192.168.1.1", new string('b', 64), new string('b', 63), "xn--bucket",
            "bucket-s3alias", "sthree-x", "a.b", ".", "..", "no-such-bucket-fuzz", "\u00e9t\u00e9", "b\u0001b", "%zz", "fuzz-bucket.", "health", "citadel",
        });
        if (random.Next(4) == 0) draft.Key = null;
        request.Mutated("bucket " + FuzzRequest.Escape(Encoding.UTF8.GetBytes(draft.Bucket), 30));
    }

    private static void MutateQuery(S3Draft draft, Random random, List<string> mutations)
    {
        switch (random.Next(5))
        {
            case 0:
                var sub = Nasty.Pick(random, new[] { "tagging", "uploads", "versions", "versioning", "encryption", "policy", "location", "delete", "attributes", "acl", "cors", "lifecycle", "select", "restore", "torrent", "legal-hold", "object-lock", "website" });
                draft.Query.Add((sub, random.Next(3) == 0 ? "x" : null));
                mutations.Add("subresource " + sub);
                break;
            case 1:
                var parameter = Nasty.Pick(random, new[] { "max-keys", "max-parts", "max-uploads", "partNumber", "part-number-marker", "list-type", "continuation-token", "start-after", "encoding-type", "prefix", "delimiter", "marker", "key-marker", "version-id-marker", "upload-id-marker", "fetch-owner", "response-content-type", "response-content-disposition", "x-id" });
                var value = random.Next(3) == 0 ? Nasty.BadPercent(random) : Nasty.PercentEncode(random.Next(2) == 0 ? Nasty.Pick(random, Nasty.Numbers) : Nasty.String(random));
                draft.Query.RemoveAll(q => q.Name == parameter);
                draft.Query.Add((parameter, value));
                mutations.Add($"{parameter}={(value.Length > 40 ? value[..40] : value)}");
                break;
            case 2:
                draft.Query.Add(("list-type", Nasty.Pick(random, new[] { "2", "3", "0", "-1", "" })));
                draft.Query.Add(("continuation-token", Nasty.Pick(random, new[] { "!!!", "e30", "AAAA", "bnVsbA", "%00", new string('A', 4000) })));
                mutations.Add("list-type and continuation-token");
                break;
            case 3:
                draft.Query.AddRange(draft.Query.ToList());
                draft.Query.Add(("X-Amz-Fuzz", "1"));
                mutations.Add("repeated query parameters");
                break;
            default:
                draft.Query.Add((Nasty.BadPercent(random), Nasty.BadPercent(random)));
                mutations.Add("bad escapes in the query");
                break;
        }
    }

    private static void MutateHeaders(S3Draft draft, Random random, FuzzRequest request)
    {
        var count = random.Next(4) == 0 ? 3 : 1;
        for (var i = 0; i < count; i++)
        {
            var name = Nasty.Pick(random, HostileHeaders);
            var kind = random.Next(10);
            string value;
            if (kind < 6) value = Nasty.Pick(random, HeaderValues);
            else if (kind < 7) value = new string(Nasty.Pick(random, new[] { 'a', '=', '&', ',' }), Nasty.Pick(random, new[] { 2049, 8193, 20000 }));
            else if (kind < 9)
            {
                // Non-ASCII in a header value, sent as UTF-8 or Latin-1 bytes.
                value = Nasty.Pick(random, new[] { "\u00e9t\u00e9", "\ud83d\ude00", "a\u00ffb", "\u2028" });
                request.HeaderEncoding = random.Next(2) == 0 ? Encoding.UTF8 : Encoding.Latin1;
            }
            else
            {
                value = "a" + (char)Nasty.Pick(random, new[] { 0, 1, 0x0b, 0x1f, 0x7f }) + "b";
                request.MalformedHttp = true;
            }
            draft.Headers.RemoveAll(h => h.Key.Equals(name, StringComparison.OrdinalIgnoreCase));
            draft.Headers.Add(new(name, value));
            request.Mutated($"{name}: {FuzzRequest.Escape(Encoding.UTF8.GetBytes(value), 40)}");
        }
        if (request.HeaderEncoding is not null) request.MalformedHttp = true; // obs-text: Kestrel may refuse it itself
    }

    private static void MutateMethod(S3Draft draft, Random random, List<string> mutations)
    {
        draft.Method = Nasty.Pick(random, new[] { "POST", "PATCH", "OPTIONS", "GET", "PUT", "DELETE", "HEAD", "TRACE", "FUZZ" });
        mutations.Add("method " + draft.Method);
    }
}
