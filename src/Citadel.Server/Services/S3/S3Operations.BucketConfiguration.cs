using Citadel.Iam.Policies;
using Citadel.ObjectStore;
using Citadel.ObjectStore.Model;
using Citadel.Server.Protocols.S3;

namespace Citadel.Server.Services.S3;

// Bucket configuration: default encryption and the bucket policy.
public sealed partial class S3Operations
{
    private S3Operation PutBucketEncryption() => new("PutBucketEncryption", false,
        (request, _) => OnBucket(request, "s3:PutEncryptionConfiguration"),
        async (request, cancellationToken) =>
        {
            var bucket = objects.GetBucket(request.Bucket!);
            var root = S3Xml.Parse(await request.ReadSmallBodyAsync(cancellationToken).ConfigureAwait(false), "ServerSideEncryptionConfiguration");
            var rules = root.Children("Rule").ToList();
            if (rules.Count != 1) throw S3Xml.Malformed();
            var rule = rules[0];
            var byDefault = rule.Child("ApplyServerSideEncryptionByDefault");
            var algorithm = byDefault?.Child("SSEAlgorithm")?.Value ?? throw S3Xml.Malformed();
            var keyId = byDefault.Child("KMSMasterKeyID")?.Value;
            if (algorithm is not ("AES256" or "aws:kms"))
                throw new ObjectStoreException(ObjectStoreError.InvalidArgument, algorithm == "aws:kms:dsse"
                    ? "Dual-layer SSE-KMS (aws:kms:dsse) is not supported by Citadel." : "The server-side encryption algorithm is not valid.");
            if (keyId is not null && algorithm != "aws:kms")
                throw new ObjectStoreException(ObjectStoreError.InvalidArgument, "a KMSMasterKeyID is not applicable if the default sse algorithm is not aws:kms or aws:kms:dsse");
            if (keyId is not null) await kms.Resolver.ResolveAsync(keyId, cancellationToken).ConfigureAwait(false);
            var bucketKey = rule.Child("BucketKeyEnabled")?.Value is { } flag && flag.Equals("true", StringComparison.OrdinalIgnoreCase);
            var blocked = rule.Child("BlockedEncryptionTypes")?.Children("EncryptionType").Select(e => e.Value).ToList();
            if (blocked is not null && blocked.Any(b => b is not ("NONE" or "SSE-C"))) throw S3Xml.Malformed();
            objects.Catalog.UpdateBucket(bucket with { Encryption = new BucketEncryption(algorithm, keyId, bucketKey, blocked) });
            return S3Response.Empty();
        });

    private S3Operation GetBucketEncryption() => new("GetBucketEncryption", true,
        (request, _) => OnBucket(request, "s3:GetEncryptionConfiguration"),
        (request, _) =>
        {
            var bucket = objects.GetBucket(request.Bucket!);
            // Every bucket encrypts: one that was never configured reports the SSE-S3 default, as AWS does since 2023.
            var encryption = bucket.Encryption ?? new BucketEncryption("AES256", null, false, null);
            var rule = S3Xml.E("Rule",
                S3Xml.E("ApplyServerSideEncryptionByDefault", S3Xml.E("SSEAlgorithm", encryption.Algorithm),
                    encryption.KmsKeyId is null ? null : S3Xml.E("KMSMasterKeyID", encryption.KmsKeyId)),
                S3Xml.E("BucketKeyEnabled", encryption.BucketKeyEnabled ? "true" : "false"),
                encryption.BlockedEncryptionTypes is { Count: > 0 } blocked
                    ? S3Xml.E("BlockedEncryptionTypes", blocked.Select(b => S3Xml.E("EncryptionType", b))) : null);
            return Task.FromResult(S3Response.Xml(S3Xml.Serialize(S3Xml.E("ServerSideEncryptionConfiguration", rule))));
        });

    private S3Operation DeleteBucketEncryption() => new("DeleteBucketEncryption", false,
        (request, _) => OnBucket(request, "s3:PutEncryptionConfiguration"),
        (request, _) =>
        {
            var bucket = objects.GetBucket(request.Bucket!);
            objects.Catalog.UpdateBucket(bucket with { Encryption = null });
            return Task.FromResult(S3Response.Empty(204));
        });

    private S3Operation PutBucketPolicy() => new("PutBucketPolicy", false,
        (request, _) => OnBucket(request, "s3:PutBucketPolicy"),
        async (request, cancellationToken) =>
        {
            var bucket = objects.GetBucket(request.Bucket!);
            var body = await request.ReadSmallBodyAsync(cancellationToken).ConfigureAwait(false);
            if (body.Length > 20 * 1024)
                throw new ObjectStoreException(ObjectStoreError.InvalidArgument, "Policies must be 20 KB or smaller.");
            var text = System.Text.Encoding.UTF8.GetString(body);
            try
            {
                PolicyDocument.Parse(text, PolicyKind.Resource);
            }
            catch (MalformedPolicyDocumentException e)
            {
                throw new ObjectStoreException(ObjectStoreError.MalformedPolicy, e.Message);
            }
            objects.Catalog.UpdateBucket(bucket with { Policy = text });
            return S3Response.Empty(204);
        });

    private S3Operation GetBucketPolicy() => new("GetBucketPolicy", true,
        (request, _) => OnBucket(request, "s3:GetBucketPolicy"),
        (request, _) =>
        {
            var bucket = objects.GetBucket(request.Bucket!);
            if (bucket.Policy is null)
                throw new ObjectStoreException(ObjectStoreError.NoSuchBucketPolicy, "The bucket policy does not exist", request.Bucket);
            var response = new S3Response { Body = System.Text.Encoding.UTF8.GetBytes(bucket.Policy) };
            response.Headers["Content-Type"] = "application/json";
            return Task.FromResult(response);
        });

    private S3Operation DeleteBucketPolicy() => new("DeleteBucketPolicy", false,
        (request, _) => OnBucket(request, "s3:DeleteBucketPolicy"),
        (request, _) =>
        {
            var bucket = objects.GetBucket(request.Bucket!);
            objects.Catalog.UpdateBucket(bucket with { Policy = null });
            return Task.FromResult(S3Response.Empty(204));
        });
}
