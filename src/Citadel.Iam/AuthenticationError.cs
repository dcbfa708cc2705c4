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
}

/// <summary>A request failed SigV4 authentication.</summary>
public sealed class AuthenticationException(AuthenticationErrorKind kind, string message) : Exception(message)
{
    /// <summary>The failure kind.</summary>
    public AuthenticationErrorKind Kind { get; } = kind;
}
