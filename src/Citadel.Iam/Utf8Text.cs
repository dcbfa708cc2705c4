using System.Text;

namespace Citadel.Iam;

/// <summary>
/// A growable UTF-8 buffer for building SigV4's canonical texts without intermediate strings; one per thread,
/// reset by each user (nothing it is handed calls back into it).
/// </summary>
internal sealed class Utf8Text
{
    [ThreadStatic] private static Utf8Text? t_current;
    private byte[] _bytes;
    private int _length;

    /// <summary>An empty buffer of its own (not the thread's), for text built while the thread's is in use.</summary>
    public Utf8Text(int capacity = 1024) => _bytes = new byte[Math.Max(16, capacity)];

    /// <summary>This thread's buffer, emptied.</summary>
    public static Utf8Text Rent()
    {
        var text = t_current ??= new Utf8Text();
        text._length = 0;
        // One very long request (a huge presigned query) does not pin its buffer on the thread.
        if (text._bytes.Length > 64 << 10) text._bytes = new byte[1024];
        return text;
    }

    /// <summary>What was written.</summary>
    public ReadOnlySpan<byte> Written => _bytes.AsSpan(0, _length);

    public Utf8Text Append(char ascii)
    {
        Ensure(1);
        _bytes[_length++] = (byte)ascii;
        return this;
    }

    public Utf8Text Append(ReadOnlySpan<byte> bytes)
    {
        Ensure(bytes.Length);
        bytes.CopyTo(_bytes.AsSpan(_length));
        _length += bytes.Length;
        return this;
    }

    public Utf8Text Append(ReadOnlySpan<char> text)
    {
        Ensure(Encoding.UTF8.GetMaxByteCount(text.Length));
        _length += Encoding.UTF8.GetBytes(text, _bytes.AsSpan(_length));
        return this;
    }

    /// <summary>Appends bytes as lower-case hex.</summary>
    public Utf8Text AppendHex(ReadOnlySpan<byte> bytes)
    {
        Ensure(bytes.Length * 2);
        Convert.TryToHexStringLower(bytes, _bytes.AsSpan(_length), out var written);
        _length += written;
        return this;
    }

    private void Ensure(int more)
    {
        if (_length + more <= _bytes.Length) return;
        Array.Resize(ref _bytes, Math.Max(_bytes.Length * 2, _length + more));
    }
}
