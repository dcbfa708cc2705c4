namespace Citadel.Crypto.Tests;

public sealed class CanonicalEncodingTests
{
    [Fact]
    public void Field_boundaries_are_unambiguous()
    {
        Assert.NotEqual(
            CanonicalEncoding.EncodeMap(new Dictionary<string, string> { ["a"] = "bc" }),
            CanonicalEncoding.EncodeMap(new Dictionary<string, string> { ["ab"] = "c" }));
        Assert.NotEqual(CanonicalEncoding.EncodeFields("a", "bc"), CanonicalEncoding.EncodeFields("ab", "c"));
    }

    [Fact]
    public void Map_encoding_is_independent_of_insertion_order()
    {
        var forward = new Dictionary<string, string> { ["purpose"] = "test", ["owner"] = "alice", ["é"] = "1", ["z"] = "2" };
        var backward = new Dictionary<string, string> { ["z"] = "2", ["é"] = "1", ["owner"] = "alice", ["purpose"] = "test" };
        Assert.Equal(CanonicalEncoding.EncodeMap(forward), CanonicalEncoding.EncodeMap(backward));
    }

    [Fact]
    public void Empty_and_null_maps_encode_the_same()
    {
        var empty = CanonicalEncoding.EncodeMap(new Dictionary<string, string>());
        Assert.Equal(empty, CanonicalEncoding.EncodeMap(null));
        Assert.Equal(new byte[4], empty);
    }

    [Fact]
    public void Map_layout_is_count_then_length_prefixed_pairs_in_ordinal_utf8_order()
    {
        var encoded = CanonicalEncoding.EncodeMap(new Dictionary<string, string> { ["b"] = "", ["a"] = "xy" });
        byte[] expected =
        [
            0, 0, 0, 2,
            0, 0, 0, 1, (byte)'a', 0, 0, 0, 2, (byte)'x', (byte)'y',
            0, 0, 0, 1, (byte)'b', 0, 0, 0, 0,
        ];
        Assert.Equal(expected, encoded);
    }

    [Fact]
    public void Fields_layout_is_each_field_length_prefixed_in_order()
    {
        byte[] expected = [0, 0, 0, 2, (byte)'a', (byte)'b', 0, 0, 0, 0, 0, 0, 0, 2, 0xC3, 0xA9];
        Assert.Equal(expected, CanonicalEncoding.EncodeFields("ab", "", "é"));
        Assert.Empty(CanonicalEncoding.EncodeFields());
    }
}
