using System.Globalization;
using Citadel.Crypto;

namespace Citadel.ObjectStore.Encryption;

/// <summary>
/// The stream decorators between the S3 handlers and the blob store: an encrypting writer that turns plaintext
/// into one Cobblestone-256 message, and a decrypting reader that opens only the chunks a range needs. The
/// Cobblestone context binds the segment to its bucket, key and part number, so ciphertext moved to another
/// object does not decrypt.
/// </summary>
public static class SegmentCipher
{
    /// <summary>The Cobblestone context of a segment.</summary>
    public static byte[] Context(string bucket, string key, int partNumber)
        => CanonicalEncoding.EncodeFields("citadel/s3/segment/v1", bucket, key, partNumber.ToString(CultureInfo.InvariantCulture));

    /// <summary>The stored (ciphertext) size of a segment of <paramref name="plaintextSize"/> bytes.</summary>
    public static long StoredSize(long plaintextSize) => ChunkedAead.CiphertextLength(plaintextSize);
}

/// <summary>Write-only stream: plaintext in, Cobblestone-256 ciphertext out to <c>output</c>. Call <see cref="CompleteAsync"/> to seal the final chunk.</summary>
public sealed class EncryptingStream : Stream, ISegmentWriter
{
    private readonly Stream _output;
    private readonly ChunkedAead _aead;
    private readonly byte[] _buffer = new byte[ChunkedAead.ChunkSize];
    private readonly byte[] _sealed = new byte[ChunkedAead.SealedChunkSize];
    private int _filled;
    private long _index;
    private long _length;
    private bool _headerWritten;
    private readonly byte[] _header = new byte[ChunkedAead.HeaderSize];

    /// <summary>Starts a message under <paramref name="objectKey"/> with <paramref name="context"/>.</summary>
    public EncryptingStream(Stream output, ReadOnlySpan<byte> objectKey, ReadOnlySpan<byte> context, IRandom random)
    {
        _output = output;
        _aead = ChunkedAead.ForEncryption(objectKey, context, random, _header);
    }

    /// <summary>Plaintext bytes written so far.</summary>
    public long PlaintextLength => _length;

    /// <inheritdoc />
    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (!_headerWritten)
        {
            await _output.WriteAsync(_header, cancellationToken).ConfigureAwait(false);
            _headerWritten = true;
        }
        while (buffer.Length > 0)
        {
            // A full buffer is sealed only when more data arrives: the final chunk must be the short one.
            if (_filled == ChunkedAead.ChunkSize) await SealBufferAsync(cancellationToken).ConfigureAwait(false);
            var take = Math.Min(buffer.Length, ChunkedAead.ChunkSize - _filled);
            buffer.Span[..take].CopyTo(_buffer.AsSpan(_filled));
            _filled += take;
            _length += take;
            buffer = buffer[take..];
        }
    }

    /// <summary>Seals the buffered data as chunks and the final short (possibly empty) chunk.</summary>
    public async Task CompleteAsync(CancellationToken cancellationToken)
    {
        if (!_headerWritten)
        {
            await _output.WriteAsync(_header, cancellationToken).ConfigureAwait(false);
            _headerWritten = true;
        }
        if (_filled == ChunkedAead.ChunkSize) await SealBufferAsync(cancellationToken).ConfigureAwait(false);
        await SealBufferAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task SealBufferAsync(CancellationToken cancellationToken)
    {
        var sealedLength = _filled + ChunkedAead.TagSize;
        _aead.SealChunk(_index++, _buffer.AsSpan(0, _filled), _sealed.AsSpan(0, sealedLength));
        await _output.WriteAsync(_sealed.AsMemory(0, sealedLength), cancellationToken).ConfigureAwait(false);
        _filled = 0;
    }

    /// <inheritdoc />
    public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();
    /// <inheritdoc />
    public override bool CanRead => false;
    /// <inheritdoc />
    public override bool CanSeek => false;
    /// <inheritdoc />
    public override bool CanWrite => true;
    /// <inheritdoc />
    public override long Length => throw new NotSupportedException();
    /// <inheritdoc />
    public override long Position { get => _length; set => throw new NotSupportedException(); }
    /// <inheritdoc />
    public override void Flush() { }
    /// <inheritdoc />
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    /// <inheritdoc />
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    /// <inheritdoc />
    public override void SetLength(long value) => throw new NotSupportedException();

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _aead.Dispose();
            Array.Clear(_buffer);
        }
        base.Dispose(disposing);
    }
}
