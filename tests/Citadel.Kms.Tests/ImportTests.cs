using System.Security.Cryptography;
using Citadel.Crypto;
using Citadel.Kms.Keys;
using Citadel.Kms.Operations;

namespace Citadel.Kms.Tests;

public sealed class ImportTests : IDisposable
{
    private static readonly Dictionary<string, string> Context = new() { ["tenant"] = "blue" };
    private readonly TestKms _kms = new();

    public void Dispose() => _kms.Dispose();

    private async Task<string> NewExternalKey(string spec = "SYMMETRIC_DEFAULT")
    {
        var created = await _kms.Run<CreateKeyResponse>("CreateKey", new CreateKeyRequest { KeySpec = spec, Origin = "EXTERNAL" });
        Assert.Equal("PendingImport", created.KeyMetadata.KeyState);
        Assert.Equal("EXTERNAL", created.KeyMetadata.Origin);
        return created.KeyMetadata.KeyId;
    }

    private Task<GetParametersForImportResponse> Parameters(string keyId, string algorithm = "RSAES_OAEP_SHA_256", string spec = "RSA_2048")
        => _kms.Run<GetParametersForImportResponse>("GetParametersForImport", new GetParametersForImportRequest
        {
            KeyId = keyId,
            WrappingAlgorithm = algorithm,
            WrappingKeySpec = spec,
        });

    /// <summary>The client side of an import, done with the platform's RSA and RFC 5649 key wrap.</summary>
    private static byte[] ClientWrap(byte[] publicKey, string algorithm, byte[] material)
    {
        using var rsa = RSA.Create();
        rsa.ImportSubjectPublicKeyInfo(publicKey, out _);
        var padding = algorithm.EndsWith("SHA_1", StringComparison.Ordinal) ? RSAEncryptionPadding.OaepSHA1 : RSAEncryptionPadding.OaepSHA256;
        if (algorithm.StartsWith("RSAES_OAEP_", StringComparison.Ordinal)) return rsa.Encrypt(material, padding);
        var aesKey = RandomNumberGenerator.GetBytes(32);
        var wrappedKey = rsa.Encrypt(aesKey, padding);
        Assert.Equal(rsa.KeySize / 8, wrappedKey.Length);
        return [.. wrappedKey, .. AesKeyWrap.WrapPad(aesKey, material)];
    }

    private async Task<ImportKeyMaterialResponse> Import(string keyId, byte[] material, string algorithm = "RSAES_OAEP_SHA_256", string wrappingSpec = "RSA_2048",
        string? expirationModel = "KEY_MATERIAL_DOES_NOT_EXPIRE", DateTimeOffset? validTo = null, string? importType = null, string? keyMaterialId = null)
    {
        var parameters = await Parameters(keyId, algorithm, wrappingSpec);
        return await _kms.Run<ImportKeyMaterialResponse>("ImportKeyMaterial", new ImportKeyMaterialRequest
        {
            KeyId = keyId,
            ImportToken = parameters.ImportToken,
            EncryptedKeyMaterial = ClientWrap(parameters.PublicKey, algorithm, material),
            ExpirationModel = expirationModel,
            ValidTo = validTo,
            ImportType = importType,
            KeyMaterialId = keyMaterialId,
        });
    }

    private async Task<KmsException> ImportFails(string keyId, byte[] material, string algorithm = "RSAES_OAEP_SHA_256",
        string? expirationModel = "KEY_MATERIAL_DOES_NOT_EXPIRE", DateTimeOffset? validTo = null, string? importType = null, string? keyMaterialId = null)
    {
        var parameters = await Parameters(keyId, algorithm);
        return await _kms.Fails("ImportKeyMaterial", new ImportKeyMaterialRequest
        {
            KeyId = keyId,
            ImportToken = parameters.ImportToken,
            EncryptedKeyMaterial = ClientWrap(parameters.PublicKey, algorithm, material),
            ExpirationModel = expirationModel,
            ValidTo = validTo,
            ImportType = importType,
            KeyMaterialId = keyMaterialId,
        });
    }

