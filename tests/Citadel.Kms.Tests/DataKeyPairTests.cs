using System.Security.Cryptography;
using Citadel.Kms.Operations;

namespace Citadel.Kms.Tests;

public sealed class DataKeyPairTests(SigningKeysFixture fixture) : IClassFixture<SigningKeysFixture>
{
    private static readonly Dictionary<string, string> Context = new() { ["app"] = "data-key-pairs" };

    private TestKms Kms => fixture.Kms;

    [Theory]
    [InlineData("RSA_2048")]
    [InlineData("RSA_3072")]
    [InlineData("RSA_4096")]
    [InlineData("ECC_NIST_P256")]
    [InlineData("ECC_NIST_P384")]
    [InlineData("ECC_NIST_P521")]
    [InlineData("ECC_SECG_P256K1")]
    public async Task PairIsConsistentAndPrivateKeyDecryptsUnderTheKmsKey(string spec)
    {
        var keyId = await fixture.KeyFor("SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT");
        var pair = await Kms.Run<GenerateDataKeyPairResponse>("GenerateDataKeyPair", new GenerateDataKeyPairRequest
        {
            KeyId = keyId,
            KeyPairSpec = spec,
            EncryptionContext = Context,
        });
        Assert.Equal(Kms.Settings.KeyArn(keyId), pair.KeyId);
        Assert.Equal(spec, pair.KeyPairSpec);
        var described = await Kms.Run<DescribeKeyResponse>("DescribeKey", new DescribeKeyRequest { KeyId = keyId });
        Assert.Equal(described.KeyMetadata.CurrentKeyMaterialId, pair.KeyMaterialId);

        // PKCS#8 private key whose public half is the returned SubjectPublicKeyInfo.
        Assert.Equal(pair.PublicKey, PublicKeyOfPkcs8(spec, pair.PrivateKeyPlaintext));

        var decrypted = await Kms.Run<DecryptResponse>("Decrypt", new DecryptRequest { CiphertextBlob = pair.PrivateKeyCiphertextBlob, EncryptionContext = Context });
        Assert.Equal(pair.PrivateKeyPlaintext, decrypted.Plaintext);
        var wrongContext = await Kms.Fails("Decrypt", new DecryptRequest { CiphertextBlob = pair.PrivateKeyCiphertextBlob });
        Assert.Equal(KmsErrorCode.InvalidCiphertext, wrongContext.Code);
    }

    [Theory]
    [InlineData("RSA_2048")]
    [InlineData("ECC_NIST_P256")]
    [InlineData("ECC_SECG_P256K1")]
    public async Task WithoutPlaintextReturnsOnlyTheEncryptedPrivateKey(string spec)
    {
        var keyId = await fixture.KeyFor("SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT");
        var pair = await Kms.Run<GenerateDataKeyPairWithoutPlaintextResponse>("GenerateDataKeyPairWithoutPlaintext", new GenerateDataKeyPairWithoutPlaintextRequest
        {
            KeyId = keyId,
            KeyPairSpec = spec,
            EncryptionContext = Context,
        });
        Assert.Equal(Kms.Settings.KeyArn(keyId), pair.KeyId);
        Assert.Equal(spec, pair.KeyPairSpec);
        Assert.NotNull(pair.KeyMaterialId);
        var decrypted = await Kms.Run<DecryptResponse>("Decrypt", new DecryptRequest { CiphertextBlob = pair.PrivateKeyCiphertextBlob, EncryptionContext = Context });
        Assert.Equal(pair.PublicKey, PublicKeyOfPkcs8(spec, decrypted.Plaintext));
    }

    [Fact]
    public async Task EachCallMakesANewPair()
    {
        var keyId = await fixture.KeyFor("SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT");
        var first = await Kms.Run<GenerateDataKeyPairResponse>("GenerateDataKeyPair", new GenerateDataKeyPairRequest { KeyId = keyId, KeyPairSpec = "ECC_NIST_P256" });
        var second = await Kms.Run<GenerateDataKeyPairResponse>("GenerateDataKeyPair", new GenerateDataKeyPairRequest { KeyId = keyId, KeyPairSpec = "ECC_NIST_P256" });
        Assert.NotEqual(first.PublicKey, second.PublicKey);
        Assert.NotEqual(first.PrivateKeyPlaintext, second.PrivateKeyPlaintext);
    }

