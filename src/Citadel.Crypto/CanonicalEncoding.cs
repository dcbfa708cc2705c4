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
        if (map is null || map.Count == 0) return new byte[4];
        // Sized exactly and written in place: this runs for every encryption and decryption with a context.
        var entries = new (byte[] Key, byte[] Value)[map.Count];
        var size = 4;
        var i = 0;
        foreach (var (key, value) in map)
        {
            entries[i] = (Encoding.UTF8.GetBytes(key), Encoding.UTF8.GetBytes(value));
            size += 8 + entries[i].Key.Length + entries[i].Value.Length;
            i++;
        }
        Array.Sort(entries, static (a, b) => a.Key.AsSpan().SequenceCompareTo(b.Key));
        var encoded = new byte[size];
        BinaryPrimitives.WriteUInt32BigEndian(encoded, (uint)entries.Length);
        var at = 4;
        foreach (var (key, value) in entries)
        {
            at = Put(encoded, at, key);
            at = Put(encoded, at, value);
        }
        return encoded;
    }

    /// <summary>Writes <paramref name="field"/> length-prefixed at <paramref name="at"/>; returns where the next field begins.</summary>
    private static int Put(byte[] destination, int at, byte[] field)
    {
        BinaryPrimitives.WriteUInt32BigEndian(destination.AsSpan(at), (uint)field.Length);
        field.CopyTo(destination, at + 4);
        return at + 4 + field.Length;
    }

    /// <summary>Encodes a sequence of fields, each length-prefixed.</summary>
    public static byte[] EncodeFields(params ReadOnlySpan<string> fields)
    {
        var encodedFields = new byte[fields.Length][];
        var size = 0;
        for (var i = 0; i < fields.Length; i++)
        {
            encodedFields[i] = Encoding.UTF8.GetBytes(fields[i]);
            size += 4 + encodedFields[i].Length;
        }
        var encoded = new byte[size];
        var at = 0;
        foreach (var field in encodedFields) at = Put(encoded, at, field);
        return encoded;
    }
}
