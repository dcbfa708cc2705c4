using System.Text.Json;
using Citadel.Crypto;

namespace Citadel.Iam;

/// <summary>Resolves temporary credentials from a session token.</summary>
public interface ISessionCredentials
{
    /// <summary>The credential a token carries; throws <see cref="AuthenticationException"/> when the token is invalid, expired or not for this key.</summary>
    Credential Resolve(string accessKeyId, string token);
}

/// <summary>
/// STS session credentials, stateless: the session token is the session itself (access key id, secret,
/// role, session name, expiry, session tags) wrapped under the root key (AES-256-GCM, bound to its
/// purpose), so sessions survive restarts, need no storage, cannot be forged or read without the root key,
/// and die with their expiry.
/// </summary>
public sealed class SessionTokens(Func<RootKey> rootKey, TimeProvider time, string partition) : ISessionCredentials
{
    private static readonly byte[] Purpose = CanonicalEncoding.EncodeFields("citadel/sts/session-token/v1");

    private sealed record Session(string AccessKeyId, string Secret, string RoleArn, string RoleId, string SessionName, string Account, long Expires, Dictionary<string, string>? Tags);

    /// <summary>Issues credentials for a role session.</summary>
    public (string AccessKeyId, string Secret, string Token, DateTimeOffset Expiration) Issue(string roleArn, string roleId, string account, string sessionName,
        TimeSpan duration, IReadOnlyDictionary<string, string>? tags)
    {
        var expiration = DateTimeOffset.FromUnixTimeSeconds(time.GetUtcNow().Add(duration).ToUnixTimeSeconds());
        var session = new Session("ASIA" + Identity.IamDirectory.RandomId(16), Identity.IamDirectory.RandomSecret(), roleArn, roleId, sessionName, account,
            expiration.ToUnixTimeSeconds(), tags?.ToDictionary(t => t.Key, t => t.Value));
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
            throw new AuthenticationException(AuthenticationErrorKind.InvalidToken, "The security token included in the request is invalid.");
        if (time.GetUtcNow().ToUnixTimeSeconds() >= session.Expires)
            throw new AuthenticationException(AuthenticationErrorKind.ExpiredToken, "The security token included in the request is expired");
        var roleName = session.RoleArn[(session.RoleArn.LastIndexOf('/') + 1)..];
        var principal = new Principal("AssumedRole", $"{session.RoleId}:{session.SessionName}",
            $"arn:{partition}:sts::{session.Account}:assumed-role/{roleName}/{session.SessionName}", session.Account, null, accessKeyId)
        {
            SessionTags = session.Tags,
        };
        return new Credential(accessKeyId, session.Secret, principal);
    }

    /// <summary>The role ARN behind an assumed-role session ARN (arn:aws:sts::A:assumed-role/R/S), without the role's path.</summary>
    public static string? RoleNameOf(string sessionArn)
    {
        var parts = sessionArn.Split(':', 6);
        if (parts.Length != 6 || !parts[5].StartsWith("assumed-role/", StringComparison.Ordinal)) return null;
        var segments = parts[5].Split('/');
        return segments.Length == 3 ? segments[1] : null;
    }

}
