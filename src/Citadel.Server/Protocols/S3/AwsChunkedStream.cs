using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Citadel.Iam;
using Citadel.ObjectStore;

namespace Citadel.Server.Protocols.S3;

/// <summary>
/// Decodes an <c>aws-chunked</c> body as it streams: <c>hex-size[;chunk-signature=sig]\r\n data \r\n</c> ...,
/// a zero-size final chunk, then optional trailing headers (flexible checksums) and, when signed, the trailer
/// signature. With <c>STREAMING-AWS4-HMAC-SHA256-PAYLOAD[-TRAILER]</c> each chunk's signature chains from the
/// request signature and is verified when the chunk ends; with <c>STREAMING-UNSIGNED-PAYLOAD-TRAILER</c> chunks
/// carry no signature. The trailing headers must be exactly the ones the request's <c>x-amz-trailer</c> header
/// declared, as S3 requires (MalformedTrailerError otherwise): a declared checksum that does not arrive would leave
/// an unsigned body unchecked, and one that was not declared was not asked for. Any defect throws
/// <see cref="ObjectStoreException"/> before the end of the body is reported, so the object layer never commits a
/// body that did not verify.
/// </summary>
public sealed class AwsChunkedStream : ReadOnlyAsyncStream
{
    private const int MaxLine = 4096;
    private static readonly string EmptyHash = SigV4Canonical.EmptyPayloadSha256;
    private readonly Stream _inner;
    private readonly AuthenticatedRequest? _signed;
    private readonly string _scope;
    private readonly long _decodedLength;
    private readonly byte[] _buffer = new byte[64 * 1024];
    private int _bufferStart;
    private int _bufferEnd;
    private long _chunkRemaining;
    private string _expectedChunkSignature = "";
    private string _previousSignature;
    private IncrementalHash? _chunkHash;
    private long _total;
    private bool _done;
    private readonly Dictionary<string, string> _trailers = new(StringComparer.OrdinalIgnoreCase);
    private readonly IReadOnlyCollection<string> _declaredTrailers;

    /// <param name="inner">The raw request body.</param>
    /// <param name="signed">The authenticated request when chunks are signed; null for unsigned chunks.</param>
    /// <param name="decodedLength">x-amz-decoded-content-length, or -1 when absent.</param>
    /// <param name="declaredTrailers">The lower-case names the x-amz-trailer header declared (none when it is absent).</param>
    public AwsChunkedStream(Stream inner, AuthenticatedRequest? signed, long decodedLength, IReadOnlyCollection<string> declaredTrailers)
    {
        _inner = inner;
        _signed = signed;
        _decodedLength = decodedLength;
        _declaredTrailers = declaredTrailers;
        _previousSignature = signed?.Signature ?? "";
        _scope = signed is null ? "" : $"{signed.Scope.Date}/{signed.Scope.Region}/{signed.Scope.Service}/aws4_request";
    }

    /// <summary>The trailing headers (for example x-amz-checksum-crc32), available once the body was read to its end.</summary>
    public IReadOnlyDictionary<string, string> Trailers => _trailers;

