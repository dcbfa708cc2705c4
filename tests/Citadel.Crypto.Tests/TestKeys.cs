using System.Collections.Concurrent;

namespace Citadel.Crypto.Tests;

/// <summary>One generated key per type, shared across tests (RSA 4096 generation is slow).</summary>
public static class TestKeys
{
    private static readonly ConcurrentDictionary<AsymmetricKeyType, Lazy<(byte[] Pkcs8, byte[] Spki)>> Keys = new();

    public static (byte[] Pkcs8, byte[] Spki) Get(AsymmetricKeyType type) => Keys.GetOrAdd(type, t => new(() =>
    {
        var pkcs8 = AsymmetricKeys.Generate(t);
        return (pkcs8, AsymmetricKeys.PublicKeyOf(t, pkcs8));
    })).Value;
}