    [Theory]
    [InlineData("SM2")]
    [InlineData("ECC_NIST_EDWARDS25519")]
    public async Task UnsupportedPairSpecs(string spec)
    {
        var keyId = await fixture.KeyFor("SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT");
        var error = await Kms.Fails("GenerateDataKeyPair", new GenerateDataKeyPairRequest { KeyId = keyId, KeyPairSpec = spec });
        Assert.Equal(KmsErrorCode.UnsupportedOperation, error.Code);
        error = await Kms.Fails("GenerateDataKeyPairWithoutPlaintext", new GenerateDataKeyPairWithoutPlaintextRequest { KeyId = keyId, KeyPairSpec = spec });
        Assert.Equal(KmsErrorCode.UnsupportedOperation, error.Code);
    }

    [Theory]
    [InlineData("RSA_2048", "ENCRYPT_DECRYPT")]
    [InlineData("RSA_2048", "SIGN_VERIFY")]
    [InlineData("ECC_NIST_P256", "SIGN_VERIFY")]
    [InlineData("HMAC_256", "GENERATE_VERIFY_MAC")]
    public async Task KmsKeyMustBeSymmetricEncryption(string spec, string usage)
    {
        var keyId = await fixture.KeyFor(spec, usage);
        var error = await Kms.Fails("GenerateDataKeyPair", new GenerateDataKeyPairRequest { KeyId = keyId, KeyPairSpec = "ECC_NIST_P256" });
        Assert.Equal(KmsErrorCode.InvalidKeyUsage, error.Code);
        error = await Kms.Fails("GenerateDataKeyPairWithoutPlaintext", new GenerateDataKeyPairWithoutPlaintextRequest { KeyId = keyId, KeyPairSpec = "ECC_NIST_P256" });
        Assert.Equal(KmsErrorCode.InvalidKeyUsage, error.Code);
    }

    [Fact]
    public async Task DryRunRecipientAndDisabledKey()
    {
        var keyId = (await Kms.Run<CreateKeyResponse>("CreateKey", new CreateKeyRequest())).KeyMetadata.KeyId;
        var dryRun = await Kms.Fails("GenerateDataKeyPair", new GenerateDataKeyPairRequest { KeyId = keyId, KeyPairSpec = "ECC_NIST_P256", DryRun = true });
        Assert.Equal(KmsErrorCode.DryRunOperation, dryRun.Code);
        var recipient = await Kms.Fails("GenerateDataKeyPair", new GenerateDataKeyPairRequest { KeyId = keyId, KeyPairSpec = "ECC_NIST_P256", Recipient = new RecipientInfo() });
        Assert.Equal(KmsErrorCode.UnsupportedOperation, recipient.Code);
        await Kms.Keys.MutateAsync(keyId, r => r.KeyState = "Disabled");
        var disabled = await Kms.Fails("GenerateDataKeyPairWithoutPlaintext", new GenerateDataKeyPairWithoutPlaintextRequest { KeyId = keyId, KeyPairSpec = "ECC_NIST_P256" });
        Assert.Equal(KmsErrorCode.Disabled, disabled.Code);
    }

    private static byte[] PublicKeyOfPkcs8(string spec, byte[] pkcs8)
    {
        if (spec.StartsWith("RSA_", StringComparison.Ordinal))
        {
            using var rsa = RSA.Create();
            rsa.ImportPkcs8PrivateKey(pkcs8, out var read);
            Assert.Equal(pkcs8.Length, read);
            Assert.Equal(int.Parse(spec[4..], System.Globalization.CultureInfo.InvariantCulture), rsa.KeySize);
            return rsa.ExportSubjectPublicKeyInfo();
        }
        using var ec = ECDsa.Create();
        ec.ImportPkcs8PrivateKey(pkcs8, out var ecRead);
        Assert.Equal(pkcs8.Length, ecRead);
        return ec.ExportSubjectPublicKeyInfo();
    }
}
