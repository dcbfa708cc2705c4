namespace Citadel.ObjectStore;

/// <summary>Reads several streams one after the other (the segments of a multipart object); disposes them.</summary>
public sealed class ConcatenatedStream(IReadOnlyList<Stream> parts) : ReadOnlyAsyncStream
{
    private int _current;

    /// <inheritdoc />
    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (_current < parts.Count)
        {
            var read = await parts[_current].ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
            if (read > 0) return read;
            _current++;
        }
        return 0;
    }


    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing) foreach (var part in parts) part.Dispose();
        base.Dispose(disposing);
    }
}
