using System.Globalization;
using Citadel.ObjectStore;
using Citadel.ObjectStore.Encryption;
using Citadel.ObjectStore.Model;
using Citadel.Server.Hosting;
using Citadel.Server.Protocols.S3;

namespace Citadel.Server.Services.S3;

// Object operations: PutObject, GetObject, HeadObject, DeleteObject, CopyObject, DeleteObjects.
public sealed partial class S3Operations
{
    private S3Operation PutObject() => new("PutObject", false,
        (request, cancellationToken) => PutChecksAsync(request, cancellationToken),
        async (request, cancellationToken) =>
        {
            var bucket = objects.GetBucket(request.Bucket!);
            var encryption = await NewObjectEncryptionAsync(request, bucket, cancellationToken).ConfigureAwait(false);
            if (request.Header("If-None-Match") == "*" && objects.Catalog.GetObject(request.Bucket!, request.Key!) is not null)
                throw new ObjectStoreException(ObjectStoreError.PreconditionFailed, "At least one of the pre-conditions you specified did not hold");
            var (algorithms, expected) = RequestChecksums.ForUpload(request);
            var record = await objects.PutObjectAsync(new PutObjectInput(request.Bucket!, request.Key!, encryption, ObjectHeaders.FromRequest(request),
                ObjectHeaders.UserMetadata(request), ObjectHeaders.Tagging(request.Header("x-amz-tagging")), request.Header("Content-MD5"),
                algorithms, expected, DeclaredLength(request)), request.Body, cancellationToken).ConfigureAwait(false);
            var response = S3Response.Empty();
            response.Headers["ETag"] = record.ETag;
            SseHeaders.Describe(record.Encryption, response.Headers);
            if (encryption.KmsContext is not null) response.Headers["x-amz-server-side-encryption-context"] = request.Header("x-amz-server-side-encryption-context")!;
            foreach (var (algorithm, value) in record.Checksums) response.Headers["x-amz-checksum-" + algorithm.ToLowerInvariant()] = value;
            if (record.VersionId != "null") response.Headers["x-amz-version-id"] = record.VersionId;
            return response;
        });

    private S3Operation GetObject() => new("GetObject", true,
        (request, cancellationToken) => ReadChecksAsync(request, cancellationToken),
        async (request, cancellationToken) =>
        {
            var record = Current(request);
            ObjectHeaders.CheckConditions(request, record);
            var range = ObjectHeaders.Range(request.Header("Range"), record.Size);
            var customerKey = await OpenableKeyAsync(request, record, cancellationToken).ConfigureAwait(false);
            var (start, end) = range ?? (0, record.Size);
            var read = await objects.ReadAsync(record, start, end, customerKey, cancellationToken).ConfigureAwait(false);
            var response = new S3Response
            {
                Status = range is null ? 200 : 206,
                Content = await PrimedStream.OpenAsync(read.Content, end - start, cancellationToken).ConfigureAwait(false),
                ContentLength = end - start,
            };
            ObjectHeaders.Describe(record, request, response.Headers);
            if (range is not null)
            {
                response.Headers["Content-Range"] = string.Create(CultureInfo.InvariantCulture, $"bytes {start}-{end - 1}/{record.Size}");
                foreach (var name in response.Headers.Keys.Where(k => k.StartsWith("x-amz-checksum-", StringComparison.Ordinal)).ToList())
                    response.Headers.Remove(name);
            }
            return response;
        });

    private S3Operation HeadObject() => new("HeadObject", true,
        (request, cancellationToken) => ReadChecksAsync(request, cancellationToken),
        async (request, cancellationToken) =>
        {
            var record = Current(request);
            ObjectHeaders.CheckConditions(request, record);
            await OpenableKeyAsync(request, record, cancellationToken).ConfigureAwait(false);
            var response = S3Response.Empty();
            ObjectHeaders.Describe(record, request, response.Headers);
            response.Headers["Content-Length"] = record.Size.ToString(CultureInfo.InvariantCulture);
            return response;
        });

    private S3Operation DeleteObject() => new("DeleteObject", false,
        // Removing a version for good is its own permission in AWS, apart from deleting (a delete marker).
        (request, _) => Task.FromResult<IReadOnlyList<AuthorizationCheck>>([OnObject(request, VersionAction(request, "s3:DeleteObject", "s3:DeleteObjectVersion"))]),
        async (request, _) =>
        {
            var outcome = await objects.DeleteObjectAsync(request.Bucket!, request.Key!, request.Query.GetValueOrDefault("versionId")).ConfigureAwait(false);
            var response = S3Response.Empty(204);
            if (outcome.VersionId is not null) response.Headers["x-amz-version-id"] = outcome.VersionId;
            if (outcome.DeleteMarker) response.Headers["x-amz-delete-marker"] = "true";
            return response;
        });