    private async Task<string> State(string keyId)
        => (await _kms.Run<DescribeKeyResponse>("DescribeKey", new DescribeKeyRequest { KeyId = keyId })).KeyMetadata.KeyState!;

    [Theory]
    [InlineData("RSAES_OAEP_SHA_1", "RSA_2048")]
    [InlineData("RSAES_OAEP_SHA_256", "RSA_2048")]
    [InlineData("RSA_AES_KEY_WRAP_SHA_1", "RSA_2048")]
    [InlineData("RSA_AES_KEY_WRAP_SHA_256", "RSA_2048")]
    [InlineData("RSAES_OAEP_SHA_256", "RSA_3072")]
    [InlineData("RSA_AES_KEY_WRAP_SHA_256", "RSA_4096")]
    public async Task ImportedSymmetricMaterialIsTheKeyThatEncrypts(string algorithm, string wrappingSpec)
    {
        var keyId = await NewExternalKey();
        var parameters = await Parameters(keyId, algorithm, wrappingSpec);
        Assert.Equal(_kms.Settings.KeyArn(keyId), parameters.KeyId);
        Assert.Equal(_kms.Time.GetUtcNow().AddHours(24), parameters.ParametersValidTo);
        using (var rsa = RSA.Create())
        {
            rsa.ImportSubjectPublicKeyInfo(parameters.PublicKey, out _);
            Assert.Equal(int.Parse(wrappingSpec[4..], System.Globalization.CultureInfo.InvariantCulture), rsa.KeySize);
        }

        var material = RandomNumberGenerator.GetBytes(32);
        var imported = await _kms.Run<ImportKeyMaterialResponse>("ImportKeyMaterial", new ImportKeyMaterialRequest
        {
            KeyId = keyId,
            ImportToken = parameters.ImportToken,
            EncryptedKeyMaterial = ClientWrap(parameters.PublicKey, algorithm, material),
            ExpirationModel = "KEY_MATERIAL_DOES_NOT_EXPIRE",
        });
        Assert.Equal(_kms.Settings.KeyArn(keyId), imported.KeyId);
        Assert.Equal(KeyFactory.MaterialId(material), imported.KeyMaterialId);

        var described = (await _kms.Run<DescribeKeyResponse>("DescribeKey", new DescribeKeyRequest { KeyId = keyId })).KeyMetadata;
        Assert.Equal("Enabled", described.KeyState);
        Assert.True(described.Enabled);
        Assert.Equal("KEY_MATERIAL_DOES_NOT_EXPIRE", described.ExpirationModel);
        Assert.Null(described.ValidTo);
        Assert.Equal(imported.KeyMaterialId, described.CurrentKeyMaterialId);

        // The KMS key now encrypts with exactly the imported material.
        var encrypted = await _kms.Run<EncryptResponse>("Encrypt", new EncryptRequest { KeyId = keyId, Plaintext = [4, 5, 6], EncryptionContext = Context });
        Assert.Equal([4, 5, 6], SymmetricCiphertext.Decrypt(encrypted.CiphertextBlob, material, Context));
        var decrypted = await _kms.Run<DecryptResponse>("Decrypt", new DecryptRequest { CiphertextBlob = encrypted.CiphertextBlob, EncryptionContext = Context });
        Assert.Equal([4, 5, 6], decrypted.Plaintext);
        Assert.Equal(imported.KeyMaterialId, decrypted.KeyMaterialId);
    }

