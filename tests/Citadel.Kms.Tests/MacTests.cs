using System.Text;
using Citadel.Kms.Operations;

namespace Citadel.Kms.Tests;

public sealed class MacTests(SigningKeysFixture fixture) : IClassFixture<SigningKeysFixture>
{
    private static readonly byte[] Message = Encoding.UTF8.GetBytes("authenticate me");

    private TestKms Kms => fixture.Kms;

    public static TheoryData<string, string, int> Specs() => new()
    {
        { "HMAC_224", "HMAC_SHA_224", 28 },
        { "HMAC_256", "HMAC_SHA_256", 32 },
        { "HMAC_384", "HMAC_SHA_384", 48 },
        { "HMAC_512", "HMAC_SHA_512", 64 },
    };

    [Theory]
    [MemberData(nameof(Specs))]
    public async Task MacRoundTripsAndIsDeterministic(string spec, string algorithm, int tagLength)
    {
        var keyId = await fixture.KeyFor(spec, "GENERATE_VERIFY_MAC");
        var generated = await Kms.Run<GenerateMacResponse>("GenerateMac", new GenerateMacRequest { KeyId = keyId, Message = Message, MacAlgorithm = algorithm });
        Assert.Equal(tagLength, generated.Mac.Length);
        Assert.Equal(algorithm, generated.MacAlgorithm);
        Assert.Equal(Kms.Settings.KeyArn(keyId), generated.KeyId);

        var again = await Kms.Run<GenerateMacResponse>("GenerateMac", new GenerateMacRequest { KeyId = keyId, Message = Message, MacAlgorithm = algorithm });
        Assert.Equal(generated.Mac, again.Mac);
        var other = await Kms.Run<GenerateMacResponse>("GenerateMac", new GenerateMacRequest { KeyId = keyId, Message = [.. Message, 0], MacAlgorithm = algorithm });
        Assert.NotEqual(generated.Mac, other.Mac);

        var verified = await Kms.Run<VerifyMacResponse>("VerifyMac", new VerifyMacRequest { KeyId = keyId, Message = Message, MacAlgorithm = algorithm, Mac = generated.Mac });
        Assert.True(verified.MacValid);
        Assert.Equal(algorithm, verified.MacAlgorithm);
        Assert.Equal(Kms.Settings.KeyArn(keyId), verified.KeyId);
    }

    [Theory]
    [MemberData(nameof(Specs))]
    public async Task TamperedTruncatedOrForeignMacIsInvalid(string spec, string algorithm, int tagLength)
    {
        var keyId = await fixture.KeyFor(spec, "GENERATE_VERIFY_MAC");
        var mac = (await Kms.Run<GenerateMacResponse>("GenerateMac", new GenerateMacRequest { KeyId = keyId, Message = Message, MacAlgorithm = algorithm })).Mac;

        for (var i = 0; i < tagLength; i += 7)
        {
            var tampered = (byte[])mac.Clone();
            tampered[i] ^= 0x01;
            var error = await Kms.Fails("VerifyMac", new VerifyMacRequest { KeyId = keyId, Message = Message, MacAlgorithm = algorithm, Mac = tampered });
            Assert.Equal(KmsErrorCode.InvalidMac, error.Code);
            Assert.Equal("KMSInvalidMacException", error.AwsType);
        }
        var truncated = await Kms.Fails("VerifyMac", new VerifyMacRequest { KeyId = keyId, Message = Message, MacAlgorithm = algorithm, Mac = mac[..^1] });
        Assert.Equal(KmsErrorCode.InvalidMac, truncated.Code);
        var otherMessage = await Kms.Fails("VerifyMac", new VerifyMacRequest { KeyId = keyId, Message = [.. Message, 1], MacAlgorithm = algorithm, Mac = mac });
        Assert.Equal(KmsErrorCode.InvalidMac, otherMessage.Code);

        // A second key of the same spec does not accept the first key's MAC.
        var second = (await Kms.Run<CreateKeyResponse>("CreateKey", new CreateKeyRequest { KeySpec = spec, KeyUsage = "GENERATE_VERIFY_MAC" })).KeyMetadata.KeyId;
        var foreign = await Kms.Fails("VerifyMac", new VerifyMacRequest { KeyId = second, Message = Message, MacAlgorithm = algorithm, Mac = mac });
        Assert.Equal(KmsErrorCode.InvalidMac, foreign.Code);
    }