    // Authorized key by key while it runs, as AWS does: a key the caller may not delete is answered with its own
    // AccessDenied in the result, and the others are deleted.
    private S3Operation DeleteObjects() => new("DeleteObjects", false,
        (_, _) => Task.FromResult<IReadOnlyList<AuthorizationCheck>>([]),
        async (request, cancellationToken) =>
        {
            var body = await request.ReadSmallBodyAsync(cancellationToken).ConfigureAwait(false);
            if (request.Header("Content-MD5") is null && !request.Http.Request.Headers.Keys.Any(h => h.StartsWith("x-amz-checksum-", StringComparison.OrdinalIgnoreCase))
                && request.Header("x-amz-sdk-checksum-algorithm") is null)
                throw new ObjectStoreException(ObjectStoreError.InvalidRequest, "Missing required header for this request: Content-MD5 or x-amz-checksum-*");
            if (request.Header("Content-MD5") is { } md5 && md5 != Convert.ToBase64String(System.Security.Cryptography.MD5.HashData(body)))
                throw new ObjectStoreException(ObjectStoreError.BadDigest, "The Content-MD5 you specified did not match what we received.");
            var (keys, quiet) = DeleteKeys(body);
            var bucket = objects.GetBucket(request.Bucket!);
            var result = S3Xml.E("DeleteResult");
            foreach (var (key, versionId) in keys)
            {
                var check = new AuthorizationCheck(versionId is null ? "s3:DeleteObject" : "s3:DeleteObjectVersion", $"arn:{options.Partition}:s3:::{request.Bucket}/{key}", bucket.Policy, false,
                    new Dictionary<string, IReadOnlyList<string>>());
                if (await request.Authorize([check], cancellationToken).ConfigureAwait(false) is not null)
                {
                    result.Add(S3Xml.E("Error", S3Xml.E("Key", key), versionId is null ? null : S3Xml.E("VersionId", versionId),
                        S3Xml.E("Code", "AccessDenied"), S3Xml.E("Message", "Access Denied")));
                    continue;
                }
                try
                {
                    var outcome = await objects.DeleteObjectAsync(request.Bucket!, key, versionId).ConfigureAwait(false);
                    if (!quiet)
                    {
                        result.Add(S3Xml.E("Deleted", S3Xml.E("Key", key),
                            versionId is null ? null : S3Xml.E("VersionId", versionId),
                            outcome.DeleteMarker ? S3Xml.E("DeleteMarker", "true") : null,
                            outcome.DeleteMarker && versionId is null ? S3Xml.E("DeleteMarkerVersionId", outcome.VersionId) : null));
                    }
                }
                catch (ObjectStoreException e)
                {
                    var error = S3Errors.From(e);
                    result.Add(S3Xml.E("Error", S3Xml.E("Key", key), versionId is null ? null : S3Xml.E("VersionId", versionId),
                        S3Xml.E("Code", error.Code), S3Xml.E("Message", error.Message)));
                }
            }
            return S3Response.Xml(S3Xml.Serialize(result));
        });

