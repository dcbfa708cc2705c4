using Xunit.Abstractions;

namespace Citadel.Crypto.Tests.Wycheproof;

public sealed class HmacVectorsTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("hmac_sha224_test.json", MacAlgorithm.HmacSha224, 28, 172)]
    [InlineData("hmac_sha256_test.json", MacAlgorithm.HmacSha256, 32, 174)]
    [InlineData("hmac_sha384_test.json", MacAlgorithm.HmacSha384, 48, 174)]
    [InlineData("hmac_sha512_test.json", MacAlgorithm.HmacSha512, 64, 174)]
    public void Mac_matches_wycheproof(string file, MacAlgorithm algorithm, int fullTagSize, int minimumRun)
    {
        var tally = new VectorTally(file);
        foreach (var test in WycheproofFile.Load(file))
        {
            var key = test.Bytes("key");
            var msg = test.Bytes("msg");
            var tag = test.Bytes("tag");
            var tagSize = test.GroupInt("tagSize") / 8;
            if (tagSize == fullTagSize)
            {
                tally.Check(test, () => Mac.Compute(algorithm, key, msg).AsSpan().SequenceEqual(tag) && Mac.Verify(algorithm, key, msg, tag));
            }
            else
            {
                // Truncated-tag groups: our Compute must agree on the prefix, but Verify must never accept a short tag.
                tally.Check(test, () => Mac.Compute(algorithm, key, msg).AsSpan(0, tagSize).SequenceEqual(tag));
                if (Mac.Verify(algorithm, key, msg, tag)) tally.Fail(test, $"Mac.Verify accepted a {tagSize}-byte truncated tag");
            }
        }
        output.WriteLine(tally.Summary);
        tally.AssertAllPassed(minimumRun);
    }
}
