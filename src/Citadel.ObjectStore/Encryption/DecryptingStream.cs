using System.Buffers;
using Citadel.Crypto;

namespace Citadel.ObjectStore.Encryption;

/// <summary>
/// Read-only stream of plaintext bytes [start, end) of one segment: reads the covering chunks from the
/// ciphertext (after the 56-byte header) through one open of the stored range, 16 chunks at a time,
/// authenticates each chunk before releasing a byte of it, and fails
/// with <see cref="ObjectStoreException"/> (ObjectCorrupted) on the first chunk that does not verify —
/// damaged or tampered data is never returned.
/// </summary>
public sealed class DecryptingStream : ReadOnlyAsyncStream
{
    private const int ChunksPerRead = 16;
    private readonly Func<long, long, CancellationToken, Task<Stream>> _openCiphertext;
    private readonly ChunkedAead _aead;
    private readonly long _plaintextSize;
    private readonly long _end;
    private long _position;
    // Sized to the range (a 4 KiB object needs one chunk, not 16) and rented from the shared pool: a fresh pair of
    // 256 KiB arrays per GET lands on the large object heap, to be zeroed now and collected by a full GC soon.
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
    public DecryptingStream(Func<long, long, CancellationToken, Task<Stream>> openCiphertext, ChunkedAead aead, long plaintextSize, long start, long end)
    {
        _openCiphertext = openCiphertext;
        _aead = aead;
        _plaintextSize = plaintextSize;
        _position = start;
        _end = end;
    }

    /// <inheritdoc />
    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_plainStart == _plainEnd)
        {
            if (_position >= _end) return 0;
            await FillAsync(cancellationToken).ConfigureAwait(false);
        }
        var take = Math.Min(buffer.Length, _plainEnd - _plainStart);
        _plain!.AsMemory(_plainStart, take).CopyTo(buffer);
        _plainStart += take;
        return take;
    }

    private async Task FillAsync(CancellationToken cancellationToken)
    {
        var firstChunk = _position / ChunkedAead.ChunkSize;
        var lastChunk = Math.Min((_end - 1) / ChunkedAead.ChunkSize, firstChunk + ChunksPerRead - 1);
        var chunkCount = (int)(lastChunk - firstChunk + 1);
        var plainOfFirst = firstChunk * ChunkedAead.ChunkSize;
        var plainLength = Math.Min(_plaintextSize, (lastChunk + 1) * ChunkedAead.ChunkSize) - plainOfFirst;
        var sealedLength = (int)(plainLength + chunkCount * ChunkedAead.TagSize);
        if (_ciphertext is null)
        {
            // The first fill starts at the range's first chunk, so no later fill needs more chunks than this one.
            _ciphertext = await OpenRangeAsync(firstChunk, cancellationToken).ConfigureAwait(false);
            _sealed = ArrayPool<byte>.Shared.Rent(chunkCount * ChunkedAead.SealedChunkSize);
            _plain = ArrayPool<byte>.Shared.Rent(chunkCount * ChunkedAead.ChunkSize);
        }
        var read = 0;
        while (read < sealedLength)
        {
            var n = await _ciphertext.ReadAsync(_sealed!.AsMemory(read, sealedLength - read), cancellationToken).ConfigureAwait(false);
            if (n == 0) throw Corrupted();
            read += n;
        }
        // Counted before decrypting: chunks opened before one that fails hold plaintext too.
        _plainUsed = Math.Max(_plainUsed, (int)plainLength);
        var plainOffset = 0;
        for (var i = 0; i < chunkCount; i++)
        {
            var plain = (int)Math.Min(ChunkedAead.ChunkSize, plainLength - plainOffset);
            try
            {
                _aead.OpenChunk(firstChunk + i, _sealed!.AsSpan(i * ChunkedAead.SealedChunkSize, plain + ChunkedAead.TagSize), _plain!.AsSpan(plainOffset, plain));
            }
            catch (AuthenticationFailedException)
            {
                throw Corrupted();
            }
            plainOffset += plain;
        }
        _plainStart = (int)(_position - plainOfFirst);
        _plainEnd = (int)(Math.Min(_end, plainOfFirst + plainLength) - plainOfFirst);
        _position = plainOfFirst + _plainEnd;
    }

    /// <summary>Opens the stored bytes from chunk <paramref name="firstChunk"/> to the end of the last chunk the range needs.</summary>
    private Task<Stream> OpenRangeAsync(long firstChunk, CancellationToken cancellationToken)
    {
        var lastChunk = (_end - 1) / ChunkedAead.ChunkSize;
        var plainLength = Math.Min(_plaintextSize, (lastChunk + 1) * ChunkedAead.ChunkSize) - firstChunk * ChunkedAead.ChunkSize;
        var storedLength = plainLength + (lastChunk - firstChunk + 1) * ChunkedAead.TagSize;
        return _openCiphertext(ChunkedAead.HeaderSize + ChunkedAead.ChunkOffset(firstChunk), storedLength, cancellationToken);
    }

    private static ObjectStoreException Corrupted() => new(ObjectStoreError.ObjectCorrupted,
        "The stored object did not authenticate: it is damaged or was tampered with, and no data was returned from the damaged part.");

    /// <inheritdoc />
    public override long Position { get => _position; set => throw new NotSupportedException(); }

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