    [Theory]
    [InlineData("HMAC_224", 28, "RSAES_OAEP_SHA_1")]
    [InlineData("HMAC_224", 64, "RSA_AES_KEY_WRAP_SHA_1")]
    [InlineData("HMAC_256", 32, "RSAES_OAEP_SHA_256")]
    [InlineData("HMAC_256", 64, "RSA_AES_KEY_WRAP_SHA_256")]
    [InlineData("HMAC_384", 48, "RSAES_OAEP_SHA_256")]
    [InlineData("HMAC_384", 128, "RSA_AES_KEY_WRAP_SHA_256")]
    [InlineData("HMAC_512", 64, "RSAES_OAEP_SHA_1")]
    [InlineData("HMAC_512", 128, "RSAES_OAEP_SHA_256")]
    public async Task ImportedHmacMaterialComputesStandardHmac(string spec, int length, string algorithm)
    {
        var keyId = await NewExternalKey(spec);
        var material = RandomNumberGenerator.GetBytes(length);
        await Import(keyId, material, algorithm);
        Assert.Equal("Enabled", await State(keyId));

        var message = "imported hmac"u8.ToArray();
        var (macAlgorithm, expected) = spec switch
        {
            "HMAC_224" => ("HMAC_SHA_224", Mac.Compute(MacAlgorithm.HmacSha224, material, message)),
            "HMAC_256" => ("HMAC_SHA_256", HMACSHA256.HashData(material, message)),
            "HMAC_384" => ("HMAC_SHA_384", HMACSHA384.HashData(material, message)),
            _ => ("HMAC_SHA_512", HMACSHA512.HashData(material, message)),
        };
        var mac = await _kms.Run<GenerateMacResponse>("GenerateMac", new GenerateMacRequest { KeyId = keyId, Message = message, MacAlgorithm = macAlgorithm });
        Assert.Equal(expected, mac.Mac);
        var verified = await _kms.Run<VerifyMacResponse>("VerifyMac", new VerifyMacRequest { KeyId = keyId, Message = message, MacAlgorithm = macAlgorithm, Mac = expected });
        Assert.True(verified.MacValid);
    }

    [Theory]
    [InlineData("SYMMETRIC_DEFAULT", 16)]
    [InlineData("SYMMETRIC_DEFAULT", 33)]
    [InlineData("HMAC_224", 27)]
    [InlineData("HMAC_256", 31)]
    [InlineData("HMAC_256", 65)]
    [InlineData("HMAC_384", 47)]
    [InlineData("HMAC_512", 129)]
    public async Task MaterialOfWrongSizeIsRejected(string spec, int length)
    {
        var keyId = await NewExternalKey(spec);
        var error = await ImportFails(keyId, RandomNumberGenerator.GetBytes(length), "RSA_AES_KEY_WRAP_SHA_256");
        Assert.Equal(KmsErrorCode.IncorrectKeyMaterial, error.Code);
        Assert.Equal("PendingImport", await State(keyId));
    }

