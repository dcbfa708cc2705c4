using Xunit.Abstractions;

namespace Citadel.Crypto.Tests.Wycheproof;

public sealed class AesKeyWrapVectorsTests(ITestOutputHelper output)
{
    [Fact]
    public void Kw_matches_wycheproof() => Run("aes_wrap_test.json", AesKeyWrap.Wrap, AesKeyWrap.Unwrap, minimumRun: 165);

    [Fact]
    public void Kwp_matches_wycheproof() => Run("aes_kwp_test.json", AesKeyWrap.WrapPad, AesKeyWrap.UnwrapPad, minimumRun: 254);

    private void Run(string file, Func<byte[], byte[], byte[]> wrap, Func<byte[], byte[], byte[]> unwrap, int minimumRun)
    {
        var tally = new VectorTally(file);
        foreach (var test in WycheproofFile.Load(file))
        {
            tally.Check(test, () =>
            {
                var key = test.Bytes("key");
                var msg = test.Bytes("msg");
                var ct = test.Bytes("ct");
                // An unwrap that does not throw accepts the ciphertext.
                var unwrapped = unwrap(key, ct);
                if (test.Result != WycheproofResult.Valid) return true;
                return unwrapped.AsSpan().SequenceEqual(msg) && wrap(key, msg).AsSpan().SequenceEqual(ct);
            });
        }
        output.WriteLine(tally.Summary);
        tally.AssertAllPassed(minimumRun);
    }
}
