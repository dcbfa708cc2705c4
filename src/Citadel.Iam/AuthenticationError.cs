namespace Citadel.Iam;

/// <summary>Why a request did not authenticate; each maps to an AWS error code per protocol.</summary>
public enum AuthenticationErrorKind
{
    /// <summary>No Authorization header and no presigned query: <c>MissingAuthenticationToken</c>.</summary>
    MissingAuthentication,
    /// <summary>The Authorization header or presigned query is malformed: <c>IncompleteSignature</c>.</summary>
    IncompleteSignature,
    /// <summary>The access key id is not known: <c>UnrecognizedClient</c> / <c>InvalidAccessKeyId</c>.</summary>
    UnknownAccessKey,
    /// <summary>The signature does not match: <c>InvalidSignature</c> / <c>SignatureDoesNotMatch</c>.</summary>
    SignatureMismatch,
    /// <summary>The request time is outside the allowed clock skew, or a presigned URL expired.</summary>
    Expired,
    /// <summary>The session token is not valid: <c>UnrecognizedClient</c> / <c>InvalidClientTokenId</c>.</summary>
    InvalidToken,
    /// <summary>The session token has expired: <c>ExpiredTokenException</c> / <c>ExpiredToken</c>.</summary>
    ExpiredToken,
    /// <summary>The credential scope names a region this deployment does not serve (S3: <c>AuthorizationHeaderMalformed</c>).</summary>
    WrongRegion,
    /// <summary>
    /// The request carries <c>x-amz-*</c> headers that the signature does not cover (S3: 403 <c>AccessDenied</c>, "There were
    /// headers present in the request which were not signed"); <see cref="AuthenticationException.HeadersNotSigned"/> names them.
    /// </summary>
    HeadersNotSigned,
}

/// <summary>A request failed SigV4 authentication.</summary>
public sealed class AuthenticationException(AuthenticationErrorKind kind, string message) : Exception(message)
{
    /// <summary>The failure kind.</summary>
    public AuthenticationErrorKind Kind { get; } = kind;

    /// <summary>For <see cref="AuthenticationErrorKind.WrongRegion"/>: the region the deployment expects.</summary>
    public string? ExpectedRegion { get; init; }

    /// <summary>For <see cref="AuthenticationErrorKind.WrongRegion"/>: the region the request was signed for.</summary>
    public string? RequestRegion { get; init; }

    /// <summary>For <see cref="AuthenticationErrorKind.HeadersNotSigned"/>: the unsigned headers, lower-case, in request order.</summary>
    public IReadOnlyList<string> HeadersNotSigned { get; init; } = [];
}
