using System.Security.Cryptography;
using System.Text;
using Citadel.Kms.Keys;
using Citadel.Kms.Operations;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Digests;
using Org.BouncyCastle.Crypto.Engines;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;
using Org.BouncyCastle.Security;

namespace Citadel.Kms.Tests;

/// <summary>One KMS with one SIGN_VERIFY key per spec, made on first use and shared by the tests of a class (RSA 4096 is slow).</summary>
public sealed class SigningKeysFixture : IDisposable
{
    private readonly Dictionary<string, string> _keys = [];

    public TestKms Kms { get; } = new();

    public async Task<string> KeyFor(string spec, string usage = "SIGN_VERIFY")
    {
        var name = spec + "/" + usage;
        if (_keys.TryGetValue(name, out var keyId)) return keyId;
        var created = await Kms.Run<CreateKeyResponse>("CreateKey", new CreateKeyRequest { KeySpec = spec, KeyUsage = usage });
        return _keys[name] = created.KeyMetadata.KeyId;
    }

    public void Dispose() => Kms.Dispose();
}

public sealed class SignVerifyTests(SigningKeysFixture fixture) : IClassFixture<SigningKeysFixture>
{
    private static readonly string[] RsaAlgorithms =
    [
        "RSASSA_PKCS1_V1_5_SHA_256", "RSASSA_PKCS1_V1_5_SHA_384", "RSASSA_PKCS1_V1_5_SHA_512",
        "RSASSA_PSS_SHA_256", "RSASSA_PSS_SHA_384", "RSASSA_PSS_SHA_512",
    ];

    private static readonly byte[] Raw = Encoding.UTF8.GetBytes("The quick brown fox signs the lazy dog.");

    private TestKms Kms => fixture.Kms;

    /// <summary>Every asymmetric key spec with each of its signing algorithms, in RAW and DIGEST mode.</summary>
    public static TheoryData<string, string, string> Cases()
    {
        var data = new TheoryData<string, string, string>();
        foreach (var mode in new[] { "RAW", "DIGEST" })
        {
            foreach (var spec in new[] { "RSA_2048", "RSA_3072", "RSA_4096" })
            {
                foreach (var algorithm in RsaAlgorithms) data.Add(spec, algorithm, mode);
            }
            data.Add("ECC_NIST_P256", "ECDSA_SHA_256", mode);
            data.Add("ECC_NIST_P384", "ECDSA_SHA_384", mode);
            data.Add("ECC_NIST_P521", "ECDSA_SHA_512", mode);
            data.Add("ECC_SECG_P256K1", "ECDSA_SHA_256", mode);
        }
        return data;
    }

