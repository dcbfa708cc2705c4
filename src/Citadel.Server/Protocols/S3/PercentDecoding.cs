using System.Text;

namespace Citadel.Server.Protocols.S3;

/// <summary>
/// Strict percent-decoding of the parts of an S3 request that name things (the path, query parameters, the copy
/// source). An object key is a sequence of Unicode characters in UTF-8, so the decoded bytes must be UTF-8: a lenient
/// decoder that keeps an invalid sequence as it was written (<c>%FF</c>) or turns it into U+FFFD lets two different
/// requests name one key (<c>a%FFb</c> and <c>a%25FFb</c>, or every invalid byte at one place). A <c>%</c> that is not
/// followed by two hex digits is malformed too, as is a character outside ASCII in what is still encoded (Kestrel
/// admits none in the request target).
/// </summary>
public static class PercentDecoding
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>The decoded text, or null when <paramref name="encoded"/> is malformed or does not decode to UTF-8.</summary>
    /// <param name="encoded">The text as sent.</param>
    /// <param name="plusIsSpace">Whether <c>+</c> stands for a space (query strings, form style), not for itself (paths).</param>
    public static string? TryDecode(string encoded, bool plusIsSpace = false)
    {
        if (!Ascii.IsValid(encoded)) return null;
        if (!encoded.Contains('%', StringComparison.Ordinal))
            return plusIsSpace ? encoded.Replace('+', ' ') : encoded;
        var bytes = new byte[encoded.Length];
        var length = 0;
        for (var i = 0; i < encoded.Length; i++)
        {
            var c = encoded[i];
            if (c == '%')
            {
                if (i + 2 >= encoded.Length || !char.IsAsciiHexDigit(encoded[i + 1]) || !char.IsAsciiHexDigit(encoded[i + 2])) return null;
                bytes[length++] = (byte)(HexValue(encoded[i + 1]) << 4 | HexValue(encoded[i + 2]));
                i += 2;
            }
            else
            {
                bytes[length++] = plusIsSpace && c == '+' ? (byte)' ' : (byte)c;
            }
        }
        try
        {
            return StrictUtf8.GetString(bytes, 0, length);
        }
        catch (DecoderFallbackException)
        {
            return null;
        }
    }

    private static int HexValue(char c) => c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
}
