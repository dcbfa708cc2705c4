using Citadel.Kms.Model;
using Citadel.Kms.Operations;

namespace Citadel.Kms.Tests;

/// <summary>Shortcuts for the key management tests.</summary>
internal static class ManagementTestHelpers
{
    public static async Task<string> NewKey(this TestKms kms, string? keySpec = null, string? keyUsage = null, string? origin = null)
        => (await kms.Run<CreateKeyResponse>("CreateKey", new CreateKeyRequest { KeySpec = keySpec, KeyUsage = keyUsage, Origin = origin })).KeyMetadata.KeyId;

    public static async Task<KeyMetadata> Describe(this TestKms kms, string keyId)
        => (await kms.Run<DescribeKeyResponse>("DescribeKey", new DescribeKeyRequest { KeyId = keyId })).KeyMetadata;

    public static async Task<KmsErrorCode> Code(this TestKms kms, string operation, object request)
        => (await kms.Fails(operation, request)).Code;

    public static async Task<byte[]> Encrypt(this TestKms kms, string keyId, byte[] plaintext)
        => (await kms.Run<EncryptResponse>("Encrypt", new EncryptRequest { KeyId = keyId, Plaintext = plaintext })).CiphertextBlob;

    public static Task<DecryptResponse> Decrypt(this TestKms kms, byte[] blob)
        => kms.Run<DecryptResponse>("Decrypt", new DecryptRequest { CiphertextBlob = blob });

    public static async Task<string> ManagedKey(this TestKms kms, string aliasName = "alias/aws/s3")
    {
        await kms.Encrypt(aliasName, [1]);
        return (await kms.Describe(aliasName)).KeyId;
    }

    public static Task<ScheduleKeyDeletionResponse> ScheduleDeletion(this TestKms kms, string keyId, int? days = null)
        => kms.Run<ScheduleKeyDeletionResponse>("ScheduleKeyDeletion", new ScheduleKeyDeletionRequest { KeyId = keyId, PendingWindowInDays = days });
}
