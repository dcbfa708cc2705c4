using System.Globalization;
using Citadel.ObjectStore;
using Citadel.ObjectStore.Encryption;
using Citadel.ObjectStore.Model;
using Citadel.Server.Hosting;
using Citadel.Server.Protocols.S3;

namespace Citadel.Server.Services.S3;

// Multipart uploads: CreateMultipartUpload, UploadPart, UploadPartCopy, CompleteMultipartUpload,
// AbortMultipartUpload, ListParts, ListMultipartUploads.
public sealed partial class S3Operations
{
    private S3Operation CreateMultipartUpload() => new("CreateMultipartUpload", false,
        (request, cancellationToken) => PutChecksAsync(request, cancellationToken),
        async (request, cancellationToken) =>
        {
            var bucket = objects.GetBucket(request.Bucket!);
            var encryption = await NewObjectEncryptionAsync(request, bucket, cancellationToken).ConfigureAwait(false);
            var algorithm = request.Header("x-amz-checksum-algorithm")?.ToUpperInvariant();
            if (algorithm is not null && !ObjectChecksums.Algorithms.Contains(algorithm))
                throw new ObjectStoreException(ObjectStoreError.InvalidRequest, $"Checksum algorithm {algorithm} is not supported.");
            var upload = await objects.CreateMultipartUploadAsync(new CreateUploadInput(request.Bucket!, request.Key!, encryption,
                ObjectHeaders.FromRequest(request), ObjectHeaders.UserMetadata(request), ObjectHeaders.Tagging(request.Header("x-amz-tagging")), algorithm),
                cancellationToken).ConfigureAwait(false);
            var response = S3Response.Xml(S3Xml.Serialize(S3Xml.E("InitiateMultipartUploadResult",
                S3Xml.E("Bucket", request.Bucket), S3Xml.E("Key", request.Key), S3Xml.E("UploadId", upload.UploadId))));
            SseHeaders.Describe(upload.Encryption, response.Headers);
            if (algorithm is not null) response.Headers["x-amz-checksum-algorithm"] = algorithm;
            return response;
        });

    private S3Operation UploadPart() => new("UploadPart", false,
        (request, cancellationToken) => UploadChecksAsync(request, cancellationToken),
        async (request, cancellationToken) =>
        {
            var upload = objects.GetUpload(request.Bucket!, request.Key!, request.Query["uploadId"]);
            var customerKey = SseHeaders.CustomerKey(request, options.S3AllowSseCOverHttp);
            var (algorithms, expected) = RequestChecksums.ForUpload(request);
            var part = await objects.UploadPartAsync(upload, PartNumber(request), request.Body, request.Header("Content-MD5"), algorithms, expected,
                DeclaredLength(request), customerKey, cancellationToken).ConfigureAwait(false);
            var response = S3Response.Empty();
            response.Headers["ETag"] = part.ETag;
            foreach (var (algorithm, value) in part.Checksums) response.Headers["x-amz-checksum-" + algorithm.ToLowerInvariant()] = value;
            SseHeaders.Describe(upload.Encryption, response.Headers);
            return response;
        });

    private S3Operation UploadPartCopy() => new("UploadPartCopy", false,
        async (request, cancellationToken) =>
        {
            var checks = (await UploadChecksAsync(request, cancellationToken).ConfigureAwait(false)).ToList();
            checks.AddRange(await CopySourceChecksAsync(request, cancellationToken).ConfigureAwait(false));
            return checks;
        },
        async (request, cancellationToken) =>
        {
            var upload = objects.GetUpload(request.Bucket!, request.Key!, request.Query["uploadId"]);
            var (sourceBucket, sourceKey, sourceVersion) = CopySourceWithVersion(request);
            var source = objects.HeadObject(sourceBucket, sourceKey, sourceVersion);
            ObjectHeaders.CheckConditions(request, source, "x-amz-copy-source-");
            var sourceCustomerKey = SseHeaders.CustomerKey(request, options.S3AllowSseCOverHttp, copySource: true);
            await VerifyCustomerKeyAsync(source, sourceCustomerKey, cancellationToken).ConfigureAwait(false);
            var (start, end) = (0L, source.Size);
            if (request.Header("x-amz-copy-source-range") is { } rangeHeader)
            {
                (start, end) = ObjectHeaders.Range(rangeHeader, source.Size)
                    ?? throw new ObjectStoreException(ObjectStoreError.InvalidArgument, "The x-amz-copy-source-range value must be of the form bytes=first-last where first and last are the zero-based offsets of the first and last bytes to copy");
            }
            var read = await objects.ReadAsync(source, start, end, sourceCustomerKey, cancellationToken).ConfigureAwait(false);
            PartRecord part;
            await using (read.Content.ConfigureAwait(false))
            {
                part = await objects.UploadPartAsync(upload, PartNumber(request), read.Content, null, [], () => new Dictionary<string, string>(),
                    end - start, SseHeaders.CustomerKey(request, options.S3AllowSseCOverHttp), cancellationToken).ConfigureAwait(false);
            }
            var response = S3Response.Xml(S3Xml.Serialize(S3Xml.E("CopyPartResult", S3Xml.E("ETag", part.ETag), S3Xml.E("LastModified", S3Xml.Time(part.LastModified)))));
            SseHeaders.Describe(upload.Encryption, response.Headers);
            return response;
        });

