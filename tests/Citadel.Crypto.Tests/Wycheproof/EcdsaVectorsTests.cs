using Xunit.Abstractions;

namespace Citadel.Crypto.Tests.Wycheproof;

public sealed class EcdsaVectorsTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("ecdsa_secp256r1_sha256_test.json", AsymmetricKeyType.EcP256, 484)]
    [InlineData("ecdsa_secp384r1_sha384_test.json", AsymmetricKeyType.EcP384, 504)]
    [InlineData("ecdsa_secp521r1_sha512_test.json", AsymmetricKeyType.EcP521, 542)]
    [InlineData("ecdsa_secp256k1_sha256_test.json", AsymmetricKeyType.EcSecp256k1, 476)]
    public void Verify_matches_wycheproof(string file, AsymmetricKeyType type, int minimumRun)
    {
        var tally = new VectorTally(file);
        foreach (var test in WycheproofFile.Load(file))
        {
            SignatureScheme? scheme = test.GroupString("sha") switch
            {
                "SHA-256" => SignatureScheme.EcdsaSha256,
                "SHA-384" => SignatureScheme.EcdsaSha384,
                "SHA-512" => SignatureScheme.EcdsaSha512,
                _ => null,
            };
            if (scheme is null)
            {
                tally.Skip();
                continue;
            }
            SignatureVectors.Check(tally, test, type, scheme.Value);
        }
        output.WriteLine(tally.Summary);
        tally.AssertAllPassed(minimumRun);
    }
}
