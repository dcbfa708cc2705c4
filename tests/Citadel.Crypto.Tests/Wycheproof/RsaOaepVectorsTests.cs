using System.Security.Cryptography;
using Xunit.Abstractions;

namespace Citadel.Crypto.Tests.Wycheproof;

public sealed class RsaOaepVectorsTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("rsa_oaep_2048_sha1_mgf1sha1_test.json", 29)]
    [InlineData("rsa_oaep_2048_sha256_mgf1sha256_test.json", 29)]
    [InlineData("rsa_oaep_3072_sha256_mgf1sha256_test.json", 29)]
    [InlineData("rsa_oaep_4096_sha256_mgf1sha256_test.json", 29)]
    public void RsaOaepDecrypt_matches_wycheproof(string file, int minimumRun)
    {
        var tally = new VectorTally(file);
        foreach (var test in WycheproofFile.Load(file))
        {
            var sha = test.GroupString("sha");
            // Our API has no OAEP label and always uses MGF1 with the OAEP hash.
            if (test.Bytes("label").Length != 0 || test.GroupString("mgf") != "MGF1" || test.GroupString("mgfSha") != sha)
            {
                tally.Skip();
                continue;
            }
            var hash = sha switch
            {
                "SHA-1" => HashAlgorithmName.SHA1,
                "SHA-256" => HashAlgorithmName.SHA256,
                _ => throw new InvalidDataException($"{file}: unexpected hash {sha}."),
            };
            tally.Check(test, () => AsymmetricKeys.RsaOaepDecrypt(test.GroupBytes("privateKeyPkcs8"), hash, test.Bytes("ct")).AsSpan().SequenceEqual(test.Bytes("msg")));
        }
        output.WriteLine(tally.Summary);
        tally.AssertAllPassed(minimumRun);
    }
}