    private S3Operation CompleteMultipartUpload() => new("CompleteMultipartUpload", false,
        (request, _) => Task.FromResult<IReadOnlyList<AuthorizationCheck>>([OnObject(request, "s3:PutObject")]),
        async (request, cancellationToken) =>
        {
            var upload = objects.GetUpload(request.Bucket!, request.Key!, request.Query["uploadId"]);
            var root = S3Xml.Parse(await request.ReadSmallBodyAsync(cancellationToken).ConfigureAwait(false), "CompleteMultipartUpload");
            var parts = root.Children("Part").Select(p =>
            {
                if (!int.TryParse(p.Child("PartNumber")?.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var number)) throw S3Xml.Malformed();
                return (number, p.Child("ETag")?.Value ?? throw S3Xml.Malformed());
            }).ToList();
            if (request.Header("If-None-Match") == "*" && objects.Catalog.GetObject(request.Bucket!, request.Key!) is not null)
                throw new ObjectStoreException(ObjectStoreError.PreconditionFailed, "At least one of the pre-conditions you specified did not hold");
            var record = await objects.CompleteMultipartUploadAsync(upload, parts, cancellationToken).ConfigureAwait(false);
            var response = S3Response.Xml(S3Xml.Serialize(S3Xml.E("CompleteMultipartUploadResult",
                S3Xml.E("Location", $"{(request.Http.Request.IsHttps ? "https" : "http")}://{request.Http.Request.Host}/{request.Bucket}/{Uri.EscapeDataString(request.Key!)}"),
                S3Xml.E("Bucket", request.Bucket), S3Xml.E("Key", request.Key), S3Xml.E("ETag", record.ETag),
                record.Checksums.Select(c => S3Xml.E("Checksum" + c.Key, c.Value)))));
            SseHeaders.Describe(record.Encryption, response.Headers);
            if (record.VersionId != "null") response.Headers["x-amz-version-id"] = record.VersionId;
            return response;
        });

    private S3Operation AbortMultipartUpload() => new("AbortMultipartUpload", false,
        (request, _) => Task.FromResult<IReadOnlyList<AuthorizationCheck>>([OnObject(request, "s3:AbortMultipartUpload")]),
        async (request, _) =>
        {
            var upload = objects.GetUpload(request.Bucket!, request.Key!, request.Query["uploadId"]);
            await objects.AbortMultipartUploadAsync(upload).ConfigureAwait(false);
            return S3Response.Empty(204);
        });

