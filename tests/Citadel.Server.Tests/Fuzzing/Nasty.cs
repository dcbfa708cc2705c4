using System.Text;

namespace Citadel.Server.Tests.Fuzzing;

/// <summary>The hostile values every generator draws from: numbers, strings, bytes that are not UTF-8, nesting.</summary>
internal static class Nasty
{
    /// <summary>JSON number literals at and past the edges of every numeric type.</summary>
    public static readonly string[] Numbers =
    [
        "1e300", "-1e300", "1e-300", "1E+309", "-0", "-0.0", "0", "-1", "1.5", "-2.5e3", "2147483648", "-2147483649", "4294967296",
        "9223372036854775807", "9223372036854775808", "-9223372036854775809", "18446744073709551616", "123456789012345678901234567890",
        "0.0000000000000000000001", "1e19", "253402300800", "-62135596801", "1e20", "99999999999999999999",
    ];

    /// <summary>JSON string literals (escaped as JSON) with lone surrogates, controls, odd Unicode, markup.</summary>
    public static readonly string[] JsonStrings =
    [
        "\"\\ud800\"", "\"\\udfff\"", "\"a\\ud800b\"", "\"\\udc00\\ud800\"", "\"\\ud83d\"", "\"\\u0000\"", "\"a\\u0000b\"", "\"\\u0001\\u001f\"",
        "\"\\u007f\"", "\"\\u2028\\u2029\"", "\"\\ufeff\"", "\"\\uffff\"", "\"\\ufffe\"", "\"\\r\\n\"", "\"\\t\"", "\"\"", "\" \"",
        "\"\\u00e9\\u00e9\"", "\"\\ud83d\\ude00\"", "\"<x>&amp;]]>\"", "\"../../../etc/passwd\"", "\"%00%ff\"", "\"${jndi:x}\"", "\"\\\\\"",
        "\"arn:aws:kms:us-east-1:000000000000:key/\"", "\"alias/\"", "\"arn:\"", "\"*\"", "\"1e300\"", "\"-1\"", "\"NaN\"", "\"true\"",
    ];

    /// <summary>Strings as .NET strings (for query parameters, headers, XML, S3 keys), hostile in the same ways.</summary>
    public static readonly string[] Strings =
    [
        "\ud800", "\udfff", "a\ud800b", "\u0000", "a\u0000b", "\u0001\u001f", "\u007f", "\u2028", "\ufeff", "\uffff", "\r\n", "\t", "", " ",
        "\u00e9", "\ud83d\ude00", "<x>&amp;]]>", "../../..", "%00", "%", "%zz", "+", "&", "=", ";", ",", "\"", "'", "\\", "*",
        "arn:aws:kms:us-east-1:000000000000:key/", "alias/", "arn:", "1e300", "-1", "NaN", "TRUE", "null",
    ];

    /// <summary>Bytes that are not UTF-8 (overlong, surrogates, truncated, past U+10FFFF, bare continuations).</summary>
    public static readonly byte[][] InvalidUtf8 =
    [
        [0xff], [0xfe], [0xc0, 0xaf], [0xc1, 0xbf], [0xed, 0xa0, 0x80], [0xed, 0xbf, 0xbf], [0xe2, 0x82], [0xf4, 0x90, 0x80, 0x80], [0x80],
        [0xf8, 0x88, 0x80, 0x80, 0x80], [0xe0, 0x80, 0xaf], [0xc3, 0x28], [0xf0, 0x9f, 0x98],
    ];

    public static T Pick<T>(Random random, IReadOnlyList<T> items) => items[random.Next(items.Count)];

    /// <summary>A long string: repeated ASCII, repeated multi-byte, or repeated escapes.</summary>
    public static string Long(Random random)
    {
        var length = Pick(random, new[] { 257, 1025, 2049, 8193, 65537, 300_000 });
        var unit = Pick(random, new[] { "A", "\u00e9", "\ud83d\ude00", "/", "%", " ", "a.b" });
        var text = new StringBuilder(length * unit.Length);
        while (text.Length < length) text.Append(unit);
        return text.ToString();
    }

    /// <summary>A JSON string literal holding raw bytes that are not UTF-8.</summary>
    public static byte[] InvalidUtf8JsonString(Random random)
    {
        var bytes = new List<byte> { (byte)'"', (byte)'a' };
        bytes.AddRange(Pick(random, InvalidUtf8));
        bytes.Add((byte)'b');
        bytes.Add((byte)'"');
        return [.. bytes];
    }

    /// <summary>Deeply nested JSON: arrays or objects, past the parser's depth limit or just under it.</summary>
    public static string DeepJson(Random random)
    {
        var depth = Pick(random, new[] { 63, 64, 65, 200, 1000, 10_000 });
        return random.Next(2) == 0
            ? new string('[', depth) + new string(']', depth)
            : string.Concat(Enumerable.Repeat("{\"a\":", depth)) + "1" + new string('}', depth);
    }

    /// <summary>A raw JSON fragment (bytes) of any hostile kind, to put where a value goes.</summary>
    public static byte[] JsonFragment(Random random) => random.Next(10) switch
    {
        0 or 1 => Encoding.UTF8.GetBytes(Pick(random, Numbers)),
        2 or 3 => Encoding.UTF8.GetBytes(Pick(random, JsonStrings)),
        4 => InvalidUtf8JsonString(random),
        5 => Encoding.UTF8.GetBytes(DeepJson(random)),
        6 => Encoding.UTF8.GetBytes(System.Text.Json.JsonSerializer.Serialize(Long(random))),
        7 => Encoding.UTF8.GetBytes(Pick(random, new[] { "true", "false", "null", "[]", "{}", "[1,\"a\",null]", "{\"a\":{}}", "\"\"", "0", "[[]]" })),
        8 => Encoding.UTF8.GetBytes("[" + string.Join(',', Enumerable.Repeat(Pick(random, new[] { "1", "\"a\"", "{}", "null" }), Pick(random, new[] { 51, 1001, 20_000 }))) + "]"),
        _ => Encoding.UTF8.GetBytes(Pick(random, new[] { "\"!!!!\"", "\"====\"", "\"YQ\"", "\"YWJj=\"", "\"Zm9v\\n\"", "\"AAAA\"", "\"-_-_\"" })),
    };

    /// <summary>A hostile .NET string (may hold lone surrogates and controls).</summary>
    public static string String(Random random) => random.Next(6) switch
    {
        0 => Long(random),
        1 => "x" + Pick(random, Strings) + "y",
        _ => Pick(random, Strings),
    };

    /// <summary>Percent-encodes a string's UTF-8 (lone surrogates become EF BF BD), as a query or path would carry it.</summary>
    public static string PercentEncode(string text, bool keepSlash = false)
    {
        var result = new StringBuilder();
        foreach (var b in Encoding.UTF8.GetBytes(text))
        {
            var c = (char)b;
            if (char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '~' || (keepSlash && c == '/')) result.Append(c);
            else result.Append('%').Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
        }
        return result.ToString();
    }

    /// <summary>Percent-encoded bytes that are not UTF-8, or broken percent escapes.</summary>
    public static string BadPercent(Random random) => random.Next(3) switch
    {
        0 => string.Concat(Pick(random, InvalidUtf8).Select(b => "%" + b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture))),
        1 => Pick(random, new[] { "%", "%4", "%zz", "%%", "%u0041", "%ED%A0%80", "%C0%AF", "%00", "%0D%0A", "%E2%82", "%F4%90%80%80" }),
        _ => "a%" + Pick(random, new[] { "G0", "0G", "", "2" }) + "b",
    };
}
