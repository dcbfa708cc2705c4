namespace Citadel.Crypto.Tests;

public sealed class RootKeyTests
{
    private static readonly byte[] KeyBytes = [.. Enumerable.Range(0, 32).Select(i => (byte)i)];
    private static readonly byte[] Context = "arn:aws:kms:eu-west-1:111122223333:key/1234#v1"u8.ToArray();

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(32)]
    [InlineData(1000)]
    public void Wrap_then_unwrap_round_trips(int length)
    {
        using var rootKey = RootKey.Generate();
        var plaintext = RandomBytes(length);
        var wrapped = rootKey.Wrap(plaintext, Context);
        Assert.Equal(1 + AesGcm256.NonceSize + length + AesGcm256.TagSize, wrapped.Length);
        Assert.Equal(plaintext, rootKey.Unwrap(wrapped, Context));
    }

    [Fact]
    public void Wrapping_twice_uses_fresh_nonces()
    {
        using var rootKey = RootKey.Generate();
        var plaintext = RandomBytes(32);
        Assert.NotEqual(rootKey.Wrap(plaintext, Context), rootKey.Wrap(plaintext, Context));
    }

    [Fact]
    public void Unwrap_with_wrong_context_fails()
    {
        using var rootKey = RootKey.Generate();
        var wrapped = rootKey.Wrap(RandomBytes(32), Context);
        Assert.Throws<AuthenticationFailedException>(() => rootKey.Unwrap(wrapped, "arn:aws:kms:eu-west-1:111122223333:key/1234#v2"u8));
        Assert.Throws<AuthenticationFailedException>(() => rootKey.Unwrap(wrapped, default));
    }

    [Fact]
    public void Unwrap_with_another_key_fails()
    {
        using var rootKey = RootKey.Generate();
        using var otherKey = RootKey.Generate();
        var wrapped = rootKey.Wrap(RandomBytes(32), Context);
        Assert.Throws<AuthenticationFailedException>(() => otherKey.Unwrap(wrapped, Context));
    }

    [Fact]
    public void Any_tampered_byte_fails()
    {
        using var rootKey = RootKey.Generate();
        var wrapped = rootKey.Wrap(RandomBytes(32), Context);
        for (var i = 0; i < wrapped.Length; i++)
        {
            var tampered = (byte[])wrapped.Clone();
            tampered[i] ^= 0x01;
            Assert.Throws<AuthenticationFailedException>(() => rootKey.Unwrap(tampered, Context));
        }
    }

    [Fact]
    public void Truncated_or_extended_input_fails()
    {
        using var rootKey = RootKey.Generate();
        var wrapped = rootKey.Wrap(RandomBytes(32), Context);
        Assert.Throws<AuthenticationFailedException>(() => rootKey.Unwrap(wrapped.AsSpan(0, wrapped.Length - 1), Context));
        Assert.Throws<AuthenticationFailedException>(() => rootKey.Unwrap([.. wrapped, 0], Context));
        Assert.Throws<AuthenticationFailedException>(() => rootKey.Unwrap(wrapped.AsSpan(0, 1 + AesGcm256.NonceSize + AesGcm256.TagSize - 1), Context));
        Assert.Throws<AuthenticationFailedException>(() => rootKey.Unwrap([], Context));
    }

    [Fact]
    public void Fingerprint_is_stable_for_the_same_key()
    {
        using var first = new RootKey(KeyBytes);
        using var second = new RootKey(KeyBytes);
        var fingerprint = first.Fingerprint();
        first.Wrap(RandomBytes(16), Context);
        Assert.Equal(fingerprint, first.Fingerprint());
        Assert.Equal(fingerprint, second.Fingerprint());
        // HKDF-SHA256(ikm = 00..1f, salt = empty, info = "citadel/root-key/fingerprint"), first 8 bytes.
        Assert.Equal("68aceb78c38a1313", fingerprint);
    }

    [Fact]
    public void Fingerprint_differs_between_keys()
    {
        using var first = RootKey.Generate();
        using var second = RootKey.Generate();
        Assert.NotEqual(first.Fingerprint(), second.Fingerprint());
    }

    [Fact]
    public void Derived_subkeys_depend_on_the_purpose_and_the_key()
    {
        using var first = new RootKey(KeyBytes);
        using var second = new RootKey(KeyBytes);
        using var other = RootKey.Generate();
        var a = new byte[32];
        var b = new byte[32];
        var c = new byte[32];
        var d = new byte[32];
        first.Derive("citadel/test/a"u8, a);
        second.Derive("citadel/test/a"u8, b);
        first.Derive("citadel/test/b"u8, c);
        other.Derive("citadel/test/a"u8, d);
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
        Assert.NotEqual(a, d);
        // HKDF-SHA256(ikm = 00..1f, salt = empty, info = purpose), as the fingerprint is.
        var expected = new byte[32];
        System.Security.Cryptography.HKDF.DeriveKey(System.Security.Cryptography.HashAlgorithmName.SHA256, KeyBytes, expected, [], "citadel/test/a"u8.ToArray());
        Assert.Equal(expected, a);
    }

    [Fact]
    public void Export_returns_the_key_and_constructor_rejects_wrong_sizes()
    {
        using var rootKey = new RootKey(KeyBytes);
        Assert.Equal(KeyBytes, rootKey.Export());
        Assert.Throws<ArgumentException>(() => new RootKey(new byte[16]));
    }

    private static byte[] RandomBytes(int length) => SystemRandom.Instance.GetBytes(length);
}