    [Theory]
    [InlineData("HMAC_224", "HMAC_SHA_256")]
    [InlineData("HMAC_256", "HMAC_SHA_224")]
    [InlineData("HMAC_384", "HMAC_SHA_512")]
    [InlineData("HMAC_512", "HMAC_SHA_384")]
    public async Task AlgorithmMustMatchKeySpec(string spec, string algorithm)
    {
        var keyId = await fixture.KeyFor(spec, "GENERATE_VERIFY_MAC");
        var error = await Kms.Fails("GenerateMac", new GenerateMacRequest { KeyId = keyId, Message = Message, MacAlgorithm = algorithm });
        Assert.Equal(KmsErrorCode.InvalidKeyUsage, error.Code);
        error = await Kms.Fails("VerifyMac", new VerifyMacRequest { KeyId = keyId, Message = Message, MacAlgorithm = algorithm, Mac = new byte[32] });
        Assert.Equal(KmsErrorCode.InvalidKeyUsage, error.Code);
    }

    [Theory]
    [InlineData("SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT")]
    [InlineData("RSA_2048", "SIGN_VERIFY")]
    [InlineData("ECC_NIST_P256", "SIGN_VERIFY")]
    public async Task NonHmacKeysAreInvalidKeyUsage(string spec, string usage)
    {
        var keyId = await fixture.KeyFor(spec, usage);
        var error = await Kms.Fails("GenerateMac", new GenerateMacRequest { KeyId = keyId, Message = Message, MacAlgorithm = "HMAC_SHA_256" });
        Assert.Equal(KmsErrorCode.InvalidKeyUsage, error.Code);
        error = await Kms.Fails("VerifyMac", new VerifyMacRequest { KeyId = keyId, Message = Message, MacAlgorithm = "HMAC_SHA_256", Mac = new byte[32] });
        Assert.Equal(KmsErrorCode.InvalidKeyUsage, error.Code);
    }

    [Fact]
    public async Task HmacKeysCannotEncrypt()
    {
        var keyId = await fixture.KeyFor("HMAC_256", "GENERATE_VERIFY_MAC");
        var error = await Kms.Fails("Encrypt", new EncryptRequest { KeyId = keyId, Plaintext = [1] });
        Assert.Equal(KmsErrorCode.InvalidKeyUsage, error.Code);
    }

    [Fact]
    public async Task DisabledKeyAndDryRun()
    {
        var keyId = (await Kms.Run<CreateKeyResponse>("CreateKey", new CreateKeyRequest { KeySpec = "HMAC_256", KeyUsage = "GENERATE_VERIFY_MAC" })).KeyMetadata.KeyId;
        var dryRun = await Kms.Fails("GenerateMac", new GenerateMacRequest { KeyId = keyId, Message = Message, MacAlgorithm = "HMAC_SHA_256", DryRun = true });
        Assert.Equal(KmsErrorCode.DryRunOperation, dryRun.Code);
        dryRun = await Kms.Fails("VerifyMac", new VerifyMacRequest { KeyId = keyId, Message = Message, MacAlgorithm = "HMAC_SHA_256", Mac = new byte[32], DryRun = true });
        Assert.Equal(KmsErrorCode.DryRunOperation, dryRun.Code);
        await Kms.Keys.MutateAsync(keyId, r => r.KeyState = "Disabled");
        var disabled = await Kms.Fails("GenerateMac", new GenerateMacRequest { KeyId = keyId, Message = Message, MacAlgorithm = "HMAC_SHA_256" });
        Assert.Equal(KmsErrorCode.Disabled, disabled.Code);
    }
}
