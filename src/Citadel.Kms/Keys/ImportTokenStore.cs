using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text.Json;
using Citadel.Crypto;
using Citadel.Kms.Model;
using Citadel.Storage;

namespace Citadel.Kms.Keys;

/// <summary>A stored import token: the RSA wrapping key pair GetParametersForImport handed out, for one key.</summary>
public sealed class ImportTokenRecord
{
    /// <summary>32 hex characters, random.</summary>
    public required string TokenId { get; init; }
    /// <summary>The key the token imports into.</summary>
    public required string KeyId { get; init; }
    /// <summary>Its ARN (bound into the wrapping of the private key).</summary>
    public required string KeyArn { get; init; }
    /// <summary>RSAES_OAEP_SHA_1/256 or RSA_AES_KEY_WRAP_SHA_1/256.</summary>
    public required string WrappingAlgorithm { get; init; }
    /// <summary>RSA_2048, RSA_3072 or RSA_4096.</summary>
    public required string WrappingKeySpec { get; init; }
    /// <summary>SubjectPublicKeyInfo DER of the wrapping key.</summary>
    public required byte[] PublicKey { get; init; }
    /// <summary>The PKCS#8 wrapping private key, wrapped under the root key bound to the token id and key ARN.</summary>
    public required byte[] WrappedPrivateKey { get; init; }
    /// <summary>When the token was made.</summary>
    public required DateTimeOffset CreatedAt { get; init; }
    /// <summary>When the token stops being accepted.</summary>
    public required DateTimeOffset ValidTo { get; init; }
}

/// <summary>
/// Import tokens of GetParametersForImport, stored in the <c>kms-import-tokens</c> collection under
/// <c>key id/token id</c>. The opaque ImportToken blob is
/// <code>0x01 | token id (16) | key id (16, UUID bytes) | valid-to (i64 BE, Unix milliseconds)</code>;
/// the token id, 128 random bits, is what makes it unguessable. The valid-to copy in the blob is only a hint
/// so that tokens purged after expiry still answer ExpiredImportTokenException; the stored document decides.
/// </summary>
public sealed class ImportTokenStore(IDocumentStore store, RootKeyHolder root)
{
    /// <summary>The collection of import token documents.</summary>
    public const string Collection = "kms-import-tokens";
    /// <summary>How long a token is valid (24 hours, as in AWS).</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(24);

    private const byte FormatVersion = 1;
    private const int BlobSize = 1 + 16 + 16 + 8;

    /// <summary>Generates a wrapping key pair for <paramref name="key"/>, stores it, and returns the ImportToken blob with the record.</summary>
    public async Task<(byte[] Blob, ImportTokenRecord Record)> CreateAsync(KeyRecord key, string wrappingAlgorithm, string wrappingKeySpec,
        DateTimeOffset now, IRandom random, CancellationToken cancellationToken = default)
    {
        var tokenId = random.GetBytes(16);
        var tokenIdHex = Convert.ToHexStringLower(tokenId);
        var type = KeySpecs.AsymmetricType(wrappingKeySpec);
        var privateKey = AsymmetricKeys.Generate(type);
        ImportTokenRecord record;
        try
        {
            record = new ImportTokenRecord
            {
                TokenId = tokenIdHex,
                KeyId = key.KeyId,
                KeyArn = key.Arn,
                WrappingAlgorithm = wrappingAlgorithm,
                WrappingKeySpec = wrappingKeySpec,
                PublicKey = AsymmetricKeys.PublicKeyOf(type, privateKey),
                WrappedPrivateKey = root.Current.Wrap(privateKey, Context(tokenIdHex, key.Arn)),
                CreatedAt = now,
                ValidTo = now + Lifetime,
            };
        }
        finally
        {
            CryptographicOperations.ZeroMemory(privateKey);
        }
        var body = JsonSerializer.Serialize(record, KmsJson.Storage);
        await store.WriteAsync([new DocumentWrite(Collection, DocumentId(key.KeyId, tokenIdHex), body, 0)], cancellationToken).ConfigureAwait(false);

        var blob = new byte[BlobSize];
        blob[0] = FormatVersion;
        tokenId.CopyTo(blob.AsSpan(1));
        Guid.Parse(key.KeyId).TryWriteBytes(blob.AsSpan(17, 16), bigEndian: true, out _);
        BinaryPrimitives.WriteInt64BigEndian(blob.AsSpan(33), record.ValidTo.ToUnixTimeMilliseconds());
        return (blob, record);
    }

