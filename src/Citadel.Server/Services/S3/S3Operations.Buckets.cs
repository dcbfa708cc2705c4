using Citadel.Server.Hosting;
using Citadel.Server.Protocols.S3;

namespace Citadel.Server.Services.S3;

// Bucket operations: ListBuckets, CreateBucket, DeleteBucket, HeadBucket, GetBucketLocation.
public sealed partial class S3Operations
{
    private S3Operation ListBuckets() => new("ListBuckets", true,
        (_, _) => Task.FromResult<IReadOnlyList<AuthorizationCheck>>([AuthorizationCheck.OnAnyResource("s3:ListAllMyBuckets")]),
        (request, _) =>
        {
            var buckets = objects.Catalog.ListBuckets();
            var xml = S3Xml.E("ListAllMyBucketsResult",
                S3Xml.E("Owner", S3Xml.E("ID", options.AccountId), S3Xml.E("DisplayName", "citadel")),
                S3Xml.E("Buckets", buckets.Select(b => S3Xml.E("Bucket", S3Xml.E("Name", b.Name), S3Xml.E("CreationDate", S3Xml.Time(b.CreationDate)), S3Xml.E("BucketRegion", b.Region)))));
            return Task.FromResult(S3Response.Xml(S3Xml.Serialize(xml)));
        });

    private S3Operation CreateBucket() => new("CreateBucket", false,
        (request, _) => OnBucket(request, "s3:CreateBucket"),
        async (request, cancellationToken) =>
        {
            string? location = null;
            var body = await request.ReadSmallBodyAsync(cancellationToken).ConfigureAwait(false);
            if (body.Length > 0)
                location = S3Xml.Parse(body, "CreateBucketConfiguration").Child("LocationConstraint")?.Value;
            if (!string.IsNullOrEmpty(location) && location != options.Region)
                throw new ObjectStore.ObjectStoreException(ObjectStore.ObjectStoreError.InvalidArgument,
                    $"The specified location-constraint is not valid: this Citadel serves region {options.Region}.", request.Bucket);
            objects.CreateBucket(request.Bucket!, location);
            var response = S3Response.Empty();
            response.Headers["Location"] = "/" + request.Bucket;
            return response;
        });

    private S3Operation DeleteBucket() => new("DeleteBucket", false,
        (request, _) => OnBucket(request, "s3:DeleteBucket"),
        (request, _) =>
        {
            objects.DeleteBucket(request.Bucket!);
            return Task.FromResult(S3Response.Empty(204));
        });

    private S3Operation HeadBucket() => new("HeadBucket", true,
        (request, _) => OnBucket(request, "s3:ListBucket"),
        (request, _) =>
        {
            var bucket = objects.GetBucket(request.Bucket!);
            var response = S3Response.Empty();
            response.Headers["x-amz-bucket-region"] = bucket.Region;
            return Task.FromResult(response);
        });

    private S3Operation GetBucketLocation() => new("GetBucketLocation", true,
        (request, _) => OnBucket(request, "s3:GetBucketLocation"),
        (request, _) =>
        {
            var bucket = objects.GetBucket(request.Bucket!);
            // us-east-1 is reported as an empty LocationConstraint, as AWS does.
            var xml = S3Xml.E("LocationConstraint", bucket.Region == "us-east-1" ? null : bucket.Region);
            return Task.FromResult(S3Response.Xml(S3Xml.Serialize(xml)));
        });
}
