using System.Text;
using Citadel.Kms.Operations;

namespace Citadel.Kms.Tests;

public sealed class SymmetricTests : IDisposable
{
    private readonly TestKms _kms = new();

    public void Dispose() => _kms.Dispose();

    private async Task<string> NewKey() => (await _kms.Run<CreateKeyResponse>("CreateKey", new CreateKeyRequest())).KeyMetadata.KeyId;

    [Fact]
    public async Task EncryptDecryptRoundTripResolvesKeyFromCiphertext()
    {
        var keyId = await NewKey();
        var plaintext = Encoding.UTF8.GetBytes("hello citadel");
        var ctx = new Dictionary<string, string> { ["purpose"] = "test" };
        var encrypted = await _kms.Run<EncryptResponse>("Encrypt", new EncryptRequest { KeyId = keyId, Plaintext = plaintext, EncryptionContext = ctx });
        Assert.Equal(_kms.Settings.KeyArn(keyId), encrypted.KeyId);
        var decrypted = await _kms.Run<DecryptResponse>("Decrypt", new DecryptRequest { CiphertextBlob = encrypted.CiphertextBlob, EncryptionContext = ctx });
        Assert.Equal(plaintext, decrypted.Plaintext);
        Assert.Equal(encrypted.KeyId, decrypted.KeyId);
    }

    [Fact]
    public async Task ContextEncodingIsUnambiguous()
    {
        var keyId = await NewKey();
        var encrypted = await _kms.Run<EncryptResponse>("Encrypt", new EncryptRequest
        {
            KeyId = keyId,
            Plaintext = [1, 2, 3],
            EncryptionContext = new() { ["a"] = "bc" },
        });
        var error = await _kms.Fails("Decrypt", new DecryptRequest { CiphertextBlob = encrypted.CiphertextBlob, EncryptionContext = new() { ["ab"] = "c" } });
        Assert.Equal(KmsErrorCode.InvalidCiphertext, error.Code);
    }

    [Fact]
    public async Task TamperedCiphertextIsRejected()
    {
        var keyId = await NewKey();
        var blob = (await _kms.Run<EncryptResponse>("Encrypt", new EncryptRequest { KeyId = keyId, Plaintext = [9] })).CiphertextBlob;
        for (var i = 0; i < blob.Length; i++)
        {
            var copy = (byte[])blob.Clone();
            copy[i] ^= 0x01;
            var error = await Assert.ThrowsAsync<KmsException>(() => _kms.Run<object>("Decrypt", new DecryptRequest { CiphertextBlob = copy }));
            Assert.Contains(error.Code, new[] { KmsErrorCode.InvalidCiphertext, KmsErrorCode.NotFound });
        }
    }

    [Fact]
    public async Task DecryptWithOtherKeyIdIsIncorrectKey()
    {
        var first = await NewKey();
        var second = await NewKey();
        var blob = (await _kms.Run<EncryptResponse>("Encrypt", new EncryptRequest { KeyId = first, Plaintext = [9] })).CiphertextBlob;
        var error = await _kms.Fails("Decrypt", new DecryptRequest { CiphertextBlob = blob, KeyId = second });
        Assert.Equal(KmsErrorCode.IncorrectKey, error.Code);
    }

    [Fact]
    public async Task GenerateDataKeyDecryptsToSamePlaintext()
    {
        var keyId = await NewKey();
        var dataKey = await _kms.Run<GenerateDataKeyResponse>("GenerateDataKey", new GenerateDataKeyRequest { KeyId = keyId, KeySpec = "AES_256" });
        Assert.Equal(32, dataKey.Plaintext!.Length);
        var decrypted = await _kms.Run<DecryptResponse>("Decrypt", new DecryptRequest { CiphertextBlob = dataKey.CiphertextBlob });
        Assert.Equal(dataKey.Plaintext, decrypted.Plaintext);
        var both = await _kms.Fails("GenerateDataKey", new GenerateDataKeyRequest { KeyId = keyId, KeySpec = "AES_256", NumberOfBytes = 32 });
        Assert.Equal(KmsErrorCode.Validation, both.Code);
    }

    [Fact]
    public async Task ReservedAwsAliasCreatesManagedKeyOnFirstUse()
    {
        var encrypted = await _kms.Run<EncryptResponse>("Encrypt", new EncryptRequest { KeyId = "alias/aws/s3", Plaintext = [1] });
        var described = await _kms.Run<DescribeKeyResponse>("DescribeKey", new DescribeKeyRequest { KeyId = "alias/aws/s3" });
        Assert.Equal("AWS", described.KeyMetadata.KeyManager);
        Assert.Equal(encrypted.KeyId, described.KeyMetadata.Arn);
    }

    [Fact]
    public async Task UnknownKeysAreNotFound()
    {
        Assert.Equal(KmsErrorCode.NotFound, (await _kms.Fails("DescribeKey", new DescribeKeyRequest { KeyId = Guid.NewGuid().ToString() })).Code);
        Assert.Equal(KmsErrorCode.NotFound, (await _kms.Fails("DescribeKey", new DescribeKeyRequest { KeyId = "alias/missing" })).Code);
        Assert.Equal(KmsErrorCode.NotFound, (await _kms.Fails("DescribeKey", new DescribeKeyRequest { KeyId = "not-a-key" })).Code);
    }

    [Fact]
    public async Task ListKeysPaginates()
    {
        var created = new HashSet<string>();
        for (var i = 0; i < 5; i++) created.Add(await NewKey());
        var seen = new HashSet<string>();
        string? marker = null;
        do
        {
            var page = await _kms.Run<ListKeysResponse>("ListKeys", new ListKeysRequest { Limit = 2, Marker = marker });
            Assert.True(page.Keys.Count <= 2);
            foreach (var k in page.Keys) Assert.True(seen.Add(k.KeyId));
            marker = page.Truncated ? page.NextMarker : null;
        } while (marker is not null);
        Assert.Equal(created, seen);
    }
}
