using System.Buffers;
using Citadel.Crypto;

namespace Citadel.ObjectStore.Encryption;

/// <summary>
/// Read-only stream of plaintext bytes [start, end) of one segment: reads the covering chunks from the
/// ciphertext (after the 56-byte header) through one open of the stored range, up to 16 chunks per read,
/// authenticates each chunk before releasing a byte of it, and fails
/// with <see cref="ObjectStoreException"/> (ObjectCorrupted) on the first chunk that does not verify —
/// damaged or tampered data is never returned.
/// </summary>
/// <remarks>
/// Whole chunks are decrypted straight into the caller's buffer when the read starts on a chunk boundary and the
/// buffer holds at least one chunk that lies wholly inside the range (the server's response writer hands over
/// 256 KiB of its output pipe, so a large GET decrypts into the socket's buffers without a copy). Only a chunk cut
/// by the range's edges, or a read into a buffer smaller than a chunk, goes through a buffer of its own. A read
/// that fails leaves nothing it decrypted counted as read (the caller's buffer may hold verified chunks of the
/// same batch; they are not returned).
/// </remarks>
public sealed class DecryptingStream : ReadOnlyAsyncStream
{
    private const int ChunksPerRead = 16;
    private readonly Func<long, long, CancellationToken, Task<Stream>> _openCiphertext;
    private readonly ChunkedAead _aead;
    private readonly long _plaintextSize;
    private readonly long _end;
    // The range's first chunk and its number of chunks: they bound the stored bytes read and the buffers' sizes.
    private readonly long _firstChunk;
    private readonly int _batchChunks;
    private long _position;
    // The next chunk the ciphertext stream will deliver: chunks are read front to back, each once.
    private long _nextChunk;
    // Rented from the shared pool and sized to the range (a 4 KiB object needs one chunk, not 16): a fresh pair of
    // 256 KiB arrays per GET lands on the large object heap, to be zeroed now and collected by a full GC soon.
    // _plain is rented only when a read cannot decrypt into the caller's buffer.
    private byte[]? _sealed;
    private byte[]? _plain;
    private int _plainUsed;
    private int _plainStart;
    private int _plainEnd;
    private bool _disposed;
    // The stored bytes of every chunk the range covers, opened at the first read and read front to back: one open
    // per read instead of one per 16 chunks (a file open and seek, or a ranged GET on an S3 backend, per 256 KiB).
    private Stream? _ciphertext;

    /// <param name="openCiphertext">Opens (offset, length) of the segment's stored bytes.</param>
    /// <param name="aead">The segment's opened cipher (header already checked); disposed with this stream.</param>
    /// <param name="plaintextSize">The segment's plaintext size.</param>
    /// <param name="start">First plaintext byte to return.</param>
    /// <param name="end">One past the last plaintext byte to return.</param>
    /// <param name="ciphertext">
    /// The stored bytes of the range's chunks already opened (positioned at its first chunk), or null to open them at
    /// the first read; disposed with this stream.
    /// </param>
    public DecryptingStream(Func<long, long, CancellationToken, Task<Stream>> openCiphertext, ChunkedAead aead, long plaintextSize, long start, long end,
        Stream? ciphertext = null)
    {
        _ciphertext = ciphertext;
        _openCiphertext = openCiphertext;
        _aead = aead;
        _plaintextSize = plaintextSize;
        _position = start;
        _end = end;
        _firstChunk = start / ChunkedAead.ChunkSize;
        _nextChunk = _firstChunk;
        var rangeChunks = end > start ? (end - 1) / ChunkedAead.ChunkSize - _firstChunk + 1 : 0;
        _batchChunks = (int)Math.Min(ChunksPerRead, rangeChunks);
    }

