using System.Buffers;
using Microsoft.AspNetCore.Http;

namespace Citadel.Server.Hosting;

/// <summary>
/// The one way a whole request body is read (awsJson, query, admin and operator endpoints; S3 streams instead): the limit is
/// checked before reading, on the declared Content-Length, and again while reading a body without one, so no request, signed
/// or not, makes the server hold more than the limit (plus one chunk) in memory.
/// </summary>
public static class RequestBodies
{
    private const int ChunkSize = 16384;

    /// <summary>The body when it is at most <paramref name="maxBytes"/> long; null when it is longer (nothing past the limit is kept).</summary>
    public static async Task<byte[]?> ReadAsync(HttpRequest request, int maxBytes, CancellationToken cancellationToken)
    {
        if (request.ContentLength > maxBytes) return null;
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
                if (buffer.Length + read > maxBytes) return null;
                buffer.Write(chunk, 0, read);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }
        return buffer.ToArray();
    }
}
