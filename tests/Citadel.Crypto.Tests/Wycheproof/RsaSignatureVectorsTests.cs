using Xunit.Abstractions;

namespace Citadel.Crypto.Tests.Wycheproof;

public sealed class RsaSignatureVectorsTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("rsa_pss_2048_sha256_mgf1_32_test.json", 108)]
    [InlineData("rsa_pss_4096_sha512_mgf1_64_test.json", 179)]
    [InlineData("rsa_signature_2048_sha256_test.json", 259)]
    [InlineData("rsa_signature_3072_sha384_test.json", 259)]
    [InlineData("rsa_signature_4096_sha512_test.json", 259)]
    public void Verify_matches_wycheproof(string file, int minimumRun)
    {
        var tally = new VectorTally(file);
        foreach (var test in WycheproofFile.Load(file))
        {
            var type = KeyType(test.GroupInt("keySize"));
            var scheme = Scheme(test);
            if (type is null || scheme is null)
            {
                tally.Skip();
                continue;
            }
            SignatureVectors.Check(tally, test, type.Value, scheme.Value);
        }
        output.WriteLine(tally.Summary);
        tally.AssertAllPassed(minimumRun);
    }

    private static AsymmetricKeyType? KeyType(int bits) => bits switch
    {
        2048 => AsymmetricKeyType.Rsa2048,
        3072 => AsymmetricKeyType.Rsa3072,
        4096 => AsymmetricKeyType.Rsa4096,
        _ => null,
    };

    /// <summary>Our scheme for the group's parameters, or null when none of ours covers them.</summary>
    private static SignatureScheme? Scheme(WycheproofCase test)
    {
        var sha = test.GroupString("sha");
        if (test.GroupString("type") == "RsassaPkcs1Verify")
        {
            return sha switch
            {
                "SHA-256" => SignatureScheme.RsaPkcs1Sha256,
                "SHA-384" => SignatureScheme.RsaPkcs1Sha384,
                "SHA-512" => SignatureScheme.RsaPkcs1Sha512,
                _ => null,
            };
        }
        // PSS: our schemes use MGF1 with the message hash and a salt as long as the hash.
        if (test.GroupString("type") != "RsassaPssVerify" || test.GroupString("mgf") != "MGF1" || test.GroupString("mgfSha") != sha
            || test.GroupInt("sLen") != SignatureVectors.DigestLength(sha))
            return null;
        return sha switch
        {
            "SHA-256" => SignatureScheme.RsaPssSha256,
            "SHA-384" => SignatureScheme.RsaPssSha384,
            "SHA-512" => SignatureScheme.RsaPssSha512,
            _ => null,
        };
    }
}