    /// <summary>
    /// The token a blob names, checked to belong to <paramref name="key"/> and to be unexpired; throws
    /// InvalidImportTokenException or ExpiredImportTokenException.
    /// </summary>
    public async Task<ImportTokenRecord> OpenAsync(byte[] blob, KeyRecord key, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        if (blob.Length != BlobSize || blob[0] != FormatVersion)
            throw Invalid();
        var tokenIdHex = Convert.ToHexStringLower(blob.AsSpan(1, 16));
        var keyId = new Guid(blob.AsSpan(17, 16), bigEndian: true).ToString("D");
        if (keyId != key.KeyId)
            throw new KmsException(KmsErrorCode.InvalidImportToken, "The import token is not valid for this KMS key; use the import token from GetParametersForImport for this key.");
        var document = await store.GetAsync(Collection, DocumentId(keyId, tokenIdHex), cancellationToken).ConfigureAwait(false);
        if (document is null)
        {
            var hint = DateTimeOffset.FromUnixTimeMilliseconds(Math.Clamp(BinaryPrimitives.ReadInt64BigEndian(blob.AsSpan(33)), 0, 253402300799999L));
            throw hint <= now ? Expired() : Invalid();
        }
        var record = JsonSerializer.Deserialize<ImportTokenRecord>(document.Body, KmsJson.Storage) ?? throw Invalid();
        if (record.KeyId != key.KeyId || record.KeyArn != key.Arn) throw Invalid();
        if (record.ValidTo <= now) throw Expired();
        return record;
    }

    /// <summary>The PKCS#8 wrapping private key of a token. The caller zeroes it.</summary>
    public byte[] PrivateKey(ImportTokenRecord record) => root.Current.Unwrap(record.WrappedPrivateKey, Context(record.TokenId, record.KeyArn));

    /// <summary>Deletes every token that expired at or before <paramref name="now"/>; returns how many.</summary>
    public async Task<int> PurgeExpiredAsync(DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        var expired = new List<DocumentWrite>();
        string? after = null;
        while (true)
        {
            var page = await store.ListAsync(Collection, after, 500, cancellationToken).ConfigureAwait(false);
            foreach (var document in page)
            {
                var record = JsonSerializer.Deserialize<ImportTokenRecord>(document.Body, KmsJson.Storage);
                if (record is null || record.ValidTo <= now) expired.Add(new DocumentWrite(Collection, document.Id, null, document.Revision));
            }
            if (page.Count < 500) break;
            after = page[^1].Id;
        }
        if (expired.Count == 0) return 0;
        try
        {
            await store.WriteAsync(expired, cancellationToken).ConfigureAwait(false);
        }
        catch (ConcurrencyConflictException)
        {
            // Another purge got there first; the next one finishes the job.
            return 0;
        }
        return expired.Count;
    }

    private static string DocumentId(string keyId, string tokenIdHex) => keyId + "/" + tokenIdHex;

    private static byte[] Context(string tokenIdHex, string keyArn) => CanonicalEncoding.EncodeFields("citadel/kms/import-token/v1", tokenIdHex, keyArn);

    private static KmsException Invalid() => new(KmsErrorCode.InvalidImportToken, "The import token is invalid or does not belong to this KMS key.");

    private static KmsException Expired() => new(KmsErrorCode.ExpiredImportToken, "The import token has expired. Call GetParametersForImport for a new wrapping key and import token.");
}