    /// <inheritdoc />
    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_done || buffer.Length == 0) return 0;
        if (_chunkRemaining == 0)
        {
            await StartChunkAsync(cancellationToken).ConfigureAwait(false);
            if (_done) return 0;
        }
        if (_bufferStart == _bufferEnd) await FillAsync(cancellationToken).ConfigureAwait(false);
        var take = (int)Math.Min(Math.Min(buffer.Length, _bufferEnd - _bufferStart), _chunkRemaining);
        _buffer.AsMemory(_bufferStart, take).CopyTo(buffer);
        _chunkHash?.AppendData(_buffer.AsSpan(_bufferStart, take));
        _bufferStart += take;
        _chunkRemaining -= take;
        _total += take;
        if (_chunkRemaining == 0) await EndChunkAsync(cancellationToken).ConfigureAwait(false);
        return take;
    }

    private async Task StartChunkAsync(CancellationToken cancellationToken)
    {
        var header = await ReadLineAsync(cancellationToken).ConfigureAwait(false);
        var semicolon = header.IndexOf(';', StringComparison.Ordinal);
        var sizeText = semicolon < 0 ? header : header[..semicolon];
        if (!long.TryParse(sizeText, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var size) || size < 0)
            throw Incomplete("The aws-chunked body has a malformed chunk header.");
        if (_signed is not null)
        {
            const string prefix = "chunk-signature=";
            var extension = semicolon < 0 ? "" : header[(semicolon + 1)..];
            if (!extension.StartsWith(prefix, StringComparison.Ordinal))
                throw SignatureError();
            _expectedChunkSignature = extension[prefix.Length..];
            _chunkHash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        }
        if (size > 0)
        {
            _chunkRemaining = size;
            return;
        }
        // The final chunk: verify its (empty) signature, then read the trailers.
        if (_signed is not null) VerifyChunk(EmptyHash);
        await ReadTrailersAsync(cancellationToken).ConfigureAwait(false);
        if (_decodedLength >= 0 && _total != _decodedLength)
            throw Incomplete("The decoded body length does not match x-amz-decoded-content-length.");
        _done = true;
    }

    private async Task EndChunkAsync(CancellationToken cancellationToken)
    {
        if (await ReadLineAsync(cancellationToken).ConfigureAwait(false) != "")
            throw Incomplete("The aws-chunked body has data after a chunk's declared size.");
        if (_signed is not null) VerifyChunk(Convert.ToHexStringLower(_chunkHash!.GetHashAndReset()));
    }

    private void VerifyChunk(string chunkHash)
    {
        var stringToSign = $"AWS4-HMAC-SHA256-PAYLOAD\n{_signed!.AmzDate}\n{_scope}\n{_previousSignature}\n{EmptyHash}\n{chunkHash}";
        var expected = Convert.ToHexStringLower(HMACSHA256.HashData(_signed.SigningKey, Encoding.UTF8.GetBytes(stringToSign)));
        if (!CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(_expectedChunkSignature.ToLowerInvariant())))
            throw SignatureError();
        _previousSignature = expected;
    }

    private async Task ReadTrailersAsync(CancellationToken cancellationToken)
    {
        var canonical = new StringBuilder();
        string? trailerSignature = null;
        while (true)
        {
            var line = await ReadLineAsync(cancellationToken, allowEnd: true).ConfigureAwait(false);
            if (line.Length == 0) break;
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0) throw MalformedTrailer();
            var name = line[..colon].Trim().ToLowerInvariant();
            var value = line[(colon + 1)..].Trim();
            if (name == "x-amz-trailer-signature")
            {
                trailerSignature = value;
                continue;
            }
            _trailers[name] = value;
            canonical.Append(name).Append(':').Append(value).Append('\n');
        }
        if (_signed is not null && _trailers.Count > 0)
        {
            if (trailerSignature is null) throw SignatureError();
            var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical.ToString())));
            var stringToSign = $"AWS4-HMAC-SHA256-TRAILER\n{_signed.AmzDate}\n{_scope}\n{_previousSignature}\n{hash}";
            var expected = Convert.ToHexStringLower(HMACSHA256.HashData(_signed.SigningKey, Encoding.UTF8.GetBytes(stringToSign)));
            if (!CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(trailerSignature.ToLowerInvariant())))
                throw SignatureError();
        }
        if (_trailers.Count != _declaredTrailers.Count || !_declaredTrailers.All(_trailers.ContainsKey))
            throw MalformedTrailer();
    }

    private async Task<string> ReadLineAsync(CancellationToken cancellationToken, bool allowEnd = false)
    {
        var line = new StringBuilder();
        while (true)
        {
            if (_bufferStart == _bufferEnd)
            {
                if (!await TryFillAsync(cancellationToken).ConfigureAwait(false))
                {
                    if (allowEnd && line.Length == 0) return "";
                    throw Incomplete("The aws-chunked body ended early.");
                }
            }
            var b = _buffer[_bufferStart++];
            if (b == '\n')
            {
                if (line.Length > 0 && line[^1] == '\r') line.Length--;
                return line.ToString();
            }
            line.Append((char)b);
            if (line.Length > MaxLine) throw Incomplete("The aws-chunked body has an over-long line.");
        }
    }

    private async Task FillAsync(CancellationToken cancellationToken)
    {
        if (!await TryFillAsync(cancellationToken).ConfigureAwait(false))
            throw Incomplete("The aws-chunked body ended inside a chunk.");
    }

    private async Task<bool> TryFillAsync(CancellationToken cancellationToken)
    {
        var read = await _inner.ReadAsync(_buffer, cancellationToken).ConfigureAwait(false);
        _bufferStart = 0;
        _bufferEnd = read;
        return read > 0;
    }

    private static ObjectStoreException Incomplete(string message) => new(ObjectStoreError.IncompleteBody, message);

    private static ObjectStoreException MalformedTrailer() => new(ObjectStoreError.MalformedTrailer,
        "The request contained trailing data that was not well-formed or did not conform to our published schema.");

    private static ObjectStoreException SignatureError() => new(ObjectStoreError.SignatureDoesNotMatch,
        "The request signature we calculated does not match the signature you provided. Check your key and signing method.");

    /// <inheritdoc />
    public override long Position { get => _total; set => throw new NotSupportedException(); }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing) _chunkHash?.Dispose();
        base.Dispose(disposing);
    }
}