    [Fact]
    public async Task DeleteAndReimportOfTheSameMaterialRestoresOldCiphertexts()
    {
        var keyId = await NewExternalKey();
        var material = RandomNumberGenerator.GetBytes(32);
        var first = await Import(keyId, material, "RSA_AES_KEY_WRAP_SHA_256");
        var before = await _kms.Run<EncryptResponse>("Encrypt", new EncryptRequest { KeyId = keyId, Plaintext = [7, 7, 7], EncryptionContext = Context });
        var dataKey = await _kms.Run<GenerateDataKeyResponse>("GenerateDataKey", new GenerateDataKeyRequest { KeyId = keyId, KeySpec = "AES_256" });

        var deleted = await _kms.Run<DeleteImportedKeyMaterialResponse>("DeleteImportedKeyMaterial", new DeleteImportedKeyMaterialRequest { KeyId = keyId });
        Assert.Equal(_kms.Settings.KeyArn(keyId), deleted.KeyId);
        Assert.Equal(first.KeyMaterialId, deleted.KeyMaterialId);
        var described = (await _kms.Run<DescribeKeyResponse>("DescribeKey", new DescribeKeyRequest { KeyId = keyId })).KeyMetadata;
        Assert.Equal("PendingImport", described.KeyState);
        Assert.Null(described.ExpirationModel);
        Assert.Null((await _kms.Keys.FindAsync(keyId))!.Versions.Single().WrappedMaterial);

        // Without material the key can neither decrypt nor encrypt, even though its material was cached.
        Assert.Equal(KmsErrorCode.InvalidState, (await _kms.Fails("Decrypt", new DecryptRequest { CiphertextBlob = before.CiphertextBlob, EncryptionContext = Context })).Code);
        Assert.Equal(KmsErrorCode.InvalidState, (await _kms.Fails("Encrypt", new EncryptRequest { KeyId = keyId, Plaintext = [1] })).Code);
        Assert.Equal(KmsErrorCode.InvalidState, (await _kms.Fails("GenerateDataKey", new GenerateDataKeyRequest { KeyId = keyId, KeySpec = "AES_256" })).Code);

        // Other material is refused, and the key stays pending import.
        var wrong = await ImportFails(keyId, RandomNumberGenerator.GetBytes(32));
        Assert.Equal(KmsErrorCode.IncorrectKeyMaterial, wrong.Code);
        Assert.Equal("PendingImport", await State(keyId));

        // The same material, with the other wrapping family, brings everything back.
        var again = await Import(keyId, material, "RSAES_OAEP_SHA_1");
        Assert.Equal(first.KeyMaterialId, again.KeyMaterialId);
        Assert.Equal("Enabled", await State(keyId));
        var decrypted = await _kms.Run<DecryptResponse>("Decrypt", new DecryptRequest { CiphertextBlob = before.CiphertextBlob, EncryptionContext = Context });
        Assert.Equal([7, 7, 7], decrypted.Plaintext);
        var decryptedDataKey = await _kms.Run<DecryptResponse>("Decrypt", new DecryptRequest { CiphertextBlob = dataKey.CiphertextBlob });
        Assert.Equal(dataKey.Plaintext, decryptedDataKey.Plaintext);
        Assert.Single((await _kms.Keys.FindAsync(keyId))!.Versions);
    }

    [Fact]
    public async Task KeyMaterialIdAndImportTypeOnReimport()
    {
        var keyId = await NewExternalKey();
        var material = RandomNumberGenerator.GetBytes(32);
        var wrongFirst = await ImportFails(keyId, material, importType: "EXISTING_KEY_MATERIAL");
        Assert.Equal(KmsErrorCode.IncorrectKeyMaterial, wrongFirst.Code);
        var idOnNew = await ImportFails(keyId, material, importType: "NEW_KEY_MATERIAL", keyMaterialId: KeyFactory.MaterialId(material));
        Assert.Equal(KmsErrorCode.Validation, idOnNew.Code);

        var first = await Import(keyId, material, importType: "NEW_KEY_MATERIAL");
        await _kms.Run<DeleteImportedKeyMaterialResponse>("DeleteImportedKeyMaterial", new DeleteImportedKeyMaterialRequest { KeyId = keyId, KeyMaterialId = first.KeyMaterialId });
        Assert.Equal("PendingImport", await State(keyId));

        var mismatch = await ImportFails(keyId, material, keyMaterialId: new string('0', 64));
        Assert.Equal(KmsErrorCode.IncorrectKeyMaterial, mismatch.Code);
        var newMaterial = await ImportFails(keyId, RandomNumberGenerator.GetBytes(32), importType: "NEW_KEY_MATERIAL");
        Assert.Equal(KmsErrorCode.UnsupportedOperation, newMaterial.Code);
        var again = await Import(keyId, material, importType: "EXISTING_KEY_MATERIAL", keyMaterialId: first.KeyMaterialId);
        Assert.Equal(first.KeyMaterialId, again.KeyMaterialId);

        var unknownId = await _kms.Fails("DeleteImportedKeyMaterial", new DeleteImportedKeyMaterialRequest { KeyId = keyId, KeyMaterialId = new string('a', 64) });
        Assert.Equal(KmsErrorCode.NotFound, unknownId.Code);
        Assert.Equal("Enabled", await State(keyId));

        var hmac = await NewExternalKey("HMAC_256");
        var hmacImportType = await ImportFails(hmac, RandomNumberGenerator.GetBytes(32), importType: "NEW_KEY_MATERIAL");
        Assert.Equal(KmsErrorCode.Validation, hmacImportType.Code);
    }

