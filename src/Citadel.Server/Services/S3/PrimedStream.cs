namespace Citadel.Server.Services.S3;

/// <summary>
/// Reads (and so authenticates) the first part of an object before the response starts, so a damaged small
/// object is answered with an S3 error instead of a connection cut after the headers.
/// </summary>
public static class PrimedStream
{
    private const int PrimeBytes = 256 * 1024;

    /// <summary>Returns a stream equivalent to <paramref name="content"/> whose first 256 KiB were already read and verified.</summary>
    /// <param name="content">The object's content.</param>
    /// <param name="length">The content's length: a small object gets a buffer of its size, not 256 KiB.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    public static async Task<Stream> OpenAsync(Stream content, long length, CancellationToken cancellationToken)
    {
        var buffer = new byte[Math.Clamp(length, 0, PrimeBytes)];
        var filled = 0;
        try
        {
            while (filled < buffer.Length)
            {
                var read = await content.ReadAsync(buffer.AsMemory(filled), cancellationToken).ConfigureAwait(false);
                if (read == 0) break;
                filled += read;
            }
        }
        catch
        {
            await content.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        return new ObjectStore.ConcatenatedStream([new MemoryStream(buffer, 0, filled, writable: false), content]);
    }
}
