using Xunit.Abstractions;

namespace Citadel.Crypto.Tests.Wycheproof;

public sealed class AesGcmVectorsTests(ITestOutputHelper output)
{
    [Fact]
    public void AesGcm256_matches_wycheproof()
    {
        const string file = "aes_gcm_test.json";
        var tally = new VectorTally(file);
        foreach (var test in WycheproofFile.Load(file))
        {
            // Our API is AES-256 with a 96-bit nonce and a 128-bit tag only.
            if (test.GroupInt("keySize") != 256 || test.GroupInt("ivSize") != 96 || test.GroupInt("tagSize") != 128)
            {
                tally.Skip();
                continue;
            }
            tally.Check(test, () => Accepts(test));
        }
        output.WriteLine(tally.Summary);
        tally.AssertAllPassed(minimumRun: 60);
    }

    private static bool Accepts(WycheproofCase test)
    {
        var key = test.Bytes("key");
        var nonce = test.Bytes("iv");
        var aad = test.Bytes("aad");
        var msg = test.Bytes("msg");
        byte[] sealedData = [.. test.Bytes("ct"), .. test.Bytes("tag")];

        var plaintext = new byte[sealedData.Length - AesGcm256.TagSize];
        AesGcm256.Open(key, nonce, sealedData, aad, plaintext);
        if (test.Result != WycheproofResult.Valid) return true;

        var resealed = new byte[msg.Length + AesGcm256.TagSize];
        AesGcm256.Seal(key, nonce, msg, aad, resealed);
        return plaintext.AsSpan().SequenceEqual(msg) && resealed.AsSpan().SequenceEqual(sealedData);
    }
}
