using Citadel.Kms;
using Citadel.Kms.Model;
using Citadel.ObjectStore;
using Citadel.ObjectStore.Encryption;
using Citadel.ObjectStore.Model;
using Citadel.Server.Hosting;

namespace Citadel.Server.Services.S3;

/// <summary>
/// The S3 operations Citadel serves and the routing of a request (method, bucket, key, subresource) to one
/// of them, as the rest-xml model lays out the URIs. Each operation lives in a file of its area
/// (buckets, bucket configuration, objects, listing).
/// </summary>
public sealed partial class S3Operations(ObjectLayer objects, KmsContext kms, CitadelOptions options)
{
    private static readonly string[] UnsupportedBucketSubresources =
        ["acl", "cors", "lifecycle", "logging", "notification", "replication", "website", "accelerate", "analytics", "inventory", "metrics",
         "ownershipControls", "publicAccessBlock", "requestPayment", "object-lock", "intelligent-tiering"];
    private static readonly string[] UnsupportedObjectSubresources = ["acl", "legal-hold", "retention", "restore", "select", "torrent"];

    /// <summary>Finds the operation a request asks for; NotImplemented for S3 features Citadel does not serve (yet).</summary>
    public S3Operation Route(S3Request request)
    {
        var method = request.Method;
        if (request.Bucket is null)
        {
            return method == "GET" ? ListBuckets()
                : throw new ObjectStoreException(ObjectStoreError.NotImplemented, "A header you provided implies functionality that is not implemented.");
        }
        if (request.Key is null)
        {
            if (request.Has("encryption"))
                return method switch { "PUT" => PutBucketEncryption(), "GET" => GetBucketEncryption(), "DELETE" => DeleteBucketEncryption(), _ => NotImplemented() };
            if (request.Has("policy"))
                return method switch { "PUT" => PutBucketPolicy(), "GET" => GetBucketPolicy(), "DELETE" => DeleteBucketPolicy(), _ => NotImplemented() };
            if (request.Has("versioning"))
                return method switch { "PUT" => PutBucketVersioning(), "GET" => GetBucketVersioning(), _ => NotImplemented() };
            if (request.Has("tagging"))
                return method switch { "PUT" => PutBucketTagging(), "GET" => GetBucketTagging(), "DELETE" => DeleteBucketTagging(), _ => NotImplemented() };
            if (request.Has("versions") && method == "GET") return ListObjectVersions();
            if (request.Has("location") && method == "GET") return GetBucketLocation();
            if (request.Has("delete") && method == "POST") return DeleteObjects();
            if (request.Has("uploads") && method == "GET") return ListMultipartUploads();
            if (UnsupportedBucketSubresources.Any(request.Has)) return NotImplemented();
            return method switch
            {
                "PUT" => CreateBucket(),
                "DELETE" => DeleteBucket(),
                "HEAD" => HeadBucket(),
                "GET" when request.Query.TryGetValue("list-type", out var type) && type == "2" => ListObjectsV2(),
                "GET" => ListObjects(),
                _ => NotImplemented(),
            };
        }
        if (UnsupportedObjectSubresources.Any(request.Has)) return NotImplemented();
        if (request.Has("tagging"))
            return method switch { "PUT" => PutObjectTagging(), "GET" => GetObjectTagging(), "DELETE" => DeleteObjectTagging(), _ => NotImplemented() };
        if (request.Has("attributes") && method == "GET") return GetObjectAttributes();
        if (request.Has("uploads") && method == "POST") return CreateMultipartUpload();
        if (request.Has("uploadId"))
        {
            return method switch
            {
                "PUT" when request.Header("x-amz-copy-source") is not null => UploadPartCopy(),
                "PUT" => UploadPart(),
                "POST" => CompleteMultipartUpload(),
                "DELETE" => AbortMultipartUpload(),
                "GET" => ListParts(),
                _ => NotImplemented(),
            };
        }
        return method switch
        {
            "PUT" when request.Header("x-amz-copy-source") is not null => CopyObject(),
            "PUT" => PutObject(),
            "GET" => GetObject(),
            "HEAD" => HeadObject(),
            "DELETE" => DeleteObject(),
            _ => NotImplemented(),
        };
    }

    private static S3Operation NotImplemented() => throw new ObjectStoreException(ObjectStoreError.NotImplemented, "A header you provided implies functionality that is not implemented.");

