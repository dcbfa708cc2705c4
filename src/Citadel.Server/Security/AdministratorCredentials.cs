using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Citadel.Crypto;
using Citadel.Iam;
using Citadel.Kms.Keys;
using Citadel.Storage;

namespace Citadel.Server.Security;

/// <summary>
/// The account root's access key. Given through CITADEL_ROOT_ACCESS_KEY_ID/SECRET (never stored),
/// or created on first unseal and stored in the metadata database with the secret wrapped under the
/// root key, so a copy of the data directory without the root key does not reveal it.
/// </summary>
public sealed class AdministratorCredentials(IDocumentStore store, RootKeyHolder root, string accountId, string partition) : ICredentialStore
{
    private const string Collection = "iam-root-credentials";
    private const string DocumentId = "current";
    private const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    private volatile Credential? _credential;

    private sealed record StoredCredential(string AccessKeyId, byte[] WrappedSecret);

    /// <summary>The root principal of the account.</summary>
    public Principal RootPrincipal(string accessKeyId) => new("Root", accountId, $"arn:{partition}:iam::{accountId}:root", accountId, null, accessKeyId);

    /// <summary>Uses credentials given by the operator.</summary>
    public void UseGiven(string accessKeyId, string secret) => _credential = new Credential(accessKeyId, secret, RootPrincipal(accessKeyId));

    /// <summary>Loads the stored credential, creating it when there is none; returns the secret only when it was just created (to show once).</summary>
    public async Task<Credential?> LoadOrCreateAsync(CancellationToken cancellationToken = default)
    {
        if (_credential is not null) return null;
        var document = await store.GetAsync(Collection, DocumentId, cancellationToken).ConfigureAwait(false);
        if (document is not null)
        {
            var stored = JsonSerializer.Deserialize<StoredCredential>(document.Body)!;
            var secret = Encoding.UTF8.GetString(root.Current.Unwrap(stored.WrappedSecret, Context(stored.AccessKeyId)));
            _credential = new Credential(stored.AccessKeyId, secret, RootPrincipal(stored.AccessKeyId));
            return null;
        }
        var accessKeyId = "AKIA" + RandomString(16, Alphabet);
        var newSecret = RandomString(40, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/");
        var wrapped = root.Current.Wrap(Encoding.UTF8.GetBytes(newSecret), Context(accessKeyId));
        await store.WriteAsync([new DocumentWrite(Collection, DocumentId, JsonSerializer.Serialize(new StoredCredential(accessKeyId, wrapped)), 0)], cancellationToken).ConfigureAwait(false);
        _credential = new Credential(accessKeyId, newSecret, RootPrincipal(accessKeyId));
        return _credential;
    }

    /// <summary>Reads the stored credential with a root key (for <c>citadel env</c>); null when none is stored.</summary>
    public static async Task<(string AccessKeyId, string Secret)?> ReadStoredAsync(IDocumentStore store, RootKey rootKey)
    {
        var document = await store.GetAsync(Collection, DocumentId).ConfigureAwait(false);
        if (document is null) return null;
        var stored = JsonSerializer.Deserialize<StoredCredential>(document.Body)!;
        return (stored.AccessKeyId, Encoding.UTF8.GetString(rootKey.Unwrap(stored.WrappedSecret, Context(stored.AccessKeyId))));
    }

    /// <inheritdoc />
    public Credential? Find(string accessKeyId)
    {
        var credential = _credential;
        if (credential is null) return null;
        // Constant-time: the access key id is not secret, but there is no reason to leak prefix matches.
        return CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(credential.AccessKeyId), Encoding.UTF8.GetBytes(accessKeyId)) ? credential : null;
    }

    private static byte[] Context(string accessKeyId) => CanonicalEncoding.EncodeFields("citadel/iam/root-credential/v1", accessKeyId);

    private static string RandomString(int length, string alphabet)
    {
        var chars = new char[length];
        for (var i = 0; i < length; i++) chars[i] = alphabet[RandomNumberGenerator.GetInt32(alphabet.Length)];
        return new string(chars);
    }
}
