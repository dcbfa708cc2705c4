using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;

namespace Citadel.Audit.Trails;

/// <summary>The bytes of delivered files: gzipped JSON, hashed over the uncompressed content.</summary>
public static class TrailFiles
{
    /// <summary>Content-Type of log and digest files.</summary>
    public const string ContentType = "application/json";
    /// <summary>Content-Encoding of log and digest files.</summary>
    public const string ContentEncoding = "gzip";

    /// <summary>
    /// A log file: <c>{"Records":[...]}</c> with each journal record byte for byte (the journal already holds
    /// CloudTrail's record JSON), so the delivered record is the one the hash chain covers.
    /// </summary>
    public static byte[] LogFile(IEnumerable<string> records)
    {
        var builder = new StringBuilder("{\"Records\":[");
        var first = true;
        foreach (var record in records)
        {
            if (!first) builder.Append(',');
            builder.Append(record);
            first = false;
        }
        builder.Append("]}");
        return Encoding.UTF8.GetBytes(builder.ToString());
    }

    /// <summary>Gzip of <paramref name="content"/>.</summary>
    public static byte[] Gzip(byte[] content)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Optimal, leaveOpen: true)) gzip.Write(content);
        return output.ToArray();
    }

    /// <summary>The uncompressed content of a gzip file.</summary>
    public static byte[] Gunzip(byte[] content)
    {
        using var input = new GZipStream(new MemoryStream(content), CompressionMode.Decompress);
        using var output = new MemoryStream();
        input.CopyTo(output);
        return output.ToArray();
    }

    /// <summary>Lower-case hex SHA-256, as digests record hashes.</summary>
    public static string Sha256Hex(ReadOnlySpan<byte> content) => Convert.ToHexStringLower(SHA256.HashData(content));
}
