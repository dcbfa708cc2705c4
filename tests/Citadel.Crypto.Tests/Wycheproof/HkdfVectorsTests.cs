using Xunit.Abstractions;

namespace Citadel.Crypto.Tests.Wycheproof;

public sealed class HkdfVectorsTests(ITestOutputHelper output)
{
    [Fact]
    public void Hkdf256_matches_wycheproof()
    {
        const string file = "hkdf_sha256_test.json";
        var tally = new VectorTally(file);
        foreach (var test in WycheproofFile.Load(file))
        {
            // The invalid cases ask for more than 255 * 32 bytes; the platform throws, which counts as a rejection.
            tally.Check(test, () =>
            {
                var okm = new byte[test.Int("size")];
                Hkdf256.DeriveKey(test.Bytes("ikm"), test.Bytes("salt"), test.Bytes("info"), okm);
                return okm.AsSpan().SequenceEqual(test.Bytes("okm"));
            });
        }
        output.WriteLine(tally.Summary);
        tally.AssertAllPassed(minimumRun: 86);
    }
}
