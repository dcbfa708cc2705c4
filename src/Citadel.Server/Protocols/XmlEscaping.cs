using System.Globalization;
using System.Text;

namespace Citadel.Server.Protocols;

/// <summary>
/// Character data of the XML Citadel writes (S3's rest-xml, the query protocol of IAM and STS). Values come from
/// callers (object keys, prefixes, tags, descriptions, echoed parameters) and may hold any character, so
/// writing them never fails: <c>&amp;</c>, <c>&lt;</c> and <c>&gt;</c> are escaped, and every character XML 1.0
/// cannot carry literally is written as its numeric character reference, as S3 does ("XML related object key
/// constraints" in S3's object key naming guidelines): the C0 controls other than tab and line feed, U+FFFE,
/// U+FFFF and unpaired surrogates. A carriage return is written as <c>&amp;#13;</c> too, because an XML parser
/// would otherwise normalize it to a line feed and the value would come back changed.
/// </summary>
/// <remarks>
/// A reference to a character XML 1.0 excludes (U+0001, say) still makes the document not well-formed for a strict
/// parser; that is the trade S3 makes, and why clients list with <c>encoding-type=url</c>. What matters here is that
/// the server answers instead of failing, and that a lenient reader sees the value unaltered.
/// </remarks>
public static class XmlEscaping
{
    /// <summary>The text escaped for element content.</summary>
    /// <param name="text">The value.</param>
    /// <param name="replaceExcluded">
    /// Write the characters XML 1.0 excludes (all but carriage return, which has a legal reference) as U+FFFD instead of
    /// a reference: the document stays well-formed for strict parsers, at the cost of the value. The query protocol does,
    /// since its values are names and messages whose patterns exclude these characters anyway, and a client that cannot
    /// parse an error cannot show it.
    /// </param>
    public static string Escape(string text, bool replaceExcluded = false)
    {
        if (!NeedsEscaping(text)) return text;
        var builder = new StringBuilder(text.Length + 16);
        Append(builder, text, replaceExcluded);
        return builder.ToString();
    }

    /// <summary>Appends the text escaped for element content (see <see cref="Escape"/>).</summary>
    public static StringBuilder Append(StringBuilder builder, string text, bool replaceExcluded = false)
    {
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            switch (c)
            {
                case '&': builder.Append("&amp;"); continue;
                case '<': builder.Append("&lt;"); continue;
                case '>': builder.Append("&gt;"); continue;
            }
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                builder.Append(c).Append(text[++i]);
                continue;
            }
            if (IsLiteral(c)) builder.Append(c);
            else if (replaceExcluded && c != '\r') builder.Append('\uFFFD');
            else builder.Append("&#").Append(((int)c).ToString(CultureInfo.InvariantCulture)).Append(';');
        }
        return builder;
    }

    private static bool NeedsEscaping(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c is '&' or '<' or '>') return true;
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1])) i++;
            else if (!IsLiteral(c)) return true;
        }
        return false;
    }

    /// <summary>
    /// Whether a UTF-16 code unit (not part of a surrogate pair) survives literally in element content: XML 1.0's Char
    /// production without carriage return.
    /// </summary>
    private static bool IsLiteral(char c) => c is '\t' or '\n' or (>= ' ' and < '\uD800') or (> '\uDFFF' and < '\uFFFE');
}
