using System.Buffers;
using System.Text;

namespace Citadel.Iam;

/// <summary>
/// UTF-8 text built for SigV4's canonical forms without intermediate strings, over an <see cref="ArrayBufferWriter{T}"/>;
/// one per thread (<see cref="Rent"/>), emptied by each user (nothing it is handed calls back into it).
/// </summary>
internal sealed class Utf8Text(int capacity = 1024)
{
    [ThreadStatic] private static Utf8Text? t_current;
    private ArrayBufferWriter<byte> _buffer = new(Math.Max(16, capacity));

    /// <summary>This thread's buffer, emptied.</summary>
    public static Utf8Text Rent()
    {
        var text = t_current ??= new Utf8Text();
        // One very long request (a huge presigned query) does not pin its buffer on the thread.
        if (text._buffer.Capacity > 64 << 10) text._buffer = new ArrayBufferWriter<byte>(1024);
        text._buffer.ResetWrittenCount();
        return text;
    }

    /// <summary>What was written.</summary>
    public ReadOnlySpan<byte> Written => _buffer.WrittenSpan;

    public Utf8Text Append(char ascii)
    {
        _buffer.GetSpan(1)[0] = (byte)ascii;
        _buffer.Advance(1);
        return this;
    }

    public Utf8Text Append(ReadOnlySpan<byte> bytes)
    {
        _buffer.Write(bytes);
        return this;
    }

    public Utf8Text Append(ReadOnlySpan<char> text)
    {
        Encoding.UTF8.GetBytes(text, _buffer);
        return this;
    }

    /// <summary>Appends bytes as lower-case hex.</summary>
    public Utf8Text AppendHex(ReadOnlySpan<byte> bytes)
    {
        Convert.TryToHexStringLower(bytes, _buffer.GetSpan(bytes.Length * 2), out var written);
        _buffer.Advance(written);
        return this;
    }
}