    /// <inheritdoc />
    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (buffer.Length == 0) return 0;
        if (_plainStart == _plainEnd)
        {
            if (_position >= _end) return 0;
            var direct = DirectChunks(buffer.Length);
            if (direct > 0) return await DecryptIntoAsync(buffer, direct, cancellationToken).ConfigureAwait(false);
            // A chunk cut by the range's edge (one chunk), or a buffer smaller than a chunk (a batch, served over several reads).
            await FillAsync(buffer.Length >= ChunkedAead.ChunkSize ? 1 : _batchChunks, cancellationToken).ConfigureAwait(false);
        }
        var take = Math.Min(buffer.Length, _plainEnd - _plainStart);
        _plain!.AsMemory(_plainStart, take).CopyTo(buffer);
        _plainStart += take;
        return take;
    }

    /// <summary>How many whole chunks from the current position fit a buffer of <paramref name="capacity"/> bytes and lie wholly inside the range.</summary>
    private int DirectChunks(int capacity)
    {
        if (_position % ChunkedAead.ChunkSize != 0) return 0;
        var count = 0;
        long bytes = 0;
        for (var chunk = _position / ChunkedAead.ChunkSize; count < _batchChunks; chunk++, count++)
        {
            var chunkStart = chunk * ChunkedAead.ChunkSize;
            var chunkEnd = Math.Min(chunkStart + ChunkedAead.ChunkSize, _plaintextSize);
            if (chunkStart >= _end || chunkEnd > _end || bytes + (chunkEnd - chunkStart) > capacity) break;
            bytes += chunkEnd - chunkStart;
        }
        return count;
    }

    /// <summary>Decrypts <paramref name="chunkCount"/> whole chunks at the current (chunk-aligned) position into <paramref name="buffer"/>.</summary>
    private async ValueTask<int> DecryptIntoAsync(Memory<byte> buffer, int chunkCount, CancellationToken cancellationToken)
    {
        var firstChunk = _position / ChunkedAead.ChunkSize;
        var plainLength = await ReadSealedAsync(firstChunk, chunkCount, cancellationToken).ConfigureAwait(false);
        OpenChunks(firstChunk, chunkCount, plainLength, buffer.Span);
        _position += plainLength;
        return (int)plainLength;
    }

    /// <summary>Decrypts up to <paramref name="maxChunks"/> chunks from the current position into the stream's own buffer.</summary>
    private async Task FillAsync(int maxChunks, CancellationToken cancellationToken)
    {
        var firstChunk = _position / ChunkedAead.ChunkSize;
        var lastChunk = Math.Min((_end - 1) / ChunkedAead.ChunkSize, firstChunk + maxChunks - 1);
        var chunkCount = (int)(lastChunk - firstChunk + 1);
        var plainOfFirst = firstChunk * ChunkedAead.ChunkSize;
        _plain ??= ArrayPool<byte>.Shared.Rent(_batchChunks * ChunkedAead.ChunkSize);
        var plainLength = await ReadSealedAsync(firstChunk, chunkCount, cancellationToken).ConfigureAwait(false);
        // Counted before decrypting: chunks opened before one that fails hold plaintext too.
        _plainUsed = Math.Max(_plainUsed, (int)plainLength);
        OpenChunks(firstChunk, chunkCount, plainLength, _plain);
        _plainStart = (int)(_position - plainOfFirst);
        _plainEnd = (int)(Math.Min(_end, plainOfFirst + plainLength) - plainOfFirst);
        _position = plainOfFirst + _plainEnd;
    }

    /// <summary>Reads the stored bytes of chunks [firstChunk, firstChunk + chunkCount) into <c>_sealed</c>; returns their plaintext length.</summary>
    private async ValueTask<long> ReadSealedAsync(long firstChunk, int chunkCount, CancellationToken cancellationToken)
    {
        if (firstChunk != _nextChunk) throw new InvalidOperationException("Chunks are read front to back, each once.");
        var plainLength = Math.Min(_plaintextSize, (firstChunk + chunkCount) * ChunkedAead.ChunkSize) - firstChunk * ChunkedAead.ChunkSize;
        var sealedLength = (int)(plainLength + chunkCount * ChunkedAead.TagSize);
        _ciphertext ??= await OpenRangeAsync(cancellationToken).ConfigureAwait(false);
        _sealed ??= ArrayPool<byte>.Shared.Rent(_batchChunks * ChunkedAead.SealedChunkSize);
        var read = 0;
        while (read < sealedLength)
        {
            var n = await _ciphertext.ReadAsync(_sealed!.AsMemory(read, sealedLength - read), cancellationToken).ConfigureAwait(false);
            if (n == 0) throw Corrupted();
            read += n;
        }
        _nextChunk = firstChunk + chunkCount;
        return plainLength;
    }

    /// <summary>Authenticates and decrypts the chunks in <c>_sealed</c> into <paramref name="plaintext"/>; throws on the first one that does not verify.</summary>
    private void OpenChunks(long firstChunk, int chunkCount, long plainLength, Span<byte> plaintext)
    {
        var plainOffset = 0;
        for (var i = 0; i < chunkCount; i++)
        {
            var plain = (int)Math.Min(ChunkedAead.ChunkSize, plainLength - plainOffset);
            try
            {
                _aead.OpenChunk(firstChunk + i, _sealed!.AsSpan(i * ChunkedAead.SealedChunkSize, plain + ChunkedAead.TagSize), plaintext.Slice(plainOffset, plain));
            }
            catch (AuthenticationFailedException)
            {
                throw Corrupted();
            }
            plainOffset += plain;
        }
    }

    /// <summary>Opens the stored bytes from the range's first chunk to the end of the last chunk it needs.</summary>
    private Task<Stream> OpenRangeAsync(CancellationToken cancellationToken)
    {
        var lastChunk = (_end - 1) / ChunkedAead.ChunkSize;
        var plainLength = Math.Min(_plaintextSize, (lastChunk + 1) * ChunkedAead.ChunkSize) - _firstChunk * ChunkedAead.ChunkSize;
        var storedLength = plainLength + (lastChunk - _firstChunk + 1) * ChunkedAead.TagSize;
        return _openCiphertext(ChunkedAead.HeaderSize + ChunkedAead.ChunkOffset(_firstChunk), storedLength, cancellationToken);
    }

    private static ObjectStoreException Corrupted() => new(ObjectStoreError.ObjectCorrupted,
        "The stored object did not authenticate: it is damaged or was tampered with, and no data was returned from the damaged part.");

    /// <inheritdoc />
    public override long Position { get => _position - (_plainEnd - _plainStart); set => throw new NotSupportedException(); }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing && !_disposed)
        {
            _disposed = true;
            _ciphertext?.Dispose();
            _aead.Dispose();
            if (_plain is not null)
            {
                // Plaintext never goes back to the pool.
                _plain.AsSpan(0, _plainUsed).Clear();
                ArrayPool<byte>.Shared.Return(_plain);
            }
            if (_sealed is not null) ArrayPool<byte>.Shared.Return(_sealed);
        }
        base.Dispose(disposing);
    }
}