    private S3Operation CopyObject() => new("CopyObject", false,
        async (request, cancellationToken) =>
        {
            var checks = new List<AuthorizationCheck> { OnObject(request, "s3:PutObject", SseConditionKeys(request)) };
            checks.AddRange(await CopySourceChecksAsync(request, cancellationToken).ConfigureAwait(false));
            if (await NewObjectKmsCheckAsync(request, cancellationToken).ConfigureAwait(false) is { } kmsCheck) checks.Add(kmsCheck);
            return checks;
        },
        async (request, cancellationToken) =>
        {
            var (sourceBucket, sourceKey, sourceVersion) = CopySourceWithVersion(request);
            var source = objects.HeadObject(sourceBucket, sourceKey, sourceVersion);
            ObjectHeaders.CheckConditions(request, source, "x-amz-copy-source-");
            var bucket = objects.GetBucket(request.Bucket!);
            var encryption = await NewObjectEncryptionAsync(request, bucket, cancellationToken).ConfigureAwait(false);
            var metadataDirective = request.Header("x-amz-metadata-directive") ?? "COPY";
            var taggingDirective = request.Header("x-amz-tagging-directive") ?? "COPY";
            if (metadataDirective is not ("COPY" or "REPLACE") || taggingDirective is not ("COPY" or "REPLACE"))
                throw new ObjectStoreException(ObjectStoreError.InvalidArgument, "Unknown metadata or tagging directive.");
            var sameObject = sourceBucket == request.Bucket && sourceKey == request.Key;
            if (sameObject && metadataDirective == "COPY" && request.Header("x-amz-server-side-encryption") is null
                && request.Header("x-amz-server-side-encryption-customer-algorithm") is null && request.Header("x-amz-storage-class") is null)
                throw new ObjectStoreException(ObjectStoreError.InvalidRequest,
                    "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.");
            var sourceKeyMaterial = SseHeaders.CustomerKey(request, options.S3AllowSseCOverHttp, copySource: true);
            await VerifyCustomerKeyAsync(source, sourceKeyMaterial, cancellationToken).ConfigureAwait(false);
            var read = await objects.ReadAsync(source, 0, source.Size, sourceKeyMaterial, cancellationToken).ConfigureAwait(false);
            ObjectRecord record;
            await using (read.Content.ConfigureAwait(false))
            {
                var headers = metadataDirective == "COPY" ? new Dictionary<string, string>(source.Headers) : ObjectHeaders.FromRequest(request);
                var metadata = metadataDirective == "COPY" ? new Dictionary<string, string>(source.UserMetadata) : ObjectHeaders.UserMetadata(request);
                var tags = taggingDirective == "COPY" ? new Dictionary<string, string>(source.Tags) : ObjectHeaders.Tagging(request.Header("x-amz-tagging"));
                var algorithms = source.Checksums.Keys.ToList();
                record = await objects.PutObjectAsync(new PutObjectInput(request.Bucket!, request.Key!, encryption, headers, metadata, tags, null,
                    algorithms, () => source.Checksums, source.Size), read.Content, cancellationToken).ConfigureAwait(false);
            }
            var response = S3Response.Xml(S3Xml.Serialize(S3Xml.E("CopyObjectResult",
                S3Xml.E("ETag", record.ETag), S3Xml.E("LastModified", S3Xml.Time(record.LastModified)))));
            SseHeaders.Describe(record.Encryption, response.Headers);
            if (record.VersionId != "null") response.Headers["x-amz-version-id"] = record.VersionId;
            if (source.VersionId != "null") response.Headers["x-amz-copy-source-version-id"] = source.VersionId;
            return response;
        });

    /// <summary>A new object: s3:PutObject with the SSE condition keys, and kms:GenerateDataKey on the key SSE-KMS will use.</summary>
    private async Task<IReadOnlyList<AuthorizationCheck>> PutChecksAsync(S3Request request, CancellationToken cancellationToken)
    {
        var checks = new List<AuthorizationCheck> { OnObject(request, "s3:PutObject", SseConditionKeys(request)) };
        if (await NewObjectKmsCheckAsync(request, cancellationToken).ConfigureAwait(false) is { } kmsCheck) checks.Add(kmsCheck);
        return checks;
    }

    private async Task<IReadOnlyList<AuthorizationCheck>> ReadChecksAsync(S3Request request, CancellationToken cancellationToken)
    {
        // A version by id is its own permission in AWS; and its KMS key is the one that version was written under,
        // which need not be the current version's.
        var versionId = request.Query.GetValueOrDefault("versionId");
        var checks = new List<AuthorizationCheck> { OnObject(request, VersionAction(request, "s3:GetObject", "s3:GetObjectVersion")) };
        var record = versionId is null ? objects.Catalog.GetObject(request.Bucket!, request.Key!) : objects.Catalog.GetVersion(request.Bucket!, request.Key!, versionId);
        if (record is { Encryption: { Mode: EncryptionRequest.SseKms } sse })
            checks.Add(await OnKmsKeyAsync("kms:Decrypt", sse.KmsKeyArn!, sse.KmsContext!, cancellationToken).ConfigureAwait(false));
        return checks;
    }

    /// <summary>
    /// Reading a copy source: s3:GetObject (s3:GetObjectVersion for a version by id) on it, and for SSE-KMS kms:Decrypt on
    /// the key that version was written under (bucket-key objects included: the caller opens the bucket key).
    /// </summary>
    private async Task<IReadOnlyList<AuthorizationCheck>> CopySourceChecksAsync(S3Request request, CancellationToken cancellationToken)
    {
        var (sourceBucket, sourceKey, versionId) = CopySourceWithVersion(request);
        var source = objects.Catalog.GetBucket(sourceBucket);
        var checks = new List<AuthorizationCheck>
        {
            new(versionId is null ? "s3:GetObject" : "s3:GetObjectVersion", $"arn:{options.Partition}:s3:::{sourceBucket}/{sourceKey}", source?.Policy, false,
                new Dictionary<string, IReadOnlyList<string>>()),
        };
        var record = versionId is null ? objects.Catalog.GetObject(sourceBucket, sourceKey) : objects.Catalog.GetVersion(sourceBucket, sourceKey, versionId);
        if (record is { Encryption: { Mode: EncryptionRequest.SseKms } sse })
            checks.Add(await OnKmsKeyAsync("kms:Decrypt", sse.KmsKeyArn!, sse.KmsContext!, cancellationToken).ConfigureAwait(false));
        return checks;
    }