    [Fact]
    public void CasesCoverEverySigningAlgorithmOfEveryAsymmetricSpec()
    {
        var covered = Cases().Select(row => ((string)row[0], (string)row[1], (string)row[2])).ToHashSet();
        foreach (var spec in KeySpecs.Supported.Where(s => KeySpecs.AllowedUsages(s).Contains("SIGN_VERIFY")))
        {
            foreach (var algorithm in KeySpecs.SigningAlgorithms(spec, "SIGN_VERIFY")!)
            {
                Assert.Contains((spec, algorithm, "RAW"), covered);
                Assert.Contains((spec, algorithm, "DIGEST"), covered);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task SignatureVerifiesInKmsAndOutside(string spec, string algorithm, string mode)
    {
        var keyId = await fixture.KeyFor(spec);
        var hash = HashOf(algorithm);
        var digest = Digest(hash, Raw);
        var message = mode == "RAW" ? Raw : digest;

        var signed = await Kms.Run<SignResponse>("Sign", new SignRequest { KeyId = keyId, Message = message, MessageType = mode, SigningAlgorithm = algorithm });
        Assert.Equal(Kms.Settings.KeyArn(keyId), signed.KeyId);
        Assert.Equal(algorithm, signed.SigningAlgorithm);

        // KMS verifies it in both modes: a signature over a message is a signature over its digest.
        foreach (var (verifyMessage, verifyMode) in new[] { (Raw, "RAW"), (digest, "DIGEST") })
        {
            var verified = await Kms.Run<VerifyResponse>("Verify", new VerifyRequest
            {
                KeyId = keyId,
                Message = verifyMessage,
                MessageType = verifyMode,
                Signature = signed.Signature,
                SigningAlgorithm = algorithm,
            });
            Assert.True(verified.SignatureValid);
            Assert.Equal(Kms.Settings.KeyArn(keyId), verified.KeyId);
        }

        // An independent implementation verifies it with the public key from GetPublicKey.
        var publicKey = (await Kms.Run<GetPublicKeyResponse>("GetPublicKey", new GetPublicKeyRequest { KeyId = keyId })).PublicKey;
        Assert.True(VerifyOutside(publicKey, algorithm, Raw, signed.Signature), "independent verification failed");

        // A changed signature or message does not verify.
        var tampered = (byte[])signed.Signature.Clone();
        tampered[tampered.Length / 2] ^= 0x01;
        var error = await Kms.Fails("Verify", new VerifyRequest { KeyId = keyId, Message = message, MessageType = mode, Signature = tampered, SigningAlgorithm = algorithm });
        Assert.Equal(KmsErrorCode.InvalidSignature, error.Code);
        Assert.Equal("KMSInvalidSignatureException", error.AwsType);
        var otherMessage = (byte[])message.Clone();
        otherMessage[0] ^= 0x80;
        error = await Kms.Fails("Verify", new VerifyRequest { KeyId = keyId, Message = otherMessage, MessageType = mode, Signature = signed.Signature, SigningAlgorithm = algorithm });
        Assert.Equal(KmsErrorCode.InvalidSignature, error.Code);
    }

    [Fact]
    public async Task MessageTypeDefaultsToRaw()
    {
        var keyId = await fixture.KeyFor("ECC_NIST_P256");
        var signed = await Kms.Run<SignResponse>("Sign", new SignRequest { KeyId = keyId, Message = Raw, SigningAlgorithm = "ECDSA_SHA_256" });
        var verified = await Kms.Run<VerifyResponse>("Verify", new VerifyRequest
        {
            KeyId = keyId,
            Message = SHA256.HashData(Raw),
            MessageType = "DIGEST",
            Signature = signed.Signature,
            SigningAlgorithm = "ECDSA_SHA_256",
        });
        Assert.True(verified.SignatureValid);
    }

    [Fact]
    public async Task SignatureOfOtherKeyIsInvalid()
    {
        var p256 = await fixture.KeyFor("ECC_NIST_P256");
        var k1 = await fixture.KeyFor("ECC_SECG_P256K1");
        var signed = await Kms.Run<SignResponse>("Sign", new SignRequest { KeyId = p256, Message = Raw, SigningAlgorithm = "ECDSA_SHA_256" });
        var error = await Kms.Fails("Verify", new VerifyRequest { KeyId = k1, Message = Raw, Signature = signed.Signature, SigningAlgorithm = "ECDSA_SHA_256" });
        Assert.Equal(KmsErrorCode.InvalidSignature, error.Code);
        error = await Kms.Fails("Verify", new VerifyRequest { KeyId = p256, Message = Raw, Signature = [0x30, 0x00], SigningAlgorithm = "ECDSA_SHA_256" });
        Assert.Equal(KmsErrorCode.InvalidSignature, error.Code);
    }

    [Theory]
    [InlineData("ECC_NIST_P256", "ECDSA_SHA_384")]
    [InlineData("ECC_NIST_P384", "ECDSA_SHA_256")]
    [InlineData("ECC_NIST_P521", "RSASSA_PSS_SHA_512")]
    [InlineData("RSA_2048", "ECDSA_SHA_256")]
    [InlineData("RSA_2048", "SM2DSA")]
    [InlineData("RSA_2048", "ML_DSA_SHAKE_256")]
    public async Task AlgorithmNotOfTheKeySpecIsInvalidKeyUsage(string spec, string algorithm)
    {
        var keyId = await fixture.KeyFor(spec);
        var error = await Kms.Fails("Sign", new SignRequest { KeyId = keyId, Message = Raw, SigningAlgorithm = algorithm });
        Assert.Equal(KmsErrorCode.InvalidKeyUsage, error.Code);
        error = await Kms.Fails("Verify", new VerifyRequest { KeyId = keyId, Message = Raw, Signature = [1, 2, 3], SigningAlgorithm = algorithm });
        Assert.Equal(KmsErrorCode.InvalidKeyUsage, error.Code);
    }

    [Fact]
    public async Task KeysWithoutSignVerifyUsageAreInvalidKeyUsage()
    {
        var rsaEncrypt = await fixture.KeyFor("RSA_2048", "ENCRYPT_DECRYPT");
        var symmetric = await fixture.KeyFor("SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT");
        var hmac = await fixture.KeyFor("HMAC_256", "GENERATE_VERIFY_MAC");
        foreach (var keyId in new[] { rsaEncrypt, symmetric, hmac })
        {
            var error = await Kms.Fails("Sign", new SignRequest { KeyId = keyId, Message = Raw, SigningAlgorithm = "RSASSA_PSS_SHA_256" });
            Assert.Equal(KmsErrorCode.InvalidKeyUsage, error.Code);
            error = await Kms.Fails("Verify", new VerifyRequest { KeyId = keyId, Message = Raw, Signature = [1], SigningAlgorithm = "RSASSA_PSS_SHA_256" });
            Assert.Equal(KmsErrorCode.InvalidKeyUsage, error.Code);
        }
        // And a signing key cannot encrypt.
        var signing = await fixture.KeyFor("RSA_2048");
        var encrypt = await Kms.Fails("Encrypt", new EncryptRequest { KeyId = signing, Plaintext = [1], EncryptionAlgorithm = "RSAES_OAEP_SHA_256" });
        Assert.Equal(KmsErrorCode.InvalidKeyUsage, encrypt.Code);
    }

    [Theory]
    [InlineData("RSASSA_PSS_SHA_256", 31)]
    [InlineData("RSASSA_PSS_SHA_256", 48)]
    [InlineData("RSASSA_PKCS1_V1_5_SHA_384", 32)]
    [InlineData("RSASSA_PKCS1_V1_5_SHA_512", 65)]
    public async Task DigestOfWrongLengthIsValidationError(string algorithm, int length)
    {
        var keyId = await fixture.KeyFor("RSA_2048");
        var error = await Kms.Fails("Sign", new SignRequest { KeyId = keyId, Message = new byte[length], MessageType = "DIGEST", SigningAlgorithm = algorithm });
        Assert.Equal(KmsErrorCode.Validation, error.Code);
        error = await Kms.Fails("Verify", new VerifyRequest { KeyId = keyId, Message = new byte[length], MessageType = "DIGEST", Signature = [1], SigningAlgorithm = algorithm });
        Assert.Equal(KmsErrorCode.Validation, error.Code);
    }

    [Fact]
    public async Task ExternalMuIsOnlyForMlDsa()
    {
        var keyId = await fixture.KeyFor("ECC_NIST_P256");
        var error = await Kms.Fails("Sign", new SignRequest { KeyId = keyId, Message = new byte[64], MessageType = "EXTERNAL_MU", SigningAlgorithm = "ECDSA_SHA_256" });
        Assert.Equal(KmsErrorCode.Validation, error.Code);
    }

    [Fact]
    public async Task DisabledKeyCannotSignOrVerify()
    {
        var created = await Kms.Run<CreateKeyResponse>("CreateKey", new CreateKeyRequest { KeySpec = "ECC_NIST_P384", KeyUsage = "SIGN_VERIFY" });
        var keyId = created.KeyMetadata.KeyId;
        var signed = await Kms.Run<SignResponse>("Sign", new SignRequest { KeyId = keyId, Message = Raw, SigningAlgorithm = "ECDSA_SHA_384" });
        await Kms.Keys.MutateAsync(keyId, r => r.KeyState = "Disabled");
        Assert.Equal(KmsErrorCode.Disabled, (await Kms.Fails("Sign", new SignRequest { KeyId = keyId, Message = Raw, SigningAlgorithm = "ECDSA_SHA_384" })).Code);
        Assert.Equal(KmsErrorCode.Disabled, (await Kms.Fails("Verify", new VerifyRequest
        {
            KeyId = keyId,
            Message = Raw,
            Signature = signed.Signature,
            SigningAlgorithm = "ECDSA_SHA_384",
        })).Code);
        Assert.Equal(KmsErrorCode.Disabled, (await Kms.Fails("GetPublicKey", new GetPublicKeyRequest { KeyId = keyId })).Code);
    }

    [Fact]
    public async Task DryRunAnswersDryRunOperation()
    {
        var keyId = await fixture.KeyFor("ECC_NIST_P256");
        var error = await Kms.Fails("Sign", new SignRequest { KeyId = keyId, Message = Raw, SigningAlgorithm = "ECDSA_SHA_256", DryRun = true });
        Assert.Equal(KmsErrorCode.DryRunOperation, error.Code);
        error = await Kms.Fails("Verify", new VerifyRequest { KeyId = keyId, Message = Raw, Signature = [1], SigningAlgorithm = "ECDSA_SHA_256", DryRun = true });
        Assert.Equal(KmsErrorCode.DryRunOperation, error.Code);
    }

    [Fact]
    public async Task SignTouchesTheKeyAndIsReadOnly()
    {
        var keyId = await fixture.KeyFor("ECC_NIST_P256");
        var call = new KmsCall(Kms.Settings.RootArn, Kms.Settings.AccountId);
        var operation = KmsOperations.All["Sign"];
        await operation.ExecuteAsync(Kms.Context, call, new SignRequest { KeyId = keyId, Message = Raw, SigningAlgorithm = "ECDSA_SHA_256" }, CancellationToken.None);
        Assert.Equal([(Kms.Settings.KeyArn(keyId), "ECC_NIST_P256")], call.Touched);
        foreach (var name in new[] { "Sign", "Verify", "GetPublicKey", "GenerateMac", "VerifyMac", "GenerateDataKeyPair", "GenerateDataKeyPairWithoutPlaintext", "GetParametersForImport" })
            Assert.True(KmsOperations.All[name].ReadOnly, name);
        foreach (var name in new[] { "ImportKeyMaterial", "DeleteImportedKeyMaterial" })
            Assert.False(KmsOperations.All[name].ReadOnly, name);
    }

    [Theory]
    [InlineData("RSA_2048", "SIGN_VERIFY")]
    [InlineData("RSA_3072", "ENCRYPT_DECRYPT")]
    [InlineData("ECC_NIST_P521", "SIGN_VERIFY")]
    [InlineData("ECC_SECG_P256K1", "SIGN_VERIFY")]
    public async Task GetPublicKeyDescribesTheKey(string spec, string usage)
    {
        var keyId = await fixture.KeyFor(spec, usage);
        var response = await Kms.Run<GetPublicKeyResponse>("GetPublicKey", new GetPublicKeyRequest { KeyId = keyId });
        Assert.Equal(Kms.Settings.KeyArn(keyId), response.KeyId);
        Assert.Equal(spec, response.KeySpec);
        Assert.Equal(spec, response.CustomerMasterKeySpec);
        Assert.Equal(usage, response.KeyUsage);
        Assert.Equal(KeySpecs.SigningAlgorithms(spec, usage), response.SigningAlgorithms);
        Assert.Equal(KeySpecs.EncryptionAlgorithms(spec, usage), response.EncryptionAlgorithms);
        if (usage == "SIGN_VERIFY") Assert.Null(response.EncryptionAlgorithms);
        else Assert.Null(response.SigningAlgorithms);

        // The public key is DER SubjectPublicKeyInfo of the right kind.
        if (spec.StartsWith("RSA_", StringComparison.Ordinal))
        {
            using var rsa = RSA.Create();
            rsa.ImportSubjectPublicKeyInfo(response.PublicKey, out var read);
            Assert.Equal(response.PublicKey.Length, read);
            Assert.Equal(int.Parse(spec[4..], System.Globalization.CultureInfo.InvariantCulture), rsa.KeySize);
            if (usage == "ENCRYPT_DECRYPT")
            {
                // What is encrypted outside with the public key decrypts in KMS.
                var ciphertext = rsa.Encrypt([1, 2, 3], RSAEncryptionPadding.OaepSHA256);
                var decrypted = await Kms.Run<DecryptResponse>("Decrypt", new DecryptRequest { KeyId = keyId, CiphertextBlob = ciphertext, EncryptionAlgorithm = "RSAES_OAEP_SHA_256" });
                Assert.Equal([1, 2, 3], decrypted.Plaintext);
            }
        }
        else
        {
            using var ec = ECDsa.Create();
            ec.ImportSubjectPublicKeyInfo(response.PublicKey, out var read);
            Assert.Equal(response.PublicKey.Length, read);
        }
    }

    [Theory]
    [InlineData("SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT")]
    [InlineData("HMAC_384", "GENERATE_VERIFY_MAC")]
    public async Task GetPublicKeyOfSymmetricOrHmacKeyIsUnsupported(string spec, string usage)
    {
        var keyId = await fixture.KeyFor(spec, usage);
        var error = await Kms.Fails("GetPublicKey", new GetPublicKeyRequest { KeyId = keyId });
        Assert.Equal(KmsErrorCode.UnsupportedOperation, error.Code);
    }

    private static HashAlgorithmName HashOf(string algorithm) => algorithm[^3..] switch
    {
        "256" => HashAlgorithmName.SHA256,
        "384" => HashAlgorithmName.SHA384,
        _ => HashAlgorithmName.SHA512,
    };

    private static byte[] Digest(HashAlgorithmName hash, byte[] data)
        => hash == HashAlgorithmName.SHA256 ? SHA256.HashData(data) : hash == HashAlgorithmName.SHA384 ? SHA384.HashData(data) : SHA512.HashData(data);

    /// <summary>Verifies with the platform (PKCS#1 v1.5, ECDSA over DER) or BouncyCastle (PSS, requiring salt length = hash length).</summary>
    private static bool VerifyOutside(byte[] spki, string algorithm, byte[] message, byte[] signature)
    {
        var hash = HashOf(algorithm);
        if (algorithm.StartsWith("ECDSA_", StringComparison.Ordinal))
        {
            Assert.Equal(0x30, signature[0]); // DER SEQUENCE
            using var ec = ECDsa.Create();
            ec.ImportSubjectPublicKeyInfo(spki, out _);
            return ec.VerifyData(message, signature, hash, DSASignatureFormat.Rfc3279DerSequence);
        }
        if (algorithm.StartsWith("RSASSA_PKCS1_V1_5_", StringComparison.Ordinal))
        {
            using var rsa = RSA.Create();
            rsa.ImportSubjectPublicKeyInfo(spki, out _);
            return rsa.VerifyData(message, signature, hash, RSASignaturePadding.Pkcs1);
        }
        IDigest NewDigest() => hash == HashAlgorithmName.SHA256 ? new Sha256Digest() : hash == HashAlgorithmName.SHA384 ? new Sha384Digest() : new Sha512Digest();
        var digest = NewDigest();
        var signer = new PssSigner(new RsaBlindedEngine(), digest, NewDigest(), digest.GetDigestSize());
        signer.Init(false, (RsaKeyParameters)PublicKeyFactory.CreateKey(spki));
        signer.BlockUpdate(message, 0, message.Length);
        return signer.VerifySignature(signature);
    }
}
