using System.Security.Cryptography;

namespace Citadel.Crypto.Tests;

public sealed class RsaOaepTests
{
    [Fact]
    public void Max_plaintext_for_rsa_2048()
    {
        Assert.Equal(214, AsymmetricKeys.RsaOaepMaxPlaintext(AsymmetricKeyType.Rsa2048, HashAlgorithmName.SHA1));
        Assert.Equal(190, AsymmetricKeys.RsaOaepMaxPlaintext(AsymmetricKeyType.Rsa2048, HashAlgorithmName.SHA256));
    }

    [Theory]
    [InlineData("SHA1")]
    [InlineData("SHA256")]
    public void Round_trip_up_to_the_max_plaintext(string hashName)
    {
        var hash = new HashAlgorithmName(hashName);
        var (pkcs8, spki) = TestKeys.Get(AsymmetricKeyType.Rsa2048);
        var max = AsymmetricKeys.RsaOaepMaxPlaintext(AsymmetricKeyType.Rsa2048, hash);

        foreach (var length in new[] { 0, 1, 32, max })
        {
            var plaintext = SystemRandom.Instance.GetBytes(length);
            var ciphertext = AsymmetricKeys.RsaOaepEncrypt(spki, hash, plaintext);
            Assert.Equal(256, ciphertext.Length);
            Assert.Equal(plaintext, AsymmetricKeys.RsaOaepDecrypt(pkcs8, hash, ciphertext));
        }

        Assert.ThrowsAny<CryptographicException>(() => AsymmetricKeys.RsaOaepEncrypt(spki, hash, new byte[max + 1]));
    }

    [Fact]
    public void Decrypt_with_the_wrong_hash_fails()
    {
        var (pkcs8, spki) = TestKeys.Get(AsymmetricKeyType.Rsa2048);
        var ciphertext = AsymmetricKeys.RsaOaepEncrypt(spki, HashAlgorithmName.SHA256, "secret"u8.ToArray());
        Assert.Throws<AuthenticationFailedException>(() => AsymmetricKeys.RsaOaepDecrypt(pkcs8, HashAlgorithmName.SHA1, ciphertext));
    }

    [Fact]
    public void Decrypt_of_a_tampered_ciphertext_fails()
    {
        var (pkcs8, spki) = TestKeys.Get(AsymmetricKeyType.Rsa2048);
        var ciphertext = AsymmetricKeys.RsaOaepEncrypt(spki, HashAlgorithmName.SHA256, "secret"u8.ToArray());
        ciphertext[10] ^= 0x01;
        Assert.Throws<AuthenticationFailedException>(() => AsymmetricKeys.RsaOaepDecrypt(pkcs8, HashAlgorithmName.SHA256, ciphertext));
        Assert.Throws<AuthenticationFailedException>(() => AsymmetricKeys.RsaOaepDecrypt(pkcs8, HashAlgorithmName.SHA256, ciphertext[..^1]));
    }
}
