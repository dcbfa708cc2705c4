using System.Security.Cryptography;

namespace Citadel.Crypto.Tests;

public sealed class AsymmetricKeysTests
{
    private static readonly SignatureScheme[] RsaSchemes =
    [
        SignatureScheme.RsaPssSha256, SignatureScheme.RsaPssSha384, SignatureScheme.RsaPssSha512,
        SignatureScheme.RsaPkcs1Sha256, SignatureScheme.RsaPkcs1Sha384, SignatureScheme.RsaPkcs1Sha512,
    ];

    /// <summary>Every key type with each signature scheme KMS allows for it.</summary>
    public static TheoryData<AsymmetricKeyType, SignatureScheme> KeysAndSchemes()
    {
        var data = new TheoryData<AsymmetricKeyType, SignatureScheme>();
        foreach (var type in new[] { AsymmetricKeyType.Rsa2048, AsymmetricKeyType.Rsa3072, AsymmetricKeyType.Rsa4096 })
        {
            foreach (var scheme in RsaSchemes) data.Add(type, scheme);
        }
        data.Add(AsymmetricKeyType.EcP256, SignatureScheme.EcdsaSha256);
        data.Add(AsymmetricKeyType.EcP384, SignatureScheme.EcdsaSha384);
        data.Add(AsymmetricKeyType.EcP521, SignatureScheme.EcdsaSha512);
        data.Add(AsymmetricKeyType.EcSecp256k1, SignatureScheme.EcdsaSha256);
        return data;
    }

    [Fact]
    public void Every_key_type_has_a_scheme_under_test()
    {
        var covered = KeysAndSchemes().Select(row => (AsymmetricKeyType)row[0]).ToHashSet();
        Assert.Equal(Enum.GetValues<AsymmetricKeyType>().ToHashSet(), covered);
    }

    [Theory]
    [MemberData(nameof(KeysAndSchemes))]
    public void Raw_message_signature_verifies_in_raw_and_digest_mode(AsymmetricKeyType type, SignatureScheme scheme)
    {
        var (pkcs8, spki) = TestKeys.Get(type);
        var message = "message to sign"u8.ToArray();
        var digest = CryptographicOperations.HashData(AsymmetricKeys.Hash(scheme), message);

        var signature = AsymmetricKeys.Sign(type, pkcs8, scheme, message, isDigest: false);

        Assert.True(AsymmetricKeys.Verify(type, spki, scheme, message, isDigest: false, signature));
        Assert.True(AsymmetricKeys.Verify(type, spki, scheme, digest, isDigest: true, signature));
        Assert.False(AsymmetricKeys.Verify(type, spki, scheme, "message to sigN"u8.ToArray(), isDigest: false, signature));
        var tampered = (byte[])signature.Clone();
        tampered[tampered.Length / 2] ^= 0x01;
        Assert.False(AsymmetricKeys.Verify(type, spki, scheme, message, isDigest: false, tampered));
    }

    [Theory]
    [MemberData(nameof(KeysAndSchemes))]
    public void Digest_signature_verifies_in_raw_and_digest_mode(AsymmetricKeyType type, SignatureScheme scheme)
    {
        var (pkcs8, spki) = TestKeys.Get(type);
        var message = SystemRandom.Instance.GetBytes(100);
        var digest = CryptographicOperations.HashData(AsymmetricKeys.Hash(scheme), message);
        Assert.Equal(AsymmetricKeys.DigestLength(scheme), digest.Length);

        var signature = AsymmetricKeys.Sign(type, pkcs8, scheme, digest, isDigest: true);

        Assert.True(AsymmetricKeys.Verify(type, spki, scheme, digest, isDigest: true, signature));
        Assert.True(AsymmetricKeys.Verify(type, spki, scheme, message, isDigest: false, signature));
        Assert.False(AsymmetricKeys.Verify(type, spki, scheme, digest, isDigest: false, signature));
    }

    [Theory]
    [InlineData(AsymmetricKeyType.Rsa2048, SignatureScheme.RsaPssSha256)]
    [InlineData(AsymmetricKeyType.Rsa2048, SignatureScheme.RsaPkcs1Sha256)]
    [InlineData(AsymmetricKeyType.EcP256, SignatureScheme.EcdsaSha256)]
    [InlineData(AsymmetricKeyType.EcP384, SignatureScheme.EcdsaSha384)]
    [InlineData(AsymmetricKeyType.EcP521, SignatureScheme.EcdsaSha512)]
    [InlineData(AsymmetricKeyType.EcSecp256k1, SignatureScheme.EcdsaSha256)]
    public void Signature_does_not_verify_under_another_key(AsymmetricKeyType type, SignatureScheme scheme)
    {
        var (pkcs8, _) = TestKeys.Get(type);
        var otherSpki = AsymmetricKeys.PublicKeyOf(type, AsymmetricKeys.Generate(type));
        var signature = AsymmetricKeys.Sign(type, pkcs8, scheme, "m"u8.ToArray(), isDigest: false);
        Assert.False(AsymmetricKeys.Verify(type, otherSpki, scheme, "m"u8.ToArray(), isDigest: false, signature));
    }

    [Theory]
    [InlineData(AsymmetricKeyType.Rsa2048, 2048)]
    [InlineData(AsymmetricKeyType.Rsa3072, 3072)]
    [InlineData(AsymmetricKeyType.Rsa4096, 4096)]
    public void Generated_rsa_keys_have_the_requested_size(AsymmetricKeyType type, int bits)
    {
        using var rsa = RSA.Create();
        rsa.ImportSubjectPublicKeyInfo(TestKeys.Get(type).Spki, out _);
        Assert.Equal(bits, rsa.KeySize);
    }
}
