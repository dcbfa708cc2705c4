using System.Buffers;
using Microsoft.AspNetCore.Http;

namespace Citadel.Server.Hosting;

/// <summary>
/// The one way a whole request body is read (awsJson, query, admin and operator endpoints; S3 streams instead): the limit is
/// checked before reading, on the declared Content-Length, and again while reading a body without one, so no request, signed
/// or not, makes the server hold more than the limit (plus one chunk) in memory. A body that cannot be had is a
/// <see cref="RequestBodyException"/>, which each endpoint answers in its own protocol's shape.
/// </summary>
public static class RequestBodies
{
    private const int ChunkSize = 16384;

    /// <summary>The body; throws <see cref="RequestBodyException"/> when it is longer than <paramref name="maxBytes"/> or unreadable.</summary>
    public static async Task<byte[]> ReadAsync(HttpRequest request, int maxBytes, CancellationToken cancellationToken)
    {
        if (request.ContentLength > maxBytes) throw RequestBodyException.TooLarge(maxBytes);
        try
        {
            if (request.ContentLength is { } declared)
            {
                // The usual case: read straight into the one array the request keeps (Kestrel ends the body at Content-Length).
                var exact = new byte[declared];
                var filled = await request.Body.ReadAtLeastAsync(exact, exact.Length, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
                return filled == exact.Length ? exact : exact[..filled];
            }
            using var buffer = new MemoryStream();
            var chunk = ArrayPool<byte>.Shared.Rent(ChunkSize);
            try
            {
                int read;
                while ((read = await request.Body.ReadAsync(chunk.AsMemory(0, ChunkSize), cancellationToken).ConfigureAwait(false)) > 0)
                {
                    if (buffer.Length + read > maxBytes) throw RequestBodyException.TooLarge(maxBytes);
                    buffer.Write(chunk, 0, read);
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(chunk);
            }
            return buffer.ToArray();
        }
        catch (BadHttpRequestException e)
        {
            // Kestrel throws from the read when the client's framing of the body is broken: a chunk size that is not hex, a
            // chunk longer than declared, a body that ends before its Content-Length, or Kestrel's own size limit.
            throw e.StatusCode == 413 ? RequestBodyException.TooLarge(maxBytes) : new RequestBodyException(400, "The request body could not be read: " + e.Message);
        }
        catch (IOException e)
        {
            // Kestrel's chunk parser reports a chunk size past Int32 as an IOException ("Bad chunk size data"); a client that
            // went away is one too (its answer then goes nowhere).
            throw new RequestBodyException(400, "The request body could not be read: " + e.Message);
        }
    }
}

/// <summary>A request body that is too large (413) or whose HTTP framing is broken (400).</summary>
public sealed class RequestBodyException(int status, string message) : Exception(message)
{
    /// <summary>413 for a body past its limit, 400 for one that could not be read.</summary>
    public int Status { get; } = status;

    /// <summary>A body past its limit.</summary>
    public static RequestBodyException TooLarge(int maxBytes) => new(413, $"The request body is larger than {(maxBytes >= 1 << 20 ? $"{maxBytes >> 20} MiB" : $"{maxBytes >> 10} KiB")}.");
}
