using System.Text.Json;
using Citadel.Kms.Keys;
using Citadel.Kms.Model;
using Citadel.Storage;

namespace Citadel.Kms.Grants;

/// <summary>
/// Grants in the document store the keys use: collection <c>kms-grants</c>, id <c>&lt;key id&gt;/&lt;grant id&gt;</c>,
/// so a key's grants are one ordered range. Creation and deletion run under the key repository's write lock with
/// the key read fresh, so a grant is never written for a key being destroyed (which deletes its grants atomically).
/// Nothing is cached: every authorization reads the key's grants, so a retired or revoked grant stops at once.
/// </summary>
public sealed class GrantStore(KeyRepository keys)
{
    /// <summary>The collection of grant documents.</summary>
    public const string Collection = "kms-grants";

    private const int PageSize = 500;

    /// <summary>The grants of a key, in grant id order.</summary>
    public async Task<IReadOnlyList<GrantRecord>> OfKeyAsync(string keyId, CancellationToken cancellationToken = default)
        => (await DocumentsOfKeyAsync(keys.Store, keyId, cancellationToken).ConfigureAwait(false)).Select(d => Deserialize(d.Body)).ToList();

    /// <summary>The grant, or null.</summary>
    public async Task<GrantRecord?> FindAsync(string keyId, string grantId, CancellationToken cancellationToken = default)
    {
        var document = await keys.Store.GetAsync(Collection, DocumentId(keyId, grantId), cancellationToken).ConfigureAwait(false);
        return document is null ? null : Deserialize(document.Body);
    }

    /// <summary>The grant of the key, or NotFoundException.</summary>
    public async Task<GrantRecord> GetAsync(KeyRecord key, string grantId, CancellationToken cancellationToken = default)
        => await FindAsync(key.KeyId, grantId, cancellationToken).ConfigureAwait(false)
            ?? throw new KmsException(KmsErrorCode.NotFound, $"Grant ID {grantId} not found for {key.Arn}.");

    /// <summary>
    /// Creates a grant on a key: under the write lock, <paramref name="decide"/> sees the key as stored and its grants,
    /// and returns the grant to answer with and whether it is new (a retry with the same name and parameters is not).
    /// NotFoundException when the key no longer exists.
    /// </summary>
    public Task<(GrantRecord Grant, bool Created)> CreateAsync(string keyId, Func<KeyRecord, IReadOnlyList<GrantRecord>, (GrantRecord Grant, bool Created)> decide,
        CancellationToken cancellationToken = default)
        => keys.WithKeyLockedAsync(keyId, async key =>
        {
            if (key is null) throw new KmsException(KmsErrorCode.NotFound, $"Key '{keyId}' does not exist");
            var existing = await OfKeyAsync(keyId, cancellationToken).ConfigureAwait(false);
            var (grant, created) = decide(key, existing);
            if (created)
                await keys.Store.WriteAsync([new DocumentWrite(Collection, DocumentId(keyId, grant.GrantId), JsonSerializer.Serialize(grant, KmsJson.Storage), 0)], cancellationToken).ConfigureAwait(false);
            return (grant, created);
        }, cancellationToken);

    /// <summary>Deletes a grant (retired or revoked); false when it does not exist.</summary>
    public Task<bool> DeleteAsync(string keyId, string grantId, CancellationToken cancellationToken = default)
        => keys.WithKeyLockedAsync(keyId, async _ =>
        {
            var document = await keys.Store.GetAsync(Collection, DocumentId(keyId, grantId), cancellationToken).ConfigureAwait(false);
            if (document is null) return false;
            await keys.Store.WriteAsync([new DocumentWrite(Collection, document.Id, null, document.Revision)], cancellationToken).ConfigureAwait(false);
            return true;
        }, cancellationToken);

    /// <summary>
    /// Grants of every key whose retiring principal is <paramref name="retiringPrincipal"/>, in document id order after
    /// <paramref name="afterId"/>; at most <paramref name="limit"/>, and the id of the last one returned.
    /// </summary>
    public async Task<(IReadOnlyList<GrantRecord> Grants, string? LastId, bool More)> ByRetiringPrincipalAsync(string retiringPrincipal, string? afterId, int limit,
        CancellationToken cancellationToken = default)
    {
        var result = new List<GrantRecord>();
        string? lastId = null;
        var after = afterId;
        while (true)
        {
            var page = await keys.Store.ListAsync(Collection, after, PageSize, cancellationToken).ConfigureAwait(false);
            foreach (var document in page)
            {
                var grant = Deserialize(document.Body);
                if (grant.RetiringPrincipal != retiringPrincipal) continue;
                if (result.Count == limit) return (result, lastId, true);
                result.Add(grant);
                lastId = document.Id;
            }
            if (page.Count < PageSize) return (result, lastId, false);
            after = page[^1].Id;
        }
    }

    /// <summary>The document id of a grant.</summary>
    public static string DocumentId(string keyId, string grantId) => keyId + "/" + grantId;

    /// <summary>The grant documents of a key (ids <c>key id/...</c> sort together, right after <c>key id/</c>).</summary>
    internal static async Task<IReadOnlyList<Document>> DocumentsOfKeyAsync(IDocumentStore store, string keyId, CancellationToken cancellationToken)
    {
        var prefix = keyId + "/";
        var result = new List<Document>();
        var after = prefix;
        while (true)
        {
            var page = await store.ListAsync(Collection, after, PageSize, cancellationToken).ConfigureAwait(false);
            foreach (var document in page)
            {
                if (!document.Id.StartsWith(prefix, StringComparison.Ordinal)) return result;
                result.Add(document);
            }
            if (page.Count < PageSize) return result;
            after = page[^1].Id;
        }
    }

    private static GrantRecord Deserialize(string body) => JsonSerializer.Deserialize<GrantRecord>(body, KmsJson.Storage)
        ?? throw new InvalidDataException("Empty grant document.");
}
