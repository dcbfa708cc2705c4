using System.Text.Json;
using Citadel.Crypto;

namespace Citadel.Iam;

/// <summary>Resolves temporary credentials from a session token.</summary>
public interface ISessionCredentials
{
    /// <summary>The credential a token carries; throws <see cref="AuthenticationException"/> when the token is invalid, expired or not for this key.</summary>
    Credential Resolve(string accessKeyId, string token);
}

/// <summary>The roles that exist now, by their unique id: what a session token is checked against each time it authenticates.</summary>
public interface IRoleRegistry
{
    /// <summary>The ARN of the role with this unique id (AROA...), or null when no role has it: never created, or deleted
    /// (a role created again under the same name has a new id).</summary>
    string? RoleArnOf(string roleId);
}

/// <summary>What an AssumeRole call puts into a session, besides the role and its lifetime.</summary>
/// <param name="SessionName">RoleSessionName.</param>
/// <param name="Tags">Session tags (they become <c>aws:PrincipalTag/*</c>, over the role's tags of the same key), or null.</param>
/// <param name="SourceIdentity">The SourceIdentity parameter (<c>aws:SourceIdentity</c> of the session), or null.</param>
public sealed record SessionRequest(string SessionName, IReadOnlyDictionary<string, string>? Tags = null, string? SourceIdentity = null);

/// <summary>
/// STS session credentials, stateless: the session token is the session itself (access key id, secret,
/// role ARN and unique id, session name, issue time, expiry, session tags, source identity) wrapped under the root key
/// (AES-256-GCM, bound to its purpose), so sessions survive restarts, need no storage, cannot be forged or read without
/// the root key, and die with their expiry — or with their role: a session is bound to the role's unique id, as in AWS,
/// so it stops authenticating once its role is deleted, also when a role of the same name is created again.
/// </summary>
public sealed class SessionTokens(Func<RootKey> rootKey, TimeProvider time, string partition, IRoleRegistry roles) : ISessionCredentials
{
    // v2 added the issue time (aws:TokenIssueTime) and the source identity. A v1 token does not open under v2's purpose,
    // so it is refused as invalid: accepting it without an issue time would let it slip past a Deny on
    // aws:TokenIssueTime (a condition on a missing key does not match), the revoke-older-sessions pattern.
    private static readonly byte[] Purpose = CanonicalEncoding.EncodeFields("citadel/sts/session-token/v2");

    private const string InvalidMessage = "The security token included in the request is invalid.";

    private sealed record Session(string AccessKeyId, string Secret, string RoleArn, string RoleId, string SessionName, string Account,
        long Issued, long Expires, Dictionary<string, string>? Tags, string? SourceIdentity);

    /// <summary>Issues credentials for a session of a role (<paramref name="roleArn"/>, unique id <paramref name="roleId"/>).</summary>
    public (string AccessKeyId, string Secret, string Token, DateTimeOffset Expiration) Issue(string roleArn, string roleId, string account, SessionRequest request,
        TimeSpan duration)
    {
        // Whole seconds, as IAM's times are: the issue time is what aws:TokenIssueTime compares, the expiry what the client sees.
        var issued = time.GetUtcNow().ToUnixTimeSeconds();
        var expiration = DateTimeOffset.FromUnixTimeSeconds(issued + (long)duration.TotalSeconds);
        var session = new Session("ASIA" + Identity.IamDirectory.RandomId(16), Identity.IamDirectory.RandomSecret(), roleArn, roleId, request.SessionName, account,
            issued, expiration.ToUnixTimeSeconds(), request.Tags?.ToDictionary(t => t.Key, t => t.Value), request.SourceIdentity);
        var sealedSession = rootKey().Wrap(JsonSerializer.SerializeToUtf8Bytes(session), Purpose);
        return (session.AccessKeyId, session.Secret, Convert.ToBase64String(sealedSession), expiration);
    }

    /// <inheritdoc />
    public Credential Resolve(string accessKeyId, string token)
    {
        Session? session;
        try
        {
            session = JsonSerializer.Deserialize<Session>(rootKey().Unwrap(Convert.FromBase64String(token), Purpose));
        }
        catch (Exception e) when (e is FormatException or System.Security.Cryptography.CryptographicException or JsonException)
        {
            session = null;
        }
        if (session is null || !string.Equals(session.AccessKeyId, accessKeyId, StringComparison.Ordinal))
            throw new AuthenticationException(AuthenticationErrorKind.InvalidToken, InvalidMessage);
        if (time.GetUtcNow().ToUnixTimeSeconds() >= session.Expires)
            throw new AuthenticationException(AuthenticationErrorKind.ExpiredToken, "The security token included in the request is expired");
        // The role it was issued for must still exist: the same unique id under the same ARN. A session of a deleted role
        // is answered as AWS answers it, as an invalid token (InvalidClientTokenId / UnrecognizedClientException), the
        // answer for credentials whose principal is gone (an access key of a deleted user gets it too); not as expired,
        // which it is not, and which SDKs take as a cue to refresh the same credentials and retry.
        if (!string.Equals(roles.RoleArnOf(session.RoleId), session.RoleArn, StringComparison.Ordinal))
            throw new AuthenticationException(AuthenticationErrorKind.InvalidToken, InvalidMessage);
        var roleName = session.RoleArn[(session.RoleArn.LastIndexOf('/') + 1)..];
        var principal = new Principal("AssumedRole", $"{session.RoleId}:{session.SessionName}",
            $"arn:{partition}:sts::{session.Account}:assumed-role/{roleName}/{session.SessionName}", session.Account, null, accessKeyId)
        {
            SessionTags = session.Tags,
            TokenIssueTime = DateTimeOffset.FromUnixTimeSeconds(session.Issued),
            SourceIdentity = session.SourceIdentity,
        };
        return new Credential(accessKeyId, session.Secret, principal);
    }

    /// <summary>The name of the role behind an assumed-role session ARN (arn:aws:sts::A:assumed-role/R/S): R, the ARN has no path.</summary>
    public static string? RoleNameOf(string sessionArn)
    {
        var parts = sessionArn.Split(':', 6);
        if (parts.Length != 6 || !parts[5].StartsWith("assumed-role/", StringComparison.Ordinal)) return null;
        var segments = parts[5].Split('/');
        return segments.Length == 3 ? segments[1] : null;
    }

}
