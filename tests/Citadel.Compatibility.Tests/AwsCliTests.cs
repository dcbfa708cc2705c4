using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Citadel.Compatibility.Tests;

/// <summary>
/// The AWS CLI (v1 from the machine Python, v2 from Debian) against a real Citadel server: every key spec
/// and the operations that fit it, with binary input through fileb:// files and JSON output.
/// Each CLI call starts a Python process, so the tests keep their calls few and run independent ones together.
/// </summary>
[Collection("citadel")]
public sealed class AwsCliTests(CitadelFixture fixture) : IDisposable
{
    private const string Context = """{"tenant":"cli","purpose":"compat"}""";
    private static readonly SemaphoreSlim Throttle = new(4);
    private readonly string _directory = Directory.CreateTempSubdirectory("citadel-cli-").FullName;

    /// <summary>
    /// Every signing key spec with one of its algorithms and the message type it signs with (it is verified
    /// with the other type): RAW and DIGEST, PSS and PKCS #1 v1.5 are all covered on both sides.
    /// </summary>
    private static readonly (string Spec, string Algorithm, string SignAs)[] SigningSpecs =
    [
        ("RSA_2048", "RSASSA_PSS_SHA_256", "RAW"),
        ("RSA_3072", "RSASSA_PKCS1_V1_5_SHA_384", "DIGEST"),
        ("RSA_4096", "RSASSA_PSS_SHA_512", "DIGEST"),
        ("ECC_NIST_P256", "ECDSA_SHA_256", "RAW"),
        ("ECC_NIST_P384", "ECDSA_SHA_384", "DIGEST"),
        ("ECC_NIST_P521", "ECDSA_SHA_512", "RAW"),
        ("ECC_SECG_P256K1", "ECDSA_SHA_256", "DIGEST"),
    ];