    [Fact]
    public async Task ReimportWhileEnabledUpdatesExpiration()
    {
        var keyId = await NewExternalKey();
        var material = RandomNumberGenerator.GetBytes(32);
        await Import(keyId, material);
        var validTo = _kms.Time.GetUtcNow().AddDays(30);
        await Import(keyId, material, expirationModel: "KEY_MATERIAL_EXPIRES", validTo: validTo);
        var described = (await _kms.Run<DescribeKeyResponse>("DescribeKey", new DescribeKeyRequest { KeyId = keyId })).KeyMetadata;
        Assert.Equal("KEY_MATERIAL_EXPIRES", described.ExpirationModel);
        Assert.Equal(validTo, described.ValidTo);
        Assert.Equal("Enabled", described.KeyState);
    }

    [Fact]
    public async Task ExpirationModelAndValidToRules()
    {
        var keyId = await NewExternalKey();
        var material = RandomNumberGenerator.GetBytes(32);
        var now = _kms.Time.GetUtcNow();
        Assert.Equal(KmsErrorCode.Validation, (await ImportFails(keyId, material, expirationModel: "KEY_MATERIAL_EXPIRES")).Code);
        Assert.Equal(KmsErrorCode.Validation, (await ImportFails(keyId, material, expirationModel: null)).Code);
        Assert.Equal(KmsErrorCode.Validation, (await ImportFails(keyId, material, expirationModel: "KEY_MATERIAL_DOES_NOT_EXPIRE", validTo: now.AddDays(1))).Code);
        Assert.Equal(KmsErrorCode.Validation, (await ImportFails(keyId, material, expirationModel: "KEY_MATERIAL_EXPIRES", validTo: now.AddMinutes(-1))).Code);
        Assert.Equal(KmsErrorCode.Validation, (await ImportFails(keyId, material, expirationModel: "KEY_MATERIAL_EXPIRES", validTo: now.AddDays(366))).Code);
        Assert.Equal("PendingImport", await State(keyId));

        // ExpirationModel defaults to KEY_MATERIAL_EXPIRES when ValidTo is given.
        await Import(keyId, material, expirationModel: null, validTo: now.AddHours(1));
        var described = (await _kms.Run<DescribeKeyResponse>("DescribeKey", new DescribeKeyRequest { KeyId = keyId })).KeyMetadata;
        Assert.Equal("KEY_MATERIAL_EXPIRES", described.ExpirationModel);
        Assert.Equal(now.AddHours(1), described.ValidTo);
    }

    [Fact]
    public async Task ExpiredMaterialIsDeletedBySweepAndCanBeReimported()
    {
        var expiring = await NewExternalKey();
        var lasting = await NewExternalKey();
        var material = RandomNumberGenerator.GetBytes(32);
        await Import(expiring, material, expirationModel: "KEY_MATERIAL_EXPIRES", validTo: _kms.Time.GetUtcNow().AddHours(1));
        await Import(lasting, RandomNumberGenerator.GetBytes(32));
        var blob = (await _kms.Run<EncryptResponse>("Encrypt", new EncryptRequest { KeyId = expiring, Plaintext = [3] })).CiphertextBlob;

        Assert.Equal(0, await new KeyMaintenance().RunOnceAsync(_kms.Context, CancellationToken.None));
        _kms.Time.Advance(TimeSpan.FromHours(2));
        Assert.Equal(1, await new KeyMaintenance().RunOnceAsync(_kms.Context, CancellationToken.None));
        Assert.Equal("PendingImport", await State(expiring));
        Assert.Equal("Enabled", await State(lasting));
        Assert.Equal(KmsErrorCode.InvalidState, (await _kms.Fails("Decrypt", new DecryptRequest { CiphertextBlob = blob })).Code);

        await Import(expiring, material);
        Assert.Equal([3], (await _kms.Run<DecryptResponse>("Decrypt", new DecryptRequest { CiphertextBlob = blob })).Plaintext);
    }

