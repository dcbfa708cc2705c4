using System.Buffers.Binary;
using System.Text;

namespace Citadel.Crypto;

/// <summary>
/// Unambiguous byte encoding of string maps and fields for use as associated data.
/// A map is encoded as <c>u32 count</c>, then per entry in ordinal order of the UTF-8 key:
/// <c>u32 len || key || u32 len || value</c> (all big-endian). Because every field carries its
/// length, <c>{"a":"bc"}</c> and <c>{"ab":"c"}</c> encode differently.
/// </summary>
public static class CanonicalEncoding
{
    /// <summary>Encodes a string map; null or empty encodes as a zero count.</summary>
    public static byte[] EncodeMap(IReadOnlyDictionary<string, string>? map)
    {
        using var buffer = new MemoryStream();
        var entries = map is null ? [] : map.Select(kv => (Key: Encoding.UTF8.GetBytes(kv.Key), Value: Encoding.UTF8.GetBytes(kv.Value))).ToList();
        entries.Sort((a, b) => a.Key.AsSpan().SequenceCompareTo(b.Key));
        WriteU32(buffer, (uint)entries.Count);
        foreach (var (key, value) in entries)
        {
            WriteField(buffer, key);
            WriteField(buffer, value);
        }
        return buffer.ToArray();
    }

    /// <summary>Encodes a sequence of fields, each length-prefixed.</summary>
    public static byte[] EncodeFields(params ReadOnlySpan<string> fields)
    {
        using var buffer = new MemoryStream();
        foreach (var field in fields) WriteField(buffer, Encoding.UTF8.GetBytes(field));
        return buffer.ToArray();
    }

    private static void WriteField(Stream stream, byte[] bytes)
    {
        WriteU32(stream, (uint)bytes.Length);
        stream.Write(bytes);
    }

    private static void WriteU32(Stream stream, uint value)
    {
        Span<byte> b = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(b, value);
        stream.Write(b);
    }
}
