using Citadel.Iam;
using Citadel.Kms;
using Citadel.ObjectStore;

namespace Citadel.Server.Protocols.S3;

/// <summary>An error as S3 writes it: status, code, message, and the bucket/key it concerns.</summary>
public sealed record S3Error(int Status, string Code, string Message, string? Resource = null)
{
    /// <summary>Headers the error carries (x-amz-delete-marker, x-amz-version-id).</summary>
    public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>();

    /// <summary>Elements S3 adds to this error's body after Message (Region, HeadersNotSigned).</summary>
    public IReadOnlyList<(string Name, string Value)> Details { get; init; } = [];
}

/// <summary>The one table that turns typed errors into S3's codes and statuses.</summary>
public static class S3Errors
{
    /// <summary>Translates an object store error.</summary>
    public static S3Error From(ObjectStoreException e)
    {
        var error = Translate(e);
        var headers = new Dictionary<string, string>();
        if (e.DeleteMarker) headers["x-amz-delete-marker"] = "true";
        if (e.VersionId is not null) headers["x-amz-version-id"] = e.VersionId;
        return headers.Count == 0 ? error : error with { Headers = headers };
    }

    private static S3Error Translate(ObjectStoreException e) => e.Error switch
    {
        ObjectStoreError.NoSuchBucket => new(404, "NoSuchBucket", e.Message, e.Resource),
        ObjectStoreError.NoSuchKey => new(404, "NoSuchKey", e.Message, e.Resource),
        ObjectStoreError.NoSuchVersion => new(404, "NoSuchVersion", e.Message, e.Resource),
        ObjectStoreError.BucketAlreadyOwnedByYou => new(409, "BucketAlreadyOwnedByYou", e.Message, e.Resource),
        ObjectStoreError.BucketNotEmpty => new(409, "BucketNotEmpty", e.Message, e.Resource),
        ObjectStoreError.InvalidBucketName => new(400, "InvalidBucketName", e.Message, e.Resource),
        ObjectStoreError.InvalidArgument => new(400, "InvalidArgument", e.Message, e.Resource),
        ObjectStoreError.InvalidRequest => new(400, "InvalidRequest", e.Message, e.Resource),
        ObjectStoreError.InvalidRange => new(416, "InvalidRange", e.Message, e.Resource),
        ObjectStoreError.PreconditionFailed => new(412, "PreconditionFailed", e.Message, e.Resource),
        ObjectStoreError.NotModified => new(304, "NotModified", e.Message, e.Resource),
        ObjectStoreError.AccessDenied => new(403, "AccessDenied", e.Message, e.Resource),
        ObjectStoreError.BadDigest => new(400, "BadDigest", e.Message, e.Resource),
        ObjectStoreError.InvalidDigest => new(400, "InvalidDigest", e.Message, e.Resource),
        ObjectStoreError.ContentSha256Mismatch => new(400, "XAmzContentSHA256Mismatch", e.Message, e.Resource),
        ObjectStoreError.IncompleteBody => new(400, "IncompleteBody", e.Message, e.Resource),
        ObjectStoreError.KeyTooLong => new(400, "KeyTooLongError", e.Message, e.Resource),
        ObjectStoreError.MetadataTooLarge => new(400, "MetadataTooLarge", e.Message, e.Resource),
        ObjectStoreError.EntityTooLarge => new(400, "EntityTooLarge", e.Message, e.Resource),
        ObjectStoreError.EntityTooSmall => new(400, "EntityTooSmall", e.Message, e.Resource),
        ObjectStoreError.MalformedXml => new(400, "MalformedXML", e.Message, e.Resource),
        ObjectStoreError.InvalidEncryptionAlgorithm => new(400, "InvalidEncryptionAlgorithmError", e.Message, e.Resource),
        ObjectStoreError.ObjectCorrupted => new(500, "InternalError", e.Message, e.Resource),
        ObjectStoreError.NoEncryptionConfiguration => new(404, "ServerSideEncryptionConfigurationNotFoundError", e.Message, e.Resource),
        ObjectStoreError.NoSuchBucketPolicy => new(404, "NoSuchBucketPolicy", e.Message, e.Resource),
        ObjectStoreError.NoSuchTagSet => new(404, "NoSuchTagSet", e.Message, e.Resource),
        ObjectStoreError.NoSuchUpload => new(404, "NoSuchUpload", e.Message, e.Resource),
        ObjectStoreError.InvalidPart => new(400, "InvalidPart", e.Message, e.Resource),
        ObjectStoreError.InvalidPartOrder => new(400, "InvalidPartOrder", e.Message, e.Resource),
        ObjectStoreError.EncryptionTypeMismatch => new(400, "EncryptionTypeMismatch", e.Message, e.Resource),
        ObjectStoreError.SignatureDoesNotMatch => new(403, "SignatureDoesNotMatch", e.Message, e.Resource),
        ObjectStoreError.MethodNotAllowed => new(405, "MethodNotAllowed", e.Message, e.Resource),
        ObjectStoreError.InvalidTag => new(400, "InvalidTag", e.Message, e.Resource),
        ObjectStoreError.MalformedPolicy => new(400, "MalformedPolicy", e.Message, e.Resource),
        ObjectStoreError.NotImplemented => new(501, "NotImplemented", e.Message, e.Resource),
        ObjectStoreError.InvalidUri => new(400, "InvalidURI", e.Message, e.Resource),
        ObjectStoreError.MalformedTrailer => new(400, "MalformedTrailerError", e.Message, e.Resource),
        _ => new(500, "InternalError", e.Message, e.Resource),
    };

    /// <summary>A KMS error met while sealing or opening an object key, as S3 reports it (KMS.&lt;type&gt;).</summary>
    public static S3Error From(KmsException e) => new(400, "KMS." + e.AwsType, e.Message);

    /// <summary>An authentication failure, as S3 reports it.</summary>
    public static S3Error From(AuthenticationException e) => e.Kind switch
    {
        AuthenticationErrorKind.MissingAuthentication => new(403, "AccessDenied", "Access Denied"),
        AuthenticationErrorKind.IncompleteSignature => new(400, "AuthorizationHeaderMalformed", e.Message),
        AuthenticationErrorKind.UnknownAccessKey => new(403, "InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records."),
        AuthenticationErrorKind.InvalidToken => new(400, "InvalidToken", "The provided token is malformed or otherwise invalid."),
        AuthenticationErrorKind.ExpiredToken => new(400, "ExpiredToken", "The provided token has expired."),
        AuthenticationErrorKind.Expired when e.Message.StartsWith("Signature", StringComparison.Ordinal) => new(403, "RequestTimeTooSkewed", "The difference between the request time and the current time is too large."),
        AuthenticationErrorKind.Expired => new(403, "AccessDenied", e.Message),
        AuthenticationErrorKind.WrongRegion => new(400, e.Message.StartsWith("Error parsing", StringComparison.Ordinal) ? "AuthorizationQueryParametersError" : "AuthorizationHeaderMalformed",
            e.Message.StartsWith("Error parsing", StringComparison.Ordinal) ? e.Message
                : $"The authorization header is malformed; the region '{e.RequestRegion}' is wrong; expecting '{e.ExpectedRegion}'")
        { Details = [("Region", e.ExpectedRegion ?? "")] },
        AuthenticationErrorKind.HeadersNotSigned => new(403, "AccessDenied", e.Message) { Details = [("HeadersNotSigned", string.Join(", ", e.HeadersNotSigned))] },
        _ => new(403, "SignatureDoesNotMatch", e.Message),
    };
}
