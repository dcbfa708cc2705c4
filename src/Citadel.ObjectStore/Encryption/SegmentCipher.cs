using System.Buffers;
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
/// <remarks>
/// A chunk that arrives whole in one write (and is not the last) is sealed straight from the caller's buffer; only a
/// chunk split across writes, or one that may be the final chunk, is gathered in a buffer of its own first. Sealed
/// chunks collect in a batch (the header first) that goes to <c>output</c> in one write: one chunk's worth until the
/// object proves larger than a chunk, then up to 2 MiB (127 chunks), so a large object is written in pieces larger than
/// the local blob store's 1 MiB write buffer, which passes them to the file without copying.
/// </remarks>
public sealed class EncryptingStream : Stream, ISegmentWriter
{
    private const int LargeBatch = 2 << 20;
    private readonly Stream _output;
    private readonly ChunkedAead _aead;
    private byte[] _buffer = ArrayPool<byte>.Shared.Rent(ChunkedAead.ChunkSize);
    // The header and one sealed chunk fit the first batch: a small object needs no more.
    private byte[] _batch = ArrayPool<byte>.Shared.Rent(ChunkedAead.HeaderSize + ChunkedAead.SealedChunkSize);
    private int _batched;
    private int _filled;
    private long _index;
    private long _length;
    private bool _disposed;

    /// <summary>Starts a message under <paramref name="objectKey"/> with <paramref name="context"/>.</summary>
    public EncryptingStream(Stream output, ReadOnlySpan<byte> objectKey, ReadOnlySpan<byte> context, IRandom random)
    {
        _output = output;
        _aead = ChunkedAead.ForEncryption(objectKey, context, random, _batch.AsSpan(0, ChunkedAead.HeaderSize));
        _batched = ChunkedAead.HeaderSize;
    }

    /// <summary>Plaintext bytes written so far.</summary>
    public long PlaintextLength => _length;

    /// <inheritdoc />
    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _length += buffer.Length;
        while (buffer.Length > 0)
        {
            // A full chunk is sealed only when more data follows it: the final chunk must be the short one.
            if (_filled == ChunkedAead.ChunkSize)
            {
                await SealAsync(_buffer.AsMemory(0, ChunkedAead.ChunkSize), cancellationToken).ConfigureAwait(false);
                _filled = 0;
            }
            if (_filled == 0 && buffer.Length > ChunkedAead.ChunkSize)
            {
                await SealAsync(buffer[..ChunkedAead.ChunkSize], cancellationToken).ConfigureAwait(false);
                buffer = buffer[ChunkedAead.ChunkSize..];
                continue;
            }
            var take = Math.Min(buffer.Length, ChunkedAead.ChunkSize - _filled);
            buffer.Span[..take].CopyTo(_buffer.AsSpan(_filled));
            _filled += take;
            buffer = buffer[take..];
        }
    }

    /// <summary>Seals the buffered data as chunks and the final short (possibly empty) chunk, and writes out what is batched.</summary>
    public async Task CompleteAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_filled == ChunkedAead.ChunkSize)
        {
            await SealAsync(_buffer.AsMemory(0, ChunkedAead.ChunkSize), cancellationToken).ConfigureAwait(false);
            _filled = 0;
        }
        await SealAsync(_buffer.AsMemory(0, _filled), cancellationToken).ConfigureAwait(false);
        _filled = 0;
        await WriteBatchAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Seals the next chunk into the batch, writing the batch out first when the chunk does not fit.</summary>
    private async ValueTask SealAsync(ReadOnlyMemory<byte> plaintext, CancellationToken cancellationToken)
    {
        var sealedLength = plaintext.Length + ChunkedAead.TagSize;
        if (_batch.Length - _batched < sealedLength)
        {
            await WriteBatchAsync(cancellationToken).ConfigureAwait(false);
            if (_batch.Length < LargeBatch)
            {
                // More than a chunk: the object is worth a large batch.
                ArrayPool<byte>.Shared.Return(_batch);
                _batch = ArrayPool<byte>.Shared.Rent(LargeBatch);
            }
        }
        _aead.SealChunk(_index++, plaintext.Span, _batch.AsSpan(_batched, sealedLength));
        _batched += sealedLength;
    }

    private async ValueTask WriteBatchAsync(CancellationToken cancellationToken)
    {
        if (_batched == 0) return;
        await _output.WriteAsync(_batch.AsMemory(0, _batched), cancellationToken).ConfigureAwait(false);
        _batched = 0;
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
        if (disposing && !_disposed)
        {
            _disposed = true;
            _aead.Dispose();
            // Plaintext never goes back to the pool; the batch holds only ciphertext.
            _buffer.AsSpan(0, ChunkedAead.ChunkSize).Clear();
            ArrayPool<byte>.Shared.Return(_buffer);
            ArrayPool<byte>.Shared.Return(_batch);
            _buffer = [];
            _batch = [];
        }
        base.Dispose(disposing);
    }
}