    private Task<IReadOnlyList<AuthorizationCheck>> OnBucket(S3Request request, string action, IReadOnlyDictionary<string, IReadOnlyList<string>>? keys = null)
    {
        var bucket = objects.Catalog.GetBucket(request.Bucket!);
        return Task.FromResult<IReadOnlyList<AuthorizationCheck>>(
            [new AuthorizationCheck(action, request.BucketArn(options.Partition), bucket?.Policy, false, keys ?? new Dictionary<string, IReadOnlyList<string>>())]);
    }

    private AuthorizationCheck OnObject(S3Request request, string action, IReadOnlyDictionary<string, IReadOnlyList<string>>? keys = null)
    {
        var bucket = objects.Catalog.GetBucket(request.Bucket!);
        return new AuthorizationCheck(action, request.ObjectArn(options.Partition), bucket?.Policy, false, keys ?? new Dictionary<string, IReadOnlyList<string>>());
    }

    /// <summary>The action of an object operation: AWS asks for its own ...Version... action when a version is named by id.</summary>
    private static string VersionAction(S3Request request, string action, string versionAction)
        => request.Query.ContainsKey("versionId") ? versionAction : action;

    /// <summary>
    /// How a new object is encrypted (the SSE headers over the bucket's default), decided once per request. An SSE-KMS
    /// key is resolved here, once, and named by its ARN from then on: authorization asks on this key, and the upload
    /// encrypts under this key, even if the alias the request named is moved in between.
    /// </summary>
    private async Task<EncryptionRequest> NewObjectEncryptionAsync(S3Request request, BucketRecord bucket, CancellationToken cancellationToken)
    {
        if (request.NewObjectEncryption is { } decided) return decided;
        var encryption = SseHeaders.ForNewObject(request, bucket, options.S3AllowSseCOverHttp);
        if (encryption.Mode == EncryptionRequest.SseKms)
        {
            var key = await kms.Resolver.ResolveAsync(encryption.KmsKeyId ?? "alias/aws/s3", cancellationToken).ConfigureAwait(false);
            encryption = encryption with { KmsKeyId = key.Arn };
            request.NewObjectKey = key;
        }
        return request.NewObjectEncryption = encryption;
    }

    /// <summary>kms:GenerateDataKey on the key a new SSE-KMS object will be encrypted under, when it is one.</summary>
    private async Task<AuthorizationCheck?> NewObjectKmsCheckAsync(S3Request request, CancellationToken cancellationToken)
    {
        if (objects.Catalog.GetBucket(request.Bucket!) is not { } bucket) return null;
        var sse = await NewObjectEncryptionAsync(request, bucket, cancellationToken).ConfigureAwait(false);
        return sse.Mode == EncryptionRequest.SseKms
            ? OnKmsKey("kms:GenerateDataKey", request.NewObjectKey!, sse.KmsContext ?? objects.Keys.ObjectContext(request.Bucket!, request.Key!))
            : null;
    }

    /// <summary>The KMS check of an existing SSE-KMS object: kms:Decrypt on the key (by ARN) it was written under.</summary>
    private async Task<AuthorizationCheck> OnKmsKeyAsync(string action, string keyArn, IReadOnlyDictionary<string, string> context, CancellationToken cancellationToken)
        => OnKmsKey(action, await kms.Resolver.ResolveAsync(keyArn, cancellationToken).ConfigureAwait(false), context);

    /// <summary>The KMS check SSE-KMS adds: the caller needs the KMS action on the key too, through S3 (kms:ViaService).</summary>
    private AuthorizationCheck OnKmsKey(string action, KeyRecord key, IReadOnlyDictionary<string, string> context)
    {
        var keys = new Dictionary<string, IReadOnlyList<string>>(StringComparer.OrdinalIgnoreCase)
        {
            ["kms:ViaService"] = [$"s3.{options.Region}.amazonaws.com"],
            ["kms:CallerAccount"] = [options.AccountId],
            ["kms:EncryptionContextKeys"] = context.Keys.ToList(),
        };
        foreach (var (name, value) in context) keys["kms:EncryptionContext:" + name] = [value];
        return new AuthorizationCheck(action, key.Arn, key.Policy, true, keys);
    }
}
