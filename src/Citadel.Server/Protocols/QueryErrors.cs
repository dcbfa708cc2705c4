namespace Citadel.Server.Protocols;

/// <summary>
/// The query protocol's names and statuses for the pipeline's own errors, which the awsJson services
/// call by their JSON names (for example InvalidSignatureException is SignatureDoesNotMatch, 403, in IAM and STS).
/// </summary>
public static class QueryErrors
{
    /// <summary>The query protocol's status and code for an error.</summary>
    public static (int Status, string Code) Translate(ServiceError error) => error.Type switch
    {
        "MissingAuthenticationTokenException" => (403, "MissingAuthenticationToken"),
        "IncompleteSignatureException" => (400, "IncompleteSignature"),
        "UnrecognizedClientException" => (403, "InvalidClientTokenId"),
        "ExpiredTokenException" => (400, "ExpiredToken"),
        "InvalidSignatureException" => (403, "SignatureDoesNotMatch"),
        "ValidationException" => (400, "ValidationError"),
        "SerializationException" => (400, "MalformedInput"),
        "UnknownOperationException" => (400, "InvalidAction"),
        "AccessDeniedException" => (403, "AccessDenied"),
        "ServiceUnavailableException" => (503, "ServiceUnavailable"),
        "InternalFailure" => (500, "InternalFailure"),
        "RequestEntityTooLargeException" => (413, "RequestEntityTooLarge"),
        _ => (error.Status, error.Type),
    };
}
