using Citadel.Kms.Operations;

namespace Citadel.Kms.DataKeys;

/// <summary>The data-key interface over this process's KMS: the same code paths as GenerateDataKey and Decrypt.</summary>
public sealed class KmsDataKeys(KmsContext kms) : IDataKeyService
{
    /// <inheritdoc />
    public async Task<string> ResolveKeyArnAsync(string keyId, CancellationToken cancellationToken)
        => (await kms.Resolver.ResolveAsync(keyId, cancellationToken).ConfigureAwait(false)).Arn;

    /// <inheritdoc />
    public async Task<GeneratedDataKey> GenerateAsync(string keyId, IReadOnlyDictionary<string, string> encryptionContext, CancellationToken cancellationToken)
    {
        var call = new KmsCall(kms.Settings.RootArn, kms.Settings.AccountId);
        var response = await Operations.DataKeys.GenerateAsync(kms, call, new GenerateDataKeyRequest
        {
            KeyId = keyId,
            KeySpec = "AES_256",
            EncryptionContext = new Dictionary<string, string>(encryptionContext),
        }, includePlaintext: true, "GenerateDataKey", cancellationToken).ConfigureAwait(false);
        return new GeneratedDataKey(response.Plaintext!, response.CiphertextBlob, response.KeyId);
    }

    /// <inheritdoc />
    public async Task<GeneratedDataKey> EncryptAsync(string keyId, byte[] plaintext, IReadOnlyDictionary<string, string> encryptionContext, CancellationToken cancellationToken)
    {
        var key = await kms.Resolver.ResolveAsync(keyId, cancellationToken).ConfigureAwait(false);
        Keys.KeyGuards.RequireEnabled(key);
        Keys.KeyGuards.RequireSymmetric(key, "Encrypt");
        var blob = Keys.Envelope.Seal(kms, key, plaintext, encryptionContext, "SYMMETRIC_DEFAULT", "Encrypt");
        return new GeneratedDataKey((byte[])plaintext.Clone(), blob, key.Arn);
    }

    /// <inheritdoc />
    public async Task RequireUsableAsync(string keyId, CancellationToken cancellationToken)
        => Keys.KeyGuards.RequireEnabled(await kms.Resolver.ResolveAsync(keyId, cancellationToken).ConfigureAwait(false));

    /// <inheritdoc />
    public async Task<DecryptedDataKey> DecryptAsync(byte[] ciphertextBlob, IReadOnlyDictionary<string, string> encryptionContext, CancellationToken cancellationToken)
    {
        var call = new KmsCall(kms.Settings.RootArn, kms.Settings.AccountId);
        var opened = await Keys.Envelope.OpenAsync(kms, call, ciphertextBlob, null, encryptionContext, null, "Decrypt", cancellationToken).ConfigureAwait(false);
        return new DecryptedDataKey(opened.Plaintext, opened.Key.Arn);
    }
}
