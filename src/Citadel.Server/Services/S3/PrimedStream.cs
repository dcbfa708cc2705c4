using System.Buffers;
using Citadel.ObjectStore;

namespace Citadel.Server.Services.S3;

/// <summary>
/// Reads (and so authenticates) the first part of an object before the response starts, so a damaged small
/// object is answered with an S3 error instead of a connection cut after the headers. The primed bytes sit in a
/// pooled buffer (zeroed before it goes back) and are returned first; the rest is read from the content.
/// </summary>
public sealed class PrimedStream : ReadOnlyAsyncStream
{
    private const int PrimeBytes = 256 * 1024;
    private readonly Stream _content;
    private byte[]? _primed;
    private readonly int _filled;
    private int _offset;

    private PrimedStream(Stream content, byte[] primed, int filled)
    {
        _content = content;
        _primed = primed;
        _filled = filled;
    }

    /// <summary>Returns a stream equivalent to <paramref name="content"/> whose first 256 KiB were already read and verified.</summary>
    /// <param name="content">The object's content; disposed with the returned stream, or here when reading fails.</param>
    /// <param name="length">The content's length: a small object gets a buffer of its size, not 256 KiB.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    public static async Task<Stream> OpenAsync(Stream content, long length, CancellationToken cancellationToken)
    {
        var size = (int)Math.Clamp(length, 0, PrimeBytes);
        var buffer = ArrayPool<byte>.Shared.Rent(size);
        var filled = 0;
        try
        {
            while (filled < size)
            {
                var read = await content.ReadAsync(buffer.AsMemory(filled, size - filled), cancellationToken).ConfigureAwait(false);
                if (read == 0) break;
                filled += read;
            }
        }
        catch
        {
            // A failed read may have left verified plaintext of its batch in the buffer.
            buffer.AsSpan(0, size).Clear();
            Release(buffer);
            await content.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        return new PrimedStream(content, buffer, filled);
    }

    /// <inheritdoc />
    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_primed is null, this);
        if (_offset < _filled)
        {
            var take = Math.Min(buffer.Length, _filled - _offset);
            _primed.AsSpan(_offset, take).CopyTo(buffer.Span);
            _offset += take;
            return ValueTask.FromResult(take);
        }
        return _content.ReadAsync(buffer, cancellationToken);
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing && _primed is { } primed)
        {
            _primed = null;
            _content.Dispose();
            // Plaintext never goes back to the pool.
            primed.AsSpan(0, _filled).Clear();
            Release(primed);
        }
        base.Dispose(disposing);
    }

    private static void Release(byte[] buffer)
    {
        // An empty object rents the shared empty array, which is not the pool's.
        if (buffer.Length > 0) ArrayPool<byte>.Shared.Return(buffer);
    }
}