    [Fact]
    public async Task ExpiredImportTokenIsRejectedEvenAfterPurge()
    {
        var keyId = await NewExternalKey();
        var material = RandomNumberGenerator.GetBytes(32);
        var parameters = await Parameters(keyId);
        var request = new ImportKeyMaterialRequest
        {
            KeyId = keyId,
            ImportToken = parameters.ImportToken,
            EncryptedKeyMaterial = ClientWrap(parameters.PublicKey, "RSAES_OAEP_SHA_256", material),
            ExpirationModel = "KEY_MATERIAL_DOES_NOT_EXPIRE",
        };

        _kms.Time.Advance(TimeSpan.FromHours(24));
        var expired = await _kms.Fails("ImportKeyMaterial", request);
        Assert.Equal(KmsErrorCode.ExpiredImportToken, expired.Code);
        Assert.Equal("ExpiredImportTokenException", expired.AwsType);

        // A later GetParametersForImport purges the expired token; it still reads as expired, not unknown.
        await Parameters(keyId);
        var purgedId = keyId + "/" + Convert.ToHexStringLower(parameters.ImportToken.AsSpan(1, 16));
        Assert.DoesNotContain(await _kms.Store.ListAsync(ImportTokenStore.Collection, null, 10), d => d.Id == purgedId);
        Assert.Equal(KmsErrorCode.ExpiredImportToken, (await _kms.Fails("ImportKeyMaterial", request)).Code);
        Assert.Equal("PendingImport", await State(keyId));
    }

    [Fact]
    public async Task TokenIsValidJustBefore24HoursAndReusable()
    {
        var keyId = await NewExternalKey();
        var material = RandomNumberGenerator.GetBytes(32);
        var parameters = await Parameters(keyId);
        var request = new ImportKeyMaterialRequest
        {
            KeyId = keyId,
            ImportToken = parameters.ImportToken,
            EncryptedKeyMaterial = ClientWrap(parameters.PublicKey, "RSAES_OAEP_SHA_256", material),
            ExpirationModel = "KEY_MATERIAL_DOES_NOT_EXPIRE",
        };
        _kms.Time.Advance(TimeSpan.FromHours(24) - TimeSpan.FromSeconds(1));
        await _kms.Run<ImportKeyMaterialResponse>("ImportKeyMaterial", request);
        await _kms.Run<ImportKeyMaterialResponse>("ImportKeyMaterial", request);
        Assert.Equal("Enabled", await State(keyId));
    }

    [Fact]
    public async Task TokensOfOtherKeysOrGarbageAreInvalid()
    {
        var keyId = await NewExternalKey();
        var other = await NewExternalKey();
        var material = RandomNumberGenerator.GetBytes(32);
        var otherParameters = await Parameters(other);
        var error = await _kms.Fails("ImportKeyMaterial", new ImportKeyMaterialRequest
        {
            KeyId = keyId,
            ImportToken = otherParameters.ImportToken,
            EncryptedKeyMaterial = ClientWrap(otherParameters.PublicKey, "RSAES_OAEP_SHA_256", material),
            ExpirationModel = "KEY_MATERIAL_DOES_NOT_EXPIRE",
        });
        Assert.Equal(KmsErrorCode.InvalidImportToken, error.Code);

        var parameters = await Parameters(keyId);
        var wrapped = ClientWrap(parameters.PublicKey, "RSAES_OAEP_SHA_256", material);
        var forged = (byte[])parameters.ImportToken.Clone();
        forged[5] ^= 0x01; // another token id of the same key
        foreach (var token in new[] { forged, [1, 2, 3], parameters.ImportToken[..^1] })
        {
            error = await _kms.Fails("ImportKeyMaterial", new ImportKeyMaterialRequest
            {
                KeyId = keyId,
                ImportToken = token,
                EncryptedKeyMaterial = wrapped,
                ExpirationModel = "KEY_MATERIAL_DOES_NOT_EXPIRE",
            });
            Assert.Equal(KmsErrorCode.InvalidImportToken, error.Code);
        }
        Assert.Equal("PendingImport", await State(keyId));
    }

