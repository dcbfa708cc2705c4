namespace Citadel.Kms.DataKeys;

/// <summary>A fresh data key: its plaintext (caller zeroes it), its KMS ciphertext, and the KMS key that protects it.</summary>
/// <param name="Plaintext">The data key.</param>
/// <param name="CiphertextBlob">The data key encrypted under the KMS key with the context bound.</param>
/// <param name="KeyArn">The KMS key's ARN.</param>
public sealed record GeneratedDataKey(byte[] Plaintext, byte[] CiphertextBlob, string KeyArn);

/// <summary>A decrypted data key and the KMS key that protected it.</summary>
/// <param name="Plaintext">The data key (caller zeroes it).</param>
/// <param name="KeyArn">The KMS key's ARN.</param>
public sealed record DecryptedDataKey(byte[] Plaintext, string KeyArn);

/// <summary>
/// The small data-key interface through which engines (the object store, later volumes and file systems)
/// reach KMS keys: generate a data key under a key, decrypt it again, resolve an identifier. Errors are
/// <see cref="KmsException"/>s with the KMS error code (a disabled key, a missing key, a wrong context).
/// Authorization is not done here: the request pipeline asks the policy engine before the engine runs.
/// </summary>
public interface IDataKeyService
{
    /// <summary>Resolves any key identifier (id, ARN, alias name or alias ARN) to the key's ARN.</summary>
    Task<string> ResolveKeyArnAsync(string keyId, CancellationToken cancellationToken);

    /// <summary>Generates a 256-bit data key under an enabled symmetric key, bound to <paramref name="encryptionContext"/>.</summary>
    Task<GeneratedDataKey> GenerateAsync(string keyId, IReadOnlyDictionary<string, string> encryptionContext, CancellationToken cancellationToken);

    /// <summary>Encrypts an existing data key under an enabled symmetric key (re-wrapping a key under another KMS key).</summary>
    Task<GeneratedDataKey> EncryptAsync(string keyId, byte[] plaintext, IReadOnlyDictionary<string, string> encryptionContext, CancellationToken cancellationToken);

    /// <summary>
    /// Throws what Decrypt would throw when the key can no longer be used (disabled, pending deletion or import, gone);
    /// for engines that cache a data key and must stop using it as soon as its KMS key stops working.
    /// </summary>
    Task RequireUsableAsync(string keyId, CancellationToken cancellationToken);

    /// <summary>Decrypts a data key produced by <see cref="GenerateAsync"/> under the same context.</summary>
    Task<DecryptedDataKey> DecryptAsync(byte[] ciphertextBlob, IReadOnlyDictionary<string, string> encryptionContext, CancellationToken cancellationToken);
}