    private ObjectRecord Current(S3Request request) => objects.HeadObject(request.Bucket!, request.Key!, request.Query.GetValueOrDefault("versionId"));

    /// <summary>SSE-C objects need the right key on every read; a wrong key is refused before any data (403, or 400 by setting).</summary>
    private async Task<byte[]?> OpenableKeyAsync(S3Request request, ObjectRecord record, CancellationToken cancellationToken)
    {
        var customerKey = SseHeaders.CustomerKey(request, options.S3AllowSseCOverHttp);
        await VerifyCustomerKeyAsync(record, customerKey, cancellationToken).ConfigureAwait(false);
        return customerKey;
    }

    private async Task VerifyCustomerKeyAsync(ObjectRecord record, byte[]? customerKey, CancellationToken cancellationToken)
    {
        if (record.Encryption.Mode != EncryptionRequest.SseC)
        {
            if (customerKey is not null)
                throw new ObjectStoreException(ObjectStoreError.InvalidRequest, "The encryption parameters are not applicable to this object.");
            return;
        }
        try
        {
            await objects.VerifyKeyAsync(record, customerKey, cancellationToken).ConfigureAwait(false);
        }
        catch (ObjectStoreException e) when (e.Error == ObjectStoreError.AccessDenied && options.S3WrongCustomerKeyStatus == 400)
        {
            throw new ObjectStoreException(ObjectStoreError.InvalidRequest, "The provided customer key does not match the key the object was encrypted with.");
        }
    }

    private static Dictionary<string, IReadOnlyList<string>> SseConditionKeys(S3Request request)
    {
        var keys = new Dictionary<string, IReadOnlyList<string>>(StringComparer.OrdinalIgnoreCase);
        foreach (var name in new[] { "x-amz-server-side-encryption", "x-amz-server-side-encryption-aws-kms-key-id", "x-amz-server-side-encryption-customer-algorithm", "x-amz-acl", "x-amz-storage-class" })
        {
            if (request.Header(name) is { } value) keys["s3:" + name] = [value];
        }
        return keys;
    }

    /// <summary>
    /// The copy source, <c>[/]bucket/key[?versionId=id]</c>, URL-encoded: InvalidArgument "Invalid copy source
    /// encoding." when it does not decode to UTF-8, as S3 answers, and S3's version id errors for a bad version id.
    /// </summary>
    private static (string Bucket, string Key, string? VersionId) CopySourceWithVersion(S3Request request)
    {
        var header = request.Header("x-amz-copy-source")!;
        string? versionId = null;
        var query = header.IndexOf('?', StringComparison.Ordinal);
        if (query >= 0)
        {
            var parameter = header[(query + 1)..];
            header = header[..query];
            if (parameter.StartsWith("versionId=", StringComparison.Ordinal))
            {
                versionId = PercentDecoding.TryDecode(parameter["versionId=".Length..]) ?? throw InvalidCopySourceEncoding();
                VersionIds.Validate(versionId);
            }
        }
        var (bucket, key) = ParseCopySource(header);
        return (bucket, key, versionId);
    }

    private static (string Bucket, string Key) ParseCopySource(string header)
    {
        var decoded = (PercentDecoding.TryDecode(header) ?? throw InvalidCopySourceEncoding()).TrimStart('/');
        var slash = decoded.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0 || slash == decoded.Length - 1)
            throw new ObjectStoreException(ObjectStoreError.InvalidArgument, "Copy Source must mention the source bucket and key: sourcebucket/sourcekey");
        return (decoded[..slash], decoded[(slash + 1)..]);
    }

    private static ObjectStoreException InvalidCopySourceEncoding() => new(ObjectStoreError.InvalidArgument, "Invalid copy source encoding.");

    private static (List<(string Key, string? VersionId)> Keys, bool Quiet) DeleteKeys(byte[] body)
    {
        var root = S3Xml.Parse(body, "Delete");
        var keys = root.Children("Object").Select(o => (o.Child("Key")?.Value ?? throw S3Xml.Malformed(), o.Child("VersionId")?.Value)).ToList();
        if (keys.Count is 0 or > 1000) throw S3Xml.Malformed();
        return (keys, root.Child("Quiet")?.Value is { } quiet && quiet.Equals("true", StringComparison.OrdinalIgnoreCase));
    }

    private static long DeclaredLength(S3Request request)
    {
        if (request.Header("x-amz-decoded-content-length") is { } decoded && long.TryParse(decoded, out var length)) return length;
        return request.Http.Request.ContentLength ?? -1;
    }
}