    [Theory]
    [InlineData("RSAES_OAEP_SHA_256", "RSAES_OAEP_SHA_1")]
    [InlineData("RSA_AES_KEY_WRAP_SHA_256", "RSA_AES_KEY_WRAP_SHA_1")]
    [InlineData("RSA_AES_KEY_WRAP_SHA_1", "RSAES_OAEP_SHA_1")]
    [InlineData("RSAES_OAEP_SHA_1", "RSA_AES_KEY_WRAP_SHA_1")]
    public async Task MaterialWrappedOtherwiseThanTheTokenSaysIsInvalidCiphertext(string tokenAlgorithm, string clientAlgorithm)
    {
        var keyId = await NewExternalKey();
        var parameters = await Parameters(keyId, tokenAlgorithm);
        var error = await _kms.Fails("ImportKeyMaterial", new ImportKeyMaterialRequest
        {
            KeyId = keyId,
            ImportToken = parameters.ImportToken,
            EncryptedKeyMaterial = ClientWrap(parameters.PublicKey, clientAlgorithm, RandomNumberGenerator.GetBytes(32)),
            ExpirationModel = "KEY_MATERIAL_DOES_NOT_EXPIRE",
        });
        Assert.Equal(KmsErrorCode.InvalidCiphertext, error.Code);
    }

    [Theory]
    [InlineData("RSAES_OAEP_SHA_256")]
    [InlineData("RSA_AES_KEY_WRAP_SHA_256")]
    public async Task TamperedOrTruncatedMaterialIsInvalidCiphertext(string algorithm)
    {
        var keyId = await NewExternalKey();
        var parameters = await Parameters(keyId, algorithm);
        var wrapped = ClientWrap(parameters.PublicKey, algorithm, RandomNumberGenerator.GetBytes(32));
        var tampered = (byte[])wrapped.Clone();
        tampered[^1] ^= 0x01;
        // For RSA_AES_KEY_WRAP the first 256 bytes are the RSA part alone, without the wrapped material.
        foreach (var blob in new[] { tampered, wrapped[..255], wrapped[..^8], algorithm.StartsWith("RSA_AES_", StringComparison.Ordinal) ? wrapped[..256] : [] })
        {
            if (blob.Length == 0) continue;
            var error = await _kms.Fails("ImportKeyMaterial", new ImportKeyMaterialRequest
            {
                KeyId = keyId,
                ImportToken = parameters.ImportToken,
                EncryptedKeyMaterial = blob,
                ExpirationModel = "KEY_MATERIAL_DOES_NOT_EXPIRE",
            });
            Assert.Equal(KmsErrorCode.InvalidCiphertext, error.Code);
        }
    }

    [Fact]
    public async Task ImportOperationsNeedAnExternalKey()
    {
        var keyId = (await _kms.Run<CreateKeyResponse>("CreateKey", new CreateKeyRequest())).KeyMetadata.KeyId;
        Assert.Equal(KmsErrorCode.UnsupportedOperation, (await _kms.Fails("GetParametersForImport", new GetParametersForImportRequest
        {
            KeyId = keyId,
            WrappingAlgorithm = "RSAES_OAEP_SHA_256",
            WrappingKeySpec = "RSA_2048",
        })).Code);
        Assert.Equal(KmsErrorCode.UnsupportedOperation, (await _kms.Fails("ImportKeyMaterial", new ImportKeyMaterialRequest
        {
            KeyId = keyId,
            ImportToken = [1],
            EncryptedKeyMaterial = [1],
            ExpirationModel = "KEY_MATERIAL_DOES_NOT_EXPIRE",
        })).Code);
        Assert.Equal(KmsErrorCode.UnsupportedOperation, (await _kms.Fails("DeleteImportedKeyMaterial", new DeleteImportedKeyMaterialRequest { KeyId = keyId })).Code);
    }

