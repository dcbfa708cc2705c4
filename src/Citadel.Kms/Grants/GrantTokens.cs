using System.Security.Cryptography;
using Citadel.Crypto;
using Citadel.Kms.Keys;

namespace Citadel.Kms.Grants;

/// <summary>
/// Grant tokens, what CreateGrant returns beside the grant id. In AWS a token lets a grantee use a grant before it
/// is consistent everywhere; Citadel's grants are consistent at once, so a token adds no permission, but every
/// token a request carries must be one Citadel issued (InvalidGrantTokenException otherwise), and RetireGrant finds
/// its grant from one. A token is self-contained (nothing is stored):
/// <code>base64url( 0x01 | key id (16, UUID big-endian) | grant id (32) | nonce (16) | tag (32) )
/// tag = HMAC-SHA256(HKDF-SHA256(root key, info "citadel/kms/grant-token/v1"), the 65 bytes before it)</code>
/// The random nonce gives each CreateGrant answer its own token, as AWS does, even for a retry that returns an
/// existing grant; all tokens of a grant are interchangeable.
/// </summary>
public static class GrantTokens
{
    private const byte FormatVersion = 1;
    private const int BodySize = 1 + 16 + 32 + 16;
    private const int TagSize = 32;
    private static readonly byte[] Purpose = "citadel/kms/grant-token/v1"u8.ToArray();

    /// <summary>Issues a token for a grant.</summary>
    public static string Issue(RootKey root, IRandom random, string keyId, string grantId)
    {
        var token = new byte[BodySize + TagSize];
        token[0] = FormatVersion;
        Guid.ParseExact(keyId, "D").TryWriteBytes(token.AsSpan(1, 16), bigEndian: true, out _);
        Convert.FromHexString(grantId).CopyTo(token.AsSpan(17, 32));
        random.Fill(token.AsSpan(49, 16));
        Tag(root, token.AsSpan(0, BodySize), token.AsSpan(BodySize));
        return Base64Url(token);
    }

    /// <summary>The key id and grant id a token names; InvalidGrantTokenException when Citadel did not issue it.</summary>
    public static (string KeyId, string GrantId) Open(RootKey root, string token)
    {
        var bytes = FromBase64Url(token);
        if (bytes is null || bytes.Length != BodySize + TagSize || bytes[0] != FormatVersion) throw Invalid();
        Span<byte> expected = stackalloc byte[TagSize];
        Tag(root, bytes.AsSpan(0, BodySize), expected);
        if (!CryptographicOperations.FixedTimeEquals(expected, bytes.AsSpan(BodySize))) throw Invalid();
        return (new Guid(bytes.AsSpan(1, 16), bigEndian: true).ToString("D"), Convert.ToHexStringLower(bytes.AsSpan(17, 32)));
    }

    /// <summary>Checks every token a request carries.</summary>
    public static void CheckRequest(RootKeyHolder root, object request)
    {
        if (request is not Operations.IGrantTokensRequest { GrantTokens: { Count: > 0 } tokens }) return;
        foreach (var token in tokens) Open(root.Current, token);
    }

    private static void Tag(RootKey root, ReadOnlySpan<byte> body, Span<byte> tag)
    {
        Span<byte> key = stackalloc byte[32];
        root.Derive(Purpose, key);
        try
        {
            HMACSHA256.HashData(key, body, tag);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static byte[]? FromBase64Url(string text)
    {
        if (text.Length > 1024) return null;
        var padded = text.Replace('-', '+').Replace('_', '/');
        padded += new string('=', (4 - (padded.Length % 4)) % 4);
        try
        {
            return Convert.FromBase64String(padded);
        }
        catch (FormatException)
        {
            return null;
        }
    }

    private static KmsException Invalid() => new(KmsErrorCode.InvalidGrantToken, "The grant token is not valid: it was not issued by this server or was changed.");
}