    public static TheoryData<int> Versions => new() { 1, 2 };

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Theory]
    [MemberData(nameof(Versions))]
    public async Task SymmetricKeyEncryptsDecryptsAndMakesDataKeys(int version)
    {
        var created = await Task.WhenAll(CreateKey(version, "--description", $"cli v{version} symmetric"), CreateKey(version));
        var (key, other) = (created[0], created[1]);
        var keyId = key.GetProperty("KeyId").GetString()!;
        var arn = key.GetProperty("Arn").GetString()!;
        Assert.Equal("SYMMETRIC_DEFAULT", key.GetProperty("KeySpec").GetString());
        Assert.Equal("ENCRYPT_DECRYPT", key.GetProperty("KeyUsage").GetString());
        Assert.Equal("Enabled", key.GetProperty("KeyState").GetString());
        Assert.Equal($"cli v{version} symmetric", key.GetProperty("Description").GetString());

        byte[] plaintext = [0, 1, 2, 0xff, .. "attack at dawn"u8];
        var encrypted = await Cli(version, "kms", "encrypt", "--key-id", keyId, "--plaintext", FileB(plaintext), "--encryption-context", Context);
        Assert.Equal(arn, encrypted.GetProperty("KeyId").GetString());
        Assert.Equal("SYMMETRIC_DEFAULT", encrypted.GetProperty("EncryptionAlgorithm").GetString());
        var ciphertext = Bytes(encrypted, "CiphertextBlob");

        var dataKeyTask = Cli(version, "kms", "generate-data-key", "--key-id", arn, "--key-spec", "AES_256", "--encryption-context", Context);
        var withoutTask = Cli(version, "kms", "generate-data-key-without-plaintext", "--key-id", keyId, "--number-of-bytes", "64");
        var pairTask = Cli(version, "kms", "generate-data-key-pair", "--key-id", keyId, "--key-pair-spec", "ECC_NIST_P256");
        var pairWithoutTask = Cli(version, "kms", "generate-data-key-pair-without-plaintext", "--key-id", keyId, "--key-pair-spec", "RSA_2048");
        var movedTask = Cli(version, "kms", "re-encrypt", "--ciphertext-blob", FileB(ciphertext), "--source-encryption-context", Context,
            "--destination-key-id", other.GetProperty("KeyId").GetString()!, "--destination-encryption-context", """{"moved":"yes"}""");
        var randomTask = Cli(version, "kms", "generate-random", "--number-of-bytes", "100");
        var decryptedTask = Cli(version, "kms", "decrypt", "--ciphertext-blob", FileB(ciphertext), "--encryption-context", Context);

        var decrypted = await decryptedTask;
        Assert.Equal(plaintext, Bytes(decrypted, "Plaintext"));
        Assert.Equal(arn, decrypted.GetProperty("KeyId").GetString());
        Assert.Equal(100, Bytes(await randomTask, "Plaintext").Length);

        var dataKey = await dataKeyTask;
        Assert.Equal(32, Bytes(dataKey, "Plaintext").Length);
        var without = await withoutTask;
        Assert.False(without.TryGetProperty("Plaintext", out _));
        Assert.True(Bytes(without, "CiphertextBlob").Length > 64);
        var pair = await pairTask;
        Assert.Equal("ECC_NIST_P256", pair.GetProperty("KeyPairSpec").GetString());
        var pairWithout = await pairWithoutTask;
        Assert.False(pairWithout.TryGetProperty("PrivateKeyPlaintext", out _));
        Assert.Equal("RSA_2048", pairWithout.GetProperty("KeyPairSpec").GetString());
        using (var rsa = RSA.Create())
        {
            rsa.ImportSubjectPublicKeyInfo(Bytes(pairWithout, "PublicKey"), out _);
            Assert.Equal(2048, rsa.KeySize);
        }
        var moved = await movedTask;
        Assert.Equal(arn, moved.GetProperty("SourceKeyId").GetString());
        Assert.Equal(other.GetProperty("Arn").GetString(), moved.GetProperty("KeyId").GetString());

        var dataKeyBack = Cli(version, "kms", "decrypt", "--ciphertext-blob", FileB(Bytes(dataKey, "CiphertextBlob")), "--encryption-context", Context);
        var privateBack = Cli(version, "kms", "decrypt", "--ciphertext-blob", FileB(Bytes(pair, "PrivateKeyCiphertextBlob")));
        var movedBack = Cli(version, "kms", "decrypt", "--ciphertext-blob", FileB(Bytes(moved, "CiphertextBlob")), "--encryption-context", """{"moved":"yes"}""");
        Assert.Equal(Bytes(dataKey, "Plaintext"), Bytes(await dataKeyBack, "Plaintext"));
        Assert.Equal(plaintext, Bytes(await movedBack, "Plaintext"));

        // The data key pair's private key (PKCS#8) matches its public key (SubjectPublicKeyInfo).
        var privateKey = Bytes(await privateBack, "Plaintext");
        Assert.Equal(Bytes(pair, "PrivateKeyPlaintext"), privateKey);
        using var signer = ECDsa.Create();
        signer.ImportPkcs8PrivateKey(privateKey, out _);
        using var verifier = ECDsa.Create();
        verifier.ImportSubjectPublicKeyInfo(Bytes(pair, "PublicKey"), out _);
        Assert.True(verifier.VerifyData("pair"u8, signer.SignData("pair"u8, HashAlgorithmName.SHA256), HashAlgorithmName.SHA256));
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public async Task RsaKeysEncryptAndDecrypt(int version)
    {
        await Task.WhenAll(new[] { "RSA_2048", "RSA_3072" }.Select(spec => Labelled(spec, async () =>
        {
            var key = await CreateKey(version, "--key-spec", spec, "--key-usage", "ENCRYPT_DECRYPT");
            var keyId = key.GetProperty("KeyId").GetString()!;
            Assert.Equal(spec, key.GetProperty("KeySpec").GetString());
            Assert.Contains("RSAES_OAEP_SHA_256", key.GetProperty("EncryptionAlgorithms").EnumerateArray().Select(a => a.GetString()));

            byte[] plaintext = [.. Encoding.UTF8.GetBytes($"rsa {spec} secret"), 0, 0xfe];
            var encryptedTask = Cli(version, "kms", "encrypt", "--key-id", keyId, "--plaintext", FileB(plaintext), "--encryption-algorithm", "RSAES_OAEP_SHA_256");
            var publicKey = await Cli(version, "kms", "get-public-key", "--key-id", keyId);
            Assert.Equal("ENCRYPT_DECRYPT", publicKey.GetProperty("KeyUsage").GetString());
            Assert.Equal(new[] { "RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256" }, publicKey.GetProperty("EncryptionAlgorithms").EnumerateArray().Select(a => a.GetString()).Order());
            using var rsa = RSA.Create();
            rsa.ImportSubjectPublicKeyInfo(Bytes(publicKey, "PublicKey"), out _);
            Assert.Equal(spec == "RSA_2048" ? 2048 : 3072, rsa.KeySize);

            // Encrypted locally with the public key, decrypted by the server.
            var local = rsa.Encrypt(plaintext, RSAEncryptionPadding.OaepSHA1);
            var localBack = Cli(version, "kms", "decrypt", "--key-id", keyId, "--ciphertext-blob", FileB(local), "--encryption-algorithm", "RSAES_OAEP_SHA_1");
            var encrypted = await encryptedTask;
            Assert.Equal(rsa.KeySize / 8, Bytes(encrypted, "CiphertextBlob").Length);
            var back = await Cli(version, "kms", "decrypt", "--key-id", keyId, "--ciphertext-blob", FileB(Bytes(encrypted, "CiphertextBlob")), "--encryption-algorithm", "RSAES_OAEP_SHA_256");
            Assert.Equal(plaintext, Bytes(back, "Plaintext"));
            Assert.Equal("RSAES_OAEP_SHA_256", back.GetProperty("EncryptionAlgorithm").GetString());
            Assert.Equal(plaintext, Bytes(await localBack, "Plaintext"));
        })));
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public async Task AsymmetricKeysSignAndVerify(int version)
    {
        // RSA 4096 key generation is slow: once, with the v2 CLI.
        var specs = SigningSpecs.Where(s => s.Spec != "RSA_4096" || version == 2);
        await Task.WhenAll(specs.Select(s => Labelled(s.Spec, () => SignAndVerify(version, s.Spec, s.Algorithm, s.SignAs))));
    }

    private async Task SignAndVerify(int version, string spec, string algorithm, string signAs)
    {
        var key = await CreateKey(version, "--key-spec", spec, "--key-usage", "SIGN_VERIFY");
        var keyId = key.GetProperty("KeyId").GetString()!;
        Assert.Contains(algorithm, key.GetProperty("SigningAlgorithms").EnumerateArray().Select(a => a.GetString()));

        var message = Encoding.UTF8.GetBytes($"signed by {spec} through CLI v{version}");
        var digest = CryptographicOperations.HashData(HashOf(algorithm), message);
        var (toSign, verifyAs, toVerify) = signAs == "RAW" ? (message, "DIGEST", digest) : (digest, "RAW", message);
        var publicKeyTask = Cli(version, "kms", "get-public-key", "--key-id", keyId);
        var sign = await Cli(version, "kms", "sign", "--key-id", keyId, "--message", FileB(toSign), "--message-type", signAs, "--signing-algorithm", algorithm);
        Assert.Equal(algorithm, sign.GetProperty("SigningAlgorithm").GetString());
        Assert.Equal(key.GetProperty("Arn").GetString(), sign.GetProperty("KeyId").GetString());
        var signature = Bytes(sign, "Signature");

        // The server verifies the signature given the message in the other form (and rejects a tampered message).
        var verify = Cli(version, "kms", "verify", "--key-id", keyId, "--message", FileB(toVerify), "--message-type", verifyAs,
            "--signature", FileB(signature), "--signing-algorithm", algorithm);
        if (spec == "ECC_NIST_P256")
        {
            var tampered = message.ToArray();
            tampered[0] ^= 1;
            await Fails(version, "KMSInvalidSignatureException", "kms", "verify", "--key-id", keyId, "--message", FileB(tampered),
                "--message-type", "RAW", "--signature", FileB(signature), "--signing-algorithm", algorithm);
        }

        // .NET verifies it with the DER public key.
        var publicKey = await publicKeyTask;
        Assert.Equal(spec, publicKey.GetProperty("KeySpec").GetString());
        Assert.Equal("SIGN_VERIFY", publicKey.GetProperty("KeyUsage").GetString());
        Assert.True(VerifyLocally(Bytes(publicKey, "PublicKey"), algorithm, message, signature), "the signature does not verify with .NET");
        var result = await verify;
        Assert.True(result.GetProperty("SignatureValid").GetBoolean());
        Assert.Equal(algorithm, result.GetProperty("SigningAlgorithm").GetString());
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public async Task HmacKeysGenerateAndVerifyMacs(int version)
    {
        var message = Encoding.UTF8.GetBytes($"mac me, CLI v{version}");
        await Task.WhenAll(new[] { 224, 256, 384, 512 }.Select(bits => Labelled($"HMAC_{bits}", async () =>
        {
            var key = await CreateKey(version, "--key-spec", $"HMAC_{bits}", "--key-usage", "GENERATE_VERIFY_MAC");
            var keyId = key.GetProperty("KeyId").GetString()!;
            var algorithm = $"HMAC_SHA_{bits}";
            Assert.Equal(new[] { algorithm }, key.GetProperty("MacAlgorithms").EnumerateArray().Select(a => a.GetString()));
            var generated = await Cli(version, "kms", "generate-mac", "--key-id", keyId, "--message", FileB(message), "--mac-algorithm", algorithm);
            Assert.Equal(algorithm, generated.GetProperty("MacAlgorithm").GetString());
            var mac = Bytes(generated, "Mac");
            Assert.Equal(bits / 8, mac.Length);
            var verified = Cli(version, "kms", "verify-mac", "--key-id", keyId, "--message", FileB(message), "--mac-algorithm", algorithm, "--mac", FileB(mac));
            if (bits == 256)
            {
                mac[^1] ^= 1;
                await Fails(version, "KMSInvalidMacException", "kms", "verify-mac", "--key-id", keyId, "--message", FileB(message), "--mac-algorithm", algorithm, "--mac", FileB(mac));
            }
            Assert.True((await verified).GetProperty("MacValid").GetBoolean());
        })));
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public async Task AliasesNameKeysForEncryption(int version)
    {
        var created = await Task.WhenAll(CreateKey(version), CreateKey(version));
        var (first, second) = (created[0], created[1]);
        var alias = $"alias/cli-v{version}-{Guid.NewGuid():N}";
        await Cli(version, "kms", "create-alias", "--alias-name", alias, "--target-key-id", first.GetProperty("KeyId").GetString()!);

        var listTask = Cli(version, "kms", "list-aliases", "--key-id", first.GetProperty("Arn").GetString()!);
        var allTask = Cli(version, "kms", "list-aliases", "--page-size", "1");
        var encrypted = await Cli(version, "kms", "encrypt", "--key-id", alias, "--plaintext", FileB("via alias"u8.ToArray()));
        Assert.Equal(first.GetProperty("Arn").GetString(), encrypted.GetProperty("KeyId").GetString());
        var listed = Assert.Single((await listTask).GetProperty("Aliases").EnumerateArray());
        Assert.Equal(alias, listed.GetProperty("AliasName").GetString());
        Assert.Equal(first.GetProperty("KeyId").GetString(), listed.GetProperty("TargetKeyId").GetString());
        Assert.Equal($"arn:aws:kms:us-east-1:{first.GetProperty("AWSAccountId").GetString()}:{alias}", listed.GetProperty("AliasArn").GetString());
        Assert.Contains(alias, (await allTask).GetProperty("Aliases").EnumerateArray().Select(a => a.GetProperty("AliasName").GetString()));

        await Cli(version, "kms", "update-alias", "--alias-name", alias, "--target-key-id", second.GetProperty("Arn").GetString()!);
        var describedTask = Cli(version, "kms", "describe-key", "--key-id", listed.GetProperty("AliasArn").GetString()!);
        var decrypted = await Cli(version, "kms", "decrypt", "--ciphertext-blob", FileB(Bytes(encrypted, "CiphertextBlob")));
        Assert.Equal("via alias"u8.ToArray(), Bytes(decrypted, "Plaintext"));
        Assert.Equal(second.GetProperty("KeyId").GetString(), (await describedTask).GetProperty("KeyMetadata").GetProperty("KeyId").GetString());

        await Cli(version, "kms", "delete-alias", "--alias-name", alias);
        await Fails(version, "NotFoundException", "kms", "describe-key", "--key-id", alias);
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public async Task TagsAndKeyPolicies(int version)
    {
        var key = await CreateKey(version, "--tags", "TagKey=env,TagValue=test", "TagKey=team,TagValue=platform");
        var keyId = key.GetProperty("KeyId").GetString()!;

        var policyTask = Cli(version, "kms", "get-key-policy", "--key-id", keyId, "--policy-name", "default");
        var policyNamesTask = Cli(version, "kms", "list-key-policies", "--key-id", keyId);
        await Cli(version, "kms", "tag-resource", "--key-id", keyId, "--tags", "TagKey=owner,TagValue=cli-v" + version);
        await Cli(version, "kms", "untag-resource", "--key-id", keyId, "--tag-keys", "team");
        var tags = (await Cli(version, "kms", "list-resource-tags", "--key-id", keyId)).GetProperty("Tags").EnumerateArray()
            .ToDictionary(t => t.GetProperty("TagKey").GetString()!, t => t.GetProperty("TagValue").GetString());
        Assert.Equal(new Dictionary<string, string?> { ["env"] = "test", ["owner"] = "cli-v" + version }, tags);

        using (var policy = JsonDocument.Parse((await policyTask).GetProperty("Policy").GetString()!))
        {
            var statement = Assert.Single(policy.RootElement.GetProperty("Statement").EnumerateArray());
            Assert.Equal("kms:*", statement.GetProperty("Action").GetString());
        }
        Assert.Equal(new[] { "default" }, (await policyNamesTask).GetProperty("PolicyNames").EnumerateArray().Select(p => p.GetString()));

        var account = key.GetProperty("AWSAccountId").GetString();
        var custom = $$"""
            {"Version":"2012-10-17","Id":"cli-v{{version}}","Statement":[
              {"Sid":"Root","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::{{account}}:root"},"Action":"kms:*","Resource":"*"},
              {"Sid":"NoDelete","Effect":"Deny","Principal":{"AWS":"*"},"Action":"kms:ScheduleKeyDeletion","Resource":"*"}]}
            """;
        var policyFile = Path.Combine(_directory, $"policy-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(policyFile, custom);
        await Cli(version, "kms", "put-key-policy", "--key-id", keyId, "--policy-name", "default", "--policy", "file://" + policyFile);
        using var stored = JsonDocument.Parse((await Cli(version, "kms", "get-key-policy", "--key-id", keyId, "--policy-name", "default")).GetProperty("Policy").GetString()!);
        Assert.Equal("cli-v" + version, stored.RootElement.GetProperty("Id").GetString());
        Assert.Equal(2, stored.RootElement.GetProperty("Statement").GetArrayLength());

        await Fails(version, "MalformedPolicyDocumentException", "kms", "put-key-policy", "--key-id", keyId, "--policy-name", "default", "--policy", "not json");
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public async Task RotationKeepsOldCiphertextDecryptable(int version)
    {
        var key = await CreateKey(version);
        var keyId = key.GetProperty("KeyId").GetString()!;
        var before = Cli(version, "kms", "encrypt", "--key-id", keyId, "--plaintext", FileB("before rotation"u8.ToArray()), "--encryption-context", Context);
        await Cli(version, "kms", "enable-key-rotation", "--key-id", keyId);
        var status = await Cli(version, "kms", "get-key-rotation-status", "--key-id", keyId);
        Assert.True(status.GetProperty("KeyRotationEnabled").GetBoolean());
        var oldCiphertext = Bytes(await before, "CiphertextBlob");

        // Debian's CLI v2 (2.9) predates RotateKeyOnDemand and ListKeyRotations (2024) and rejects the command.
        var rotate = await Run(version, null, ["kms", "rotate-key-on-demand", "--key-id", keyId]);
        var onDemand = !(version == 2 && rotate.ExitCode == 252 && rotate.StdErr.Contains("Invalid choice", StringComparison.Ordinal));
        if (onDemand)
        {
            Assert.True(rotate.ExitCode == 0, $"rotate-key-on-demand (CLI v{version}) exited {rotate.ExitCode}:\n{rotate.StdErr}");
            using (var rotated = JsonDocument.Parse(rotate.StdOut))
                Assert.Equal(keyId, rotated.RootElement.GetProperty("KeyId").GetString());
            var rotations = await Cli(version, "kms", "list-key-rotations", "--key-id", keyId);
            var rotation = Assert.Single(rotations.GetProperty("Rotations").EnumerateArray());
            Assert.Equal("ON_DEMAND", rotation.GetProperty("RotationType").GetString());
            Assert.Equal(keyId, rotation.GetProperty("KeyId").GetString());
            Assert.True(rotation.TryGetProperty("RotationDate", out _));
            Assert.NotEqual(key.GetProperty("CurrentKeyMaterialId").GetString(), rotation.GetProperty("KeyMaterialId").GetString());
        }

        var after = Cli(version, "kms", "encrypt", "--key-id", keyId, "--plaintext", FileB("after rotation"u8.ToArray()), "--encryption-context", Context);
        var oldBack = await Cli(version, "kms", "decrypt", "--ciphertext-blob", FileB(oldCiphertext), "--encryption-context", Context);
        Assert.Equal("before rotation"u8.ToArray(), Bytes(oldBack, "Plaintext"));
        var newBack = await Cli(version, "kms", "decrypt", "--ciphertext-blob", FileB(Bytes(await after, "CiphertextBlob")), "--encryption-context", Context);
        Assert.Equal("after rotation"u8.ToArray(), Bytes(newBack, "Plaintext"));
        if (onDemand && oldBack.TryGetProperty("KeyMaterialId", out var oldMaterial))
        {
            // Decrypt names the key material it used: the original for the old ciphertext, the new one after.
            Assert.Equal(key.GetProperty("CurrentKeyMaterialId").GetString(), oldMaterial.GetString());
            Assert.NotEqual(oldMaterial.GetString(), newBack.GetProperty("KeyMaterialId").GetString());
        }

        await Cli(version, "kms", "disable-key-rotation", "--key-id", keyId);
        Assert.False((await Cli(version, "kms", "get-key-rotation-status", "--key-id", keyId)).GetProperty("KeyRotationEnabled").GetBoolean());
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public async Task KeyLifecycleDisableEnableAndScheduledDeletion(int version)
    {
        var key = await CreateKey(version);
        var keyId = key.GetProperty("KeyId").GetString()!;
        var plaintext = FileB("lifecycle"u8.ToArray());

        await Cli(version, "kms", "disable-key", "--key-id", keyId);
        var error = await Fails(version, "DisabledException", "kms", "encrypt", "--key-id", keyId, "--plaintext", plaintext);
        Assert.Contains("when calling the Encrypt operation", error, StringComparison.Ordinal);

        await Cli(version, "kms", "enable-key", "--key-id", keyId);
        var encryptedTask = Cli(version, "kms", "encrypt", "--key-id", keyId, "--plaintext", plaintext);
        await Cli(version, "kms", "update-key-description", "--key-id", keyId, "--description", "renamed by the CLI");
        Assert.Equal(key.GetProperty("Arn").GetString(), (await encryptedTask).GetProperty("KeyId").GetString());

        var scheduled = await Cli(version, "kms", "schedule-key-deletion", "--key-id", keyId, "--pending-window-in-days", "7");
        Assert.Equal(key.GetProperty("Arn").GetString(), scheduled.GetProperty("KeyId").GetString());
        Assert.Equal("PendingDeletion", scheduled.GetProperty("KeyState").GetString());
        Assert.Equal(7, scheduled.GetProperty("PendingWindowInDays").GetInt32());
        var deletionDate = Timestamp(scheduled.GetProperty("DeletionDate"));
        Assert.InRange(deletionDate - DateTimeOffset.UtcNow, TimeSpan.FromDays(6.9), TimeSpan.FromDays(7.1));

        var pendingTask = Cli(version, "kms", "describe-key", "--key-id", keyId);
        await Fails(version, "KMSInvalidStateException", "kms", "encrypt", "--key-id", keyId, "--plaintext", plaintext);
        var pending = (await pendingTask).GetProperty("KeyMetadata");
        Assert.Equal("PendingDeletion", pending.GetProperty("KeyState").GetString());
        Assert.Equal("renamed by the CLI", pending.GetProperty("Description").GetString());

        var cancelled = await Cli(version, "kms", "cancel-key-deletion", "--key-id", keyId);
        Assert.Equal(key.GetProperty("Arn").GetString(), cancelled.GetProperty("KeyId").GetString());
        var afterCancel = (await Cli(version, "kms", "describe-key", "--key-id", keyId)).GetProperty("KeyMetadata");
        Assert.Equal("Disabled", afterCancel.GetProperty("KeyState").GetString());
        Assert.False(afterCancel.GetProperty("Enabled").GetBoolean());
        Assert.False(afterCancel.TryGetProperty("DeletionDate", out _));

        // The CLI follows list-keys markers one key per page; the key is found.
        var keys = await Cli(version, "kms", "list-keys", "--page-size", "1");
        Assert.Contains(keyId, keys.GetProperty("Keys").EnumerateArray().Select(k => k.GetProperty("KeyId").GetString()));
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public async Task ImportedKeyMaterialEncryptsUntilDeletedAndReimported(int version)
    {
        var key = await CreateKey(version, "--origin", "EXTERNAL");
        var keyId = key.GetProperty("KeyId").GetString()!;
        Assert.Equal("PendingImport", key.GetProperty("KeyState").GetString());
        Assert.Equal("EXTERNAL", key.GetProperty("Origin").GetString());

        var parameters = await Cli(version, "kms", "get-parameters-for-import", "--key-id", keyId,
            "--wrapping-algorithm", "RSAES_OAEP_SHA_256", "--wrapping-key-spec", "RSA_2048");
        Assert.Equal(key.GetProperty("Arn").GetString(), parameters.GetProperty("KeyId").GetString());
        using var wrapping = RSA.Create();
        wrapping.ImportSubjectPublicKeyInfo(Bytes(parameters, "PublicKey"), out _);
        Assert.Equal(2048, wrapping.KeySize);
        var token = FileB(Bytes(parameters, "ImportToken"));
        var material = FileB(wrapping.Encrypt(RandomNumberGenerator.GetBytes(32), RSAEncryptionPadding.OaepSHA256));
        string[] import = ["kms", "import-key-material", "--key-id", keyId, "--import-token", token, "--encrypted-key-material", material,
            "--expiration-model", "KEY_MATERIAL_DOES_NOT_EXPIRE"];

        await Cli(version, import);
        var encrypted = await Cli(version, "kms", "encrypt", "--key-id", keyId, "--plaintext", FileB("imported"u8.ToArray()), "--encryption-context", Context);
        var ciphertext = FileB(Bytes(encrypted, "CiphertextBlob"));

        // Without its material the key is PendingImport; the same material brings the old ciphertext back.
        await Cli(version, "kms", "delete-imported-key-material", "--key-id", keyId);
        await Fails(version, "KMSInvalidStateException", "kms", "decrypt", "--ciphertext-blob", ciphertext, "--encryption-context", Context);
        await Cli(version, import);
        var decrypted = await Cli(version, "kms", "decrypt", "--ciphertext-blob", ciphertext, "--encryption-context", Context);
        Assert.Equal("imported"u8.ToArray(), Bytes(decrypted, "Plaintext"));
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public async Task CloudTrailLookupEventsFindsCreateKey(int version)
    {
        var key = await CreateKey(version);
        var arn = key.GetProperty("Arn").GetString()!;
        JsonElement? found = null;
        for (var attempt = 0; attempt < 20 && found is null; attempt++)
        {
            if (attempt > 0) await Task.Delay(250);
            var events = await Cli(version, "cloudtrail", "lookup-events", "--lookup-attributes", "AttributeKey=EventName,AttributeValue=CreateKey");
            var all = events.GetProperty("Events").EnumerateArray().ToList();
            Assert.All(all, e => Assert.Equal("CreateKey", e.GetProperty("EventName").GetString()));
            found = all.Select(e => (JsonElement?)e).FirstOrDefault(e => e!.Value.GetProperty("Resources").EnumerateArray()
                .Any(r => r.GetProperty("ResourceName").GetString() == arn));
        }
        Assert.True(found.HasValue, $"no CreateKey event for {arn}");
        var trailEvent = found.Value;
        Assert.Equal("kms.amazonaws.com", trailEvent.GetProperty("EventSource").GetString());
        Assert.Equal(CitadelProcess.AccessKeyId, trailEvent.GetProperty("AccessKeyId").GetString());
        Assert.Equal("false", trailEvent.GetProperty("ReadOnly").GetString());
        using var record = JsonDocument.Parse(trailEvent.GetProperty("CloudTrailEvent").GetString()!);
        Assert.Equal("CreateKey", record.RootElement.GetProperty("eventName").GetString());
        Assert.Equal(trailEvent.GetProperty("EventId").GetString(), record.RootElement.GetProperty("eventID").GetString());
        Assert.StartsWith($"aws-cli/{version}.", record.RootElement.GetProperty("userAgent").GetString(), StringComparison.Ordinal);
        Assert.Equal(key.GetProperty("KeyId").GetString(),
            record.RootElement.GetProperty("responseElements").GetProperty("keyMetadata").GetProperty("keyId").GetString());

        // Looked up by resource name, one event per page (the CLI follows NextToken).
        var byResource = await Cli(version, "cloudtrail", "lookup-events", "--lookup-attributes", $"AttributeKey=ResourceName,AttributeValue={arn}", "--page-size", "1");
        Assert.Contains(trailEvent.GetProperty("EventId").GetString(), byResource.GetProperty("Events").EnumerateArray().Select(e => e.GetProperty("EventId").GetString()));
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public async Task ErrorsCarryTheAwsErrorCodes(int version)
    {
        var symmetricTask = CreateKey(version);
        var signing = await CreateKey(version, "--key-spec", "ECC_NIST_P256", "--key-usage", "SIGN_VERIFY");
        var symmetric = (await symmetricTask).GetProperty("KeyId").GetString()!;
        var encrypted = await Cli(version, "kms", "encrypt", "--key-id", symmetric, "--plaintext", FileB([1, 2, 3]), "--encryption-context", Context);

        await Task.WhenAll(
            Fails(version, "NotFoundException", "kms", "describe-key", "--key-id", Guid.NewGuid().ToString()),
            Fails(version, "InvalidCiphertextException", "kms", "decrypt", "--ciphertext-blob", FileB(Bytes(encrypted, "CiphertextBlob")),
                "--encryption-context", """{"tenant":"someone else"}"""),
            Fails(version, "InvalidKeyUsageException", "kms", "encrypt", "--key-id", signing.GetProperty("KeyId").GetString()!, "--plaintext", FileB([1])),
            Fails(version, "ValidationException", "kms", "encrypt", "--key-id", symmetric, "--plaintext", FileB(new byte[4097])),
            Fails(version, "InvalidSignatureException", new Dictionary<string, string> { ["AWS_SECRET_ACCESS_KEY"] = "not-the-right-secret-at-all" },
                "kms", "list-keys"),
            Fails(version, "UnrecognizedClientException", new Dictionary<string, string> { ["AWS_ACCESS_KEY_ID"] = "AKIAUNKNOWNUNKNOWN00" },
                "kms", "list-keys"));
    }

    private async Task<JsonElement> CreateKey(int version, params string[] args) =>
        (await Cli(version, ["kms", "create-key", .. args])).GetProperty("KeyMetadata");

    /// <summary>Runs the CLI with JSON output, asserts success and parses stdout (an empty object when the command prints nothing).</summary>
    private async Task<JsonElement> Cli(int version, params string[] args)
    {
        var result = await Run(version, null, args);
        Assert.True(result.ExitCode == 0, $"aws {string.Join(' ', args)} (CLI v{version}) exited {result.ExitCode}:\n{result.StdErr}");
        if (string.IsNullOrWhiteSpace(result.StdOut)) return JsonDocument.Parse("{}").RootElement.Clone();
        using var document = JsonDocument.Parse(result.StdOut);
        return document.RootElement.Clone();
    }

    private Task<string> Fails(int version, string errorCode, params string[] args) => Fails(version, errorCode, null, args);

    /// <summary>Runs the CLI expecting a service error: non-zero exit (today 255 for v1, 254 for v2) and the error code in stderr.</summary>
    private async Task<string> Fails(int version, string errorCode, IReadOnlyDictionary<string, string>? environment, params string[] args)
    {
        var result = await Run(version, environment, args);
        Assert.True(result.ExitCode != 0, $"aws {string.Join(' ', args)} (CLI v{version}) succeeded, expected {errorCode}:\n{result.StdOut}");
        Assert.Contains($"An error occurred ({errorCode})", result.StdErr, StringComparison.Ordinal);
        return result.StdErr;
    }

    /// <summary>Runs the CLI with JSON output, a few processes at a time (each one is a Python start-up).</summary>
    private async Task<Clients.CliResult> Run(int version, IReadOnlyDictionary<string, string>? environment, string[] args)
    {
        await Throttle.WaitAsync();
        try
        {
            return await Clients.Aws(fixture.Server, version, environment, [.. args, "--output", "json"]);
        }
        finally
        {
            Throttle.Release();
        }
    }

    /// <summary>Writes bytes to a file of the test's directory and returns its fileb:// argument.</summary>
    private string FileB(byte[] bytes)
    {
        var path = Path.Combine(_directory, Guid.NewGuid().ToString("N") + ".bin");
        File.WriteAllBytes(path, bytes);
        return "fileb://" + path;
    }

    /// <summary>Runs one part of a test, naming it in the failure.</summary>
    private static async Task Labelled(string label, Func<Task> part)
    {
        try
        {
            await part();
        }
        catch (Exception e)
        {
            throw new InvalidOperationException($"{label}: {e.Message}", e);
        }
    }

    /// <summary>A CLI timestamp: epoch seconds (v1) or ISO 8601 (v2).</summary>
    private static DateTimeOffset Timestamp(JsonElement element) => element.ValueKind == JsonValueKind.Number
        ? DateTimeOffset.FromUnixTimeMilliseconds((long)(element.GetDouble() * 1000))
        : DateTimeOffset.Parse(element.GetString()!, System.Globalization.CultureInfo.InvariantCulture);

    private static byte[] Bytes(JsonElement element, string property) => Convert.FromBase64String(element.GetProperty(property).GetString()!);

    private static HashAlgorithmName HashOf(string algorithm) => algorithm[^3..] switch
    {
        "256" => HashAlgorithmName.SHA256,
        "384" => HashAlgorithmName.SHA384,
        "512" => HashAlgorithmName.SHA512,
        _ => throw new ArgumentOutOfRangeException(nameof(algorithm), algorithm, null),
    };

    private static bool VerifyLocally(byte[] subjectPublicKeyInfo, string algorithm, byte[] message, byte[] signature)
    {
        var hash = HashOf(algorithm);
        if (algorithm.StartsWith("ECDSA", StringComparison.Ordinal))
        {
            using var ecdsa = ECDsa.Create();
            ecdsa.ImportSubjectPublicKeyInfo(subjectPublicKeyInfo, out _);
            return ecdsa.VerifyData(message, signature, hash, DSASignatureFormat.Rfc3279DerSequence);
        }
        using var rsa = RSA.Create();
        rsa.ImportSubjectPublicKeyInfo(subjectPublicKeyInfo, out _);
        var padding = algorithm.Contains("_PSS_", StringComparison.Ordinal) ? RSASignaturePadding.Pss : RSASignaturePadding.Pkcs1;
        return rsa.VerifyData(message, signature, hash, padding);
    }
}