    [Theory]
    [InlineData("RSAES_PKCS1_V1_5", "RSA_2048")]
    [InlineData("SM2PKE", "RSA_2048")]
    [InlineData("RSAES_OAEP_SHA_256", "SM2")]
    public async Task UnsupportedWrappingParameters(string algorithm, string spec)
    {
        var keyId = await NewExternalKey();
        var error = await _kms.Fails("GetParametersForImport", new GetParametersForImportRequest { KeyId = keyId, WrappingAlgorithm = algorithm, WrappingKeySpec = spec });
        Assert.Equal(KmsErrorCode.UnsupportedOperation, error.Code);
    }

    [Fact]
    public async Task PendingDeletionKeysRefuseImportOperations()
    {
        var keyId = await NewExternalKey();
        var material = RandomNumberGenerator.GetBytes(32);
        var parameters = await Parameters(keyId);
        await _kms.Keys.MutateAsync(keyId, r => r.KeyState = "PendingDeletion");
        Assert.Equal(KmsErrorCode.InvalidState, (await _kms.Fails("GetParametersForImport", new GetParametersForImportRequest
        {
            KeyId = keyId,
            WrappingAlgorithm = "RSAES_OAEP_SHA_256",
            WrappingKeySpec = "RSA_2048",
        })).Code);
        Assert.Equal(KmsErrorCode.InvalidState, (await _kms.Fails("ImportKeyMaterial", new ImportKeyMaterialRequest
        {
            KeyId = keyId,
            ImportToken = parameters.ImportToken,
            EncryptedKeyMaterial = ClientWrap(parameters.PublicKey, "RSAES_OAEP_SHA_256", material),
            ExpirationModel = "KEY_MATERIAL_DOES_NOT_EXPIRE",
        })).Code);
        Assert.Equal(KmsErrorCode.InvalidState, (await _kms.Fails("DeleteImportedKeyMaterial", new DeleteImportedKeyMaterialRequest { KeyId = keyId })).Code);
    }

    [Fact]
    public async Task PendingImportKeyCannotBeUsedAndDeleteIsANoOp()
    {
        var keyId = await NewExternalKey();
        Assert.Equal(KmsErrorCode.InvalidState, (await _kms.Fails("Encrypt", new EncryptRequest { KeyId = keyId, Plaintext = [1] })).Code);
        var hmac = await NewExternalKey("HMAC_512");
        Assert.Equal(KmsErrorCode.InvalidState, (await _kms.Fails("GenerateMac", new GenerateMacRequest { KeyId = hmac, Message = [1], MacAlgorithm = "HMAC_SHA_512" })).Code);
        var deleted = await _kms.Run<DeleteImportedKeyMaterialResponse>("DeleteImportedKeyMaterial", new DeleteImportedKeyMaterialRequest { KeyId = keyId });
        Assert.Null(deleted.KeyMaterialId);
        Assert.Equal("PendingImport", await State(keyId));
    }

    [Fact]
    public async Task WrappingPrivateKeyIsStoredOnlyWrapped()
    {
        var keyId = await NewExternalKey();
        var parameters = await Parameters(keyId);
        var documents = await _kms.Store.ListAsync(ImportTokenStore.Collection, null, 100);
        var document = Assert.Single(documents);
        Assert.StartsWith(keyId + "/", document.Id, StringComparison.Ordinal);
        var record = System.Text.Json.JsonSerializer.Deserialize<ImportTokenRecord>(document.Body, KmsJson.Storage)!;
        Assert.Equal(parameters.PublicKey, record.PublicKey);
        var privateKey = new ImportTokenStore(_kms.Store, _kms.Root).PrivateKey(record);
        Assert.Equal(parameters.PublicKey, AsymmetricKeys.PublicKeyOf(AsymmetricKeyType.Rsa2048, privateKey));
        Assert.False(document.Body.Contains(Convert.ToBase64String(privateKey), StringComparison.Ordinal));
    }
}
