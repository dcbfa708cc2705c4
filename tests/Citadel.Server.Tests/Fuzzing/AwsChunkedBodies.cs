using System.Globalization;
using System.IO.Hashing;
using System.Text;

namespace Citadel.Server.Tests.Fuzzing;

/// <summary>
/// aws-chunked bodies (<c>STREAMING-AWS4-HMAC-SHA256-PAYLOAD[-TRAILER]</c>, <c>STREAMING-UNSIGNED-PAYLOAD-TRAILER</c>):
/// chunks signed in a chain from the request's signature, the final chunk, trailing checksums and the trailer
/// signature, as the SDKs write them; and the same with one defect (a chunk size that is not hex, negative or past the
/// data, a missing or wrong chunk signature, a broken chain, a missing CRLF, a trailer without a colon or its
/// signature, a wrong checksum, a decoded length that does not match).
/// </summary>
internal static class AwsChunkedBodies
{
    public const string Signed = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD";
    public const string SignedTrailer = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER";
    public const string UnsignedTrailer = "STREAMING-UNSIGNED-PAYLOAD-TRAILER";

    /// <summary>The defects one body may carry; "none" is a valid body.</summary>
    public static readonly string[] Defects =
    [
        "none", "none", "none", "size not hex", "size negative", "size past the data", "size short of the data", "size huge", "size with 0x",
        "no chunk-signature", "wrong chunk signature", "signature of another chain", "upper-case signature", "no CRLF after data", "LF only",
        "no final chunk", "data after the final chunk", "trailer without colon", "no trailer signature", "wrong trailer signature",
        "wrong checksum", "decoded length off", "over-long line", "NUL in size", "empty body", "extension junk",
    ];

    /// <summary>
    /// Sets the headers of an aws-chunked upload on <paramref name="request"/> and the body builder that runs once the
    /// signature is known. <paramref name="trailer"/> adds a trailing CRC32 (declared in x-amz-trailer unless
    /// <paramref name="declareTrailer"/> is false).
    /// </summary>
    public static void Apply(FuzzRequest request, byte[] payload, string mode, bool trailer, bool declareTrailer, string defect, Random random)
    {
        var chunkSize = Nasty.Pick(random, new[] { 1, 7, 64, 1024, 8192, 65536 });
        var decodedLength = defect == "decoded length off" ? payload.Length + random.Next(1, 5) : payload.Length;
        request.SetHeader("x-amz-content-sha256", mode);
        request.SetHeader("Content-Encoding", "aws-chunked");
        request.SetHeader("x-amz-decoded-content-length", decodedLength.ToString(CultureInfo.InvariantCulture));
        if (trailer && declareTrailer) request.SetHeader("x-amz-trailer", "x-amz-checksum-crc32");
        request.Mutated($"aws-chunked {mode} chunk {chunkSize}{(trailer ? " trailer" : "")}{(trailer && !declareTrailer ? " (undeclared)" : "")}: {defect}");
        var signed = mode != UnsignedTrailer;
        request.BodyAfterSigning = context => Build(payload, chunkSize, signed ? context : null, trailer, defect);
    }

    private static byte[] Build(byte[] payload, int chunkSize, SignatureContext? context, bool trailer, string defect)
    {
        using var body = new MemoryStream();
        void Write(string text) => body.Write(Encoding.ASCII.GetBytes(text));
        if (defect == "empty body") return [];
        var previous = context?.Signature ?? "";
        var chunks = new List<byte[]>();
        for (var at = 0; at < payload.Length; at += chunkSize) chunks.Add(payload[at..Math.Min(payload.Length, at + chunkSize)]);
        var first = true;
        foreach (var chunk in chunks)
        {
            var signature = context is null ? null : FuzzSigner.ChunkSignature(context, defect == "signature of another chain" && first ? new string('0', 64) : previous, chunk);
            if (signature is not null) previous = signature;
            var size = chunk.Length.ToString("x", CultureInfo.InvariantCulture);
            if (first)
            {
                size = defect switch
                {
                    "size not hex" => "zz",
                    "size negative" => "-" + size,
                    "size past the data" => (chunk.Length + 5).ToString("x", CultureInfo.InvariantCulture),
                    "size short of the data" when chunk.Length > 1 => (chunk.Length - 1).ToString("x", CultureInfo.InvariantCulture),
                    "size huge" => "ffffffffffffffff",
                    "size with 0x" => "0x" + size,
                    "NUL in size" => size + "\0",
                    "over-long line" => size + ";" + new string('x', 5000),
                    _ => size,
                };
            }
            Write(size);
            if (signature is not null)
            {
                var sent = first ? defect switch
                {
                    "wrong chunk signature" => new string('a', 64),
                    "upper-case signature" => signature.ToUpperInvariant(),
                    _ => signature,
                } : signature;
                if (!(first && defect == "no chunk-signature")) Write(";chunk-signature=" + sent);
            }
            else if (first && defect == "extension junk")
            {
                Write(";foo=bar");
            }
            Write(first && defect == "LF only" ? "\n" : "\r\n");
            body.Write(chunk);
            if (!(first && defect == "no CRLF after data")) Write(first && defect == "LF only" ? "\n" : "\r\n");
            first = false;
        }
        if (defect == "no final chunk") return body.ToArray();
        var finalSignature = context is null ? null : FuzzSigner.ChunkSignature(context, previous, []);
        if (finalSignature is not null) previous = finalSignature;
        Write("0" + (finalSignature is null ? "" : ";chunk-signature=" + finalSignature) + "\r\n");
        if (trailer)
        {
            var crc = new byte[4];
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(crc, Crc32.HashToUInt32(payload));
            var value = Convert.ToBase64String(defect == "wrong checksum" ? [(byte)(crc[0] ^ 1), .. crc[1..]] : crc);
            var line = defect == "trailer without colon" ? "x-amz-checksum-crc32 " + value : "x-amz-checksum-crc32:" + value;
            Write(line + "\r\n");
            if (context is not null && defect != "no trailer signature")
            {
                var trailerSignature = FuzzSigner.TrailerSignature(context, previous, "x-amz-checksum-crc32:" + value + "\n");
                Write("x-amz-trailer-signature:" + (defect == "wrong trailer signature" ? new string('b', 64) : trailerSignature) + "\r\n");
            }
        }
        Write("\r\n");
        if (defect == "data after the final chunk") Write("5\r\nhello\r\n");
        return body.ToArray();
    }
}