    private S3Operation ListParts() => new("ListParts", true,
        (request, _) => Task.FromResult<IReadOnlyList<AuthorizationCheck>>([OnObject(request, "s3:ListMultipartUploadParts")]),
        (request, _) =>
        {
            var upload = objects.GetUpload(request.Bucket!, request.Key!, request.Query["uploadId"]);
            var marker = request.Query.TryGetValue("part-number-marker", out var text) && int.TryParse(text, out var m) ? m : 0;
            var maxParts = request.Query.TryGetValue("max-parts", out var maxText) && int.TryParse(maxText, out var mp) ? Math.Clamp(mp, 0, 1000) : 1000;
            var all = objects.Catalog.ListParts(upload.UploadId).Where(p => p.PartNumber > marker).ToList();
            var page = all.Take(maxParts).ToList();
            var truncated = all.Count > page.Count;
            var owner = S3Xml.E("ID", options.AccountId);
            var result = S3Xml.E("ListPartsResult",
                S3Xml.E("Bucket", request.Bucket), S3Xml.E("Key", request.Key), S3Xml.E("UploadId", upload.UploadId),
                S3Xml.E("PartNumberMarker", marker),
                page.Count > 0 ? S3Xml.E("NextPartNumberMarker", page[^1].PartNumber) : null,
                S3Xml.E("MaxParts", maxParts), S3Xml.E("IsTruncated", truncated ? "true" : "false"),
                S3Xml.E("Initiator", S3Xml.E("ID", options.AccountId)), S3Xml.E("Owner", owner), S3Xml.E("StorageClass", "STANDARD"),
                upload.ChecksumAlgorithm is null ? null : S3Xml.E("ChecksumAlgorithm", upload.ChecksumAlgorithm),
                page.Select(p => S3Xml.E("Part", S3Xml.E("PartNumber", p.PartNumber), S3Xml.E("LastModified", S3Xml.Time(p.LastModified)),
                    S3Xml.E("ETag", p.ETag), S3Xml.E("Size", p.Size.ToString(CultureInfo.InvariantCulture)),
                    p.Checksums.Select(c => S3Xml.E("Checksum" + c.Key, c.Value)))));
            return Task.FromResult(S3Response.Xml(S3Xml.Serialize(result)));
        });

    private S3Operation ListMultipartUploads() => new("ListMultipartUploads", true,
        (request, _) => OnBucket(request, "s3:ListBucketMultipartUploads"),
        (request, _) =>
        {
            objects.GetBucket(request.Bucket!);
            var prefix = request.Query.GetValueOrDefault("prefix") ?? "";
            var keyMarker = request.Query.GetValueOrDefault("key-marker") ?? "";
            var uploadIdMarker = request.Query.GetValueOrDefault("upload-id-marker") ?? "";
            var maxUploads = request.Query.TryGetValue("max-uploads", out var text) && int.TryParse(text, out var n) ? Math.Clamp(n, 0, 1000) : 1000;
            var found = objects.Catalog.ListUploads(request.Bucket!, prefix, keyMarker, uploadIdMarker, maxUploads + 1);
            var page = found.Take(maxUploads).ToList();
            var truncated = found.Count > page.Count;
            var result = S3Xml.E("ListMultipartUploadsResult",
                S3Xml.E("Bucket", request.Bucket), S3Xml.E("KeyMarker", keyMarker), S3Xml.E("UploadIdMarker", uploadIdMarker),
                truncated ? S3Xml.E("NextKeyMarker", page[^1].Key) : null, truncated ? S3Xml.E("NextUploadIdMarker", page[^1].UploadId) : null,
                S3Xml.E("Prefix", prefix), S3Xml.E("MaxUploads", maxUploads), S3Xml.E("IsTruncated", truncated ? "true" : "false"),
                page.Select(u => S3Xml.E("Upload", S3Xml.E("Key", u.Key), S3Xml.E("UploadId", u.UploadId),
                    S3Xml.E("Initiator", S3Xml.E("ID", options.AccountId)), S3Xml.E("Owner", S3Xml.E("ID", options.AccountId)),
                    S3Xml.E("StorageClass", "STANDARD"), S3Xml.E("Initiated", S3Xml.Time(u.Initiated)))));
            return Task.FromResult(S3Response.Xml(S3Xml.Serialize(result)));
        });

    private async Task<IReadOnlyList<AuthorizationCheck>> UploadChecksAsync(S3Request request, CancellationToken cancellationToken)
    {
        var checks = new List<AuthorizationCheck> { OnObject(request, "s3:PutObject") };
        if (objects.Catalog.GetUpload(request.Query["uploadId"]) is { Encryption: { Mode: EncryptionRequest.SseKms } sse })
            checks.Add(await OnKmsKeyAsync("kms:Decrypt", sse.KmsKeyArn!, sse.KmsContext!, cancellationToken).ConfigureAwait(false));
        return checks;
    }

    private static int PartNumber(S3Request request)
        => int.TryParse(request.Query.GetValueOrDefault("partNumber"), NumberStyles.None, CultureInfo.InvariantCulture, out var number) ? number
            : throw new ObjectStoreException(ObjectStoreError.InvalidArgument, "Part number must be an integer between 1 and 10000, inclusive");
}
