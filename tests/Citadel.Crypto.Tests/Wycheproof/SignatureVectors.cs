using System.Security.Cryptography;

namespace Citadel.Crypto.Tests.Wycheproof;

/// <summary>Checks a signature test case through <see cref="AsymmetricKeys.Verify"/> in both RAW and DIGEST mode.</summary>
public static class SignatureVectors
{
    public static void Check(VectorTally tally, WycheproofCase test, AsymmetricKeyType type, SignatureScheme scheme)
    {
        tally.Check(test, () =>
        {
            var spki = test.GroupBytes("publicKeyDer");
            var msg = test.Bytes("msg");
            var sig = test.Bytes("sig");
            var raw = AsymmetricKeys.Verify(type, spki, scheme, msg, isDigest: false, sig);
            var digest = AsymmetricKeys.Verify(type, spki, scheme, CryptographicOperations.HashData(AsymmetricKeys.Hash(scheme), msg), isDigest: true, sig);
            if (raw != digest) tally.Fail(test, $"RAW verification gave {raw} but DIGEST verification gave {digest}");
            return raw;
        });
    }

    /// <summary>Maps a Wycheproof hash name to our digest length in bytes.</summary>
    public static int DigestLength(string? sha) => sha switch
    {
        "SHA-256" => 32,
        "SHA-384" => 48,
        "SHA-512" => 64,
        _ => 0,
    };
}
