using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Citadel.Crypto;
using Citadel.Storage;

namespace Citadel.Audit.Trails;

/// <summary>A public key that signs (or signed) digests, as ListPublicKeys returns it.</summary>
/// <param name="Value">The RSA public key, DER in PKCS#1 (RSAPublicKey) form, as CloudTrail publishes it.</param>
/// <param name="ValidityStartTime">When it began signing.</param>
/// <param name="ValidityEndTime">When it stops (or stopped) signing.</param>
/// <param name="Fingerprint">Hex MD5 of <paramref name="Value"/>: the <c>digestPublicKeyFingerprint</c> of the digests it signs.</param>
public sealed record TrailPublicKey(byte[] Value, DateTimeOffset ValidityStartTime, DateTimeOffset ValidityEndTime, string Fingerprint);

/// <summary>
/// The region's digest signing keys: RSA 2048, one at a time, each signing for
/// <see cref="TrailSettings.SigningKeyLifetime"/> before a new one replaces it (CloudTrail rotates its regional keys
/// too); old public keys stay listed for their validity window so old digests still verify. Each key is a document
/// of <c>cloudtrail-signing-keys</c> holding the public key and the PKCS#8 private key wrapped under the root key
/// (<c>aad = canonical("citadel/cloudtrail/signing-key/v1", region, fingerprint)</c>): the private key is plaintext only
/// in memory, for the moment it signs.
/// </summary>
public sealed class TrailSigningKeys(IDocumentStore store, Func<RootKey> rootKey, TrailSettings settings)
{
    /// <summary>The collection of signing keys (id: validity start, then fingerprint, so ids sort by time).</summary>
    public const string Collection = "cloudtrail-signing-keys";

    private const string WrapPurpose = "citadel/cloudtrail/signing-key/v1";
    private readonly SemaphoreSlim _rotateLock = new(1, 1);

    private sealed class KeyDocument
    {
        public required string Fingerprint { get; init; }
        public required string Region { get; init; }
        public required byte[] PublicKey { get; init; }
        public required byte[] WrappedPrivateKey { get; init; }
        public required DateTimeOffset ValidityStartTime { get; init; }
        public required DateTimeOffset ValidityEndTime { get; init; }
    }

    /// <summary>The fingerprint CloudTrail gives a public key: hex MD5 of its PKCS#1 DER (an identifier, not a security property).</summary>
#pragma warning disable CA5351 // CloudTrail defines the fingerprint as MD5 and validate-logs matches it; it names a key, it protects nothing.
    public static string FingerprintOf(byte[] pkcs1PublicKey) => Convert.ToHexStringLower(MD5.HashData(pkcs1PublicKey));
#pragma warning restore CA5351

    /// <summary>
    /// The public keys of stored key documents (of every region: fingerprints name keys uniquely), read without the
    /// root key, for verifying digests offline.
    /// </summary>
    public static IReadOnlyList<TrailPublicKey> PublicKeysOf(IEnumerable<Document> documents)
        => documents.Select(d => JsonSerializer.Deserialize<KeyDocument>(d.Body)!)
            .Select(k => new TrailPublicKey(k.PublicKey, k.ValidityStartTime, k.ValidityEndTime, k.Fingerprint))
            .ToList();

    /// <summary>Public keys whose validity overlaps [<paramref name="start"/>, <paramref name="end"/>], oldest first.</summary>
    public async Task<IReadOnlyList<TrailPublicKey>> ListAsync(DateTimeOffset start, DateTimeOffset end, CancellationToken cancellationToken)
        => (await AllAsync(cancellationToken).ConfigureAwait(false))
            .Where(k => k.ValidityStartTime <= end && k.ValidityEndTime >= start)
            .Select(k => new TrailPublicKey(k.PublicKey, k.ValidityStartTime, k.ValidityEndTime, k.Fingerprint))
            .ToList();

    /// <summary>
    /// Makes sure a key is valid at <paramref name="now"/>, creating the next one when the current one's validity
    /// has ended (this needs the root key); returns it.
    /// </summary>
    public async Task<TrailPublicKey> EnsureCurrentAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        await _rotateLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var current = await CurrentAsync(now, cancellationToken).ConfigureAwait(false) ?? await CreateAsync(now, cancellationToken).ConfigureAwait(false);
            return new TrailPublicKey(current.PublicKey, current.ValidityStartTime, current.ValidityEndTime, current.Fingerprint);
        }
        finally
        {
            _rotateLock.Release();
        }
    }

    /// <summary>Signs <paramref name="data"/> (RSASSA-PKCS1-v1_5 with SHA-256) with the key of <paramref name="fingerprint"/>; needs the root key.</summary>
    public async Task<byte[]> SignAsync(string fingerprint, byte[] data, CancellationToken cancellationToken)
    {
        var document = (await AllAsync(cancellationToken).ConfigureAwait(false)).Single(k => k.Fingerprint == fingerprint);
        var pkcs8 = rootKey().Unwrap(document.WrappedPrivateKey, Aad(document.Fingerprint));
        try
        {
            return AsymmetricKeys.Sign(AsymmetricKeyType.Rsa2048, pkcs8, SignatureScheme.RsaPkcs1Sha256, data, isDigest: false);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(pkcs8);
        }
    }

    private async Task<KeyDocument?> CurrentAsync(DateTimeOffset now, CancellationToken cancellationToken)
        => (await AllAsync(cancellationToken).ConfigureAwait(false)).LastOrDefault(k => k.ValidityStartTime <= now && now < k.ValidityEndTime);

    private async Task<KeyDocument> CreateAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var root = rootKey();
        var pkcs8 = AsymmetricKeys.Generate(AsymmetricKeyType.Rsa2048);
        try
        {
            using var rsa = RSA.Create();
            rsa.ImportPkcs8PrivateKey(pkcs8, out _);
            var publicKey = rsa.ExportRSAPublicKey();
            var fingerprint = FingerprintOf(publicKey);
            var start = new DateTimeOffset(now.UtcTicks - now.UtcTicks % TimeSpan.TicksPerSecond, TimeSpan.Zero);
            var document = new KeyDocument
            {
                Fingerprint = fingerprint,
                Region = settings.Region,
                PublicKey = publicKey,
                WrappedPrivateKey = root.Wrap(pkcs8, Aad(fingerprint)),
                ValidityStartTime = start,
                ValidityEndTime = start + settings.SigningKeyLifetime,
            };
            var id = start.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture) + "-" + fingerprint;
            await store.WriteAsync([new DocumentWrite(Collection, id, JsonSerializer.Serialize(document), 0)], cancellationToken).ConfigureAwait(false);
            return document;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(pkcs8);
        }
    }

    private async Task<List<KeyDocument>> AllAsync(CancellationToken cancellationToken)
    {
        var all = new List<KeyDocument>();
        string? after = null;
        while (true)
        {
            var page = await store.ListAsync(Collection, after, 500, cancellationToken).ConfigureAwait(false);
            all.AddRange(page.Select(d => JsonSerializer.Deserialize<KeyDocument>(d.Body)!).Where(k => k.Region == settings.Region));
            if (page.Count < 500) return all;
            after = page[^1].Id;
        }
    }

    private byte[] Aad(string fingerprint) => CanonicalEncoding.EncodeFields(WrapPurpose, settings.Region, fingerprint);
}
