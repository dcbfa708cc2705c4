using Citadel.ObjectStore;
using Microsoft.AspNetCore.Http;

namespace Citadel.Server.Protocols.S3;

/// <summary>
/// An S3 request's body as the client sent it. Kestrel reports a broken HTTP framing of the body as a
/// <see cref="BadHttpRequestException"/>, except a chunk size past Int32, which it throws as a plain IOException ("Bad
/// chunk size data"); a dropped client is an IOException too (the request is aborted by then, and the answer goes
/// nowhere). Both are the client's, so they are reported here as the
/// <see cref="BadHttpRequestException"/> the endpoint answers with IncompleteBody, and an IOException from the object
/// layer's own storage stays what it is: an internal error.
/// </summary>
public sealed class RequestBodyStream(Stream inner) : ReadOnlyAsyncStream
{
    /// <inheritdoc />
    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        try
        {
            return await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        }
        catch (IOException e) when (e is not BadHttpRequestException)
        {
            throw new BadHttpRequestException("The request body could not be read: " + e.Message, StatusCodes.Status400BadRequest, e);
        }
    }
}
