namespace Citadel.ObjectStore.Blobs;

/// <summary>
/// Where ciphertext lives. A backend stores opaque, already encrypted blobs by name: it never sees a
/// plaintext byte or a key. A blob is visible only once <see cref="WriteAsync"/> returned (complete and
/// durable); a failed or cancelled write leaves nothing behind under the name.
/// </summary>
public interface IBlobStore
{
    /// <summary>Writes a new blob by letting <paramref name="produce"/> write its content; commits only when it returns normally.</summary>
    /// <returns>The number of bytes written.</returns>
    Task<long> WriteAsync(string name, Func<Stream, CancellationToken, Task> produce, CancellationToken cancellationToken);

    /// <summary>
    /// Opens <paramref name="length"/> bytes from <paramref name="offset"/> (fewer when the blob ends first); throws
    /// <see cref="FileNotFoundException"/> when the blob is missing.
    /// </summary>
    Task<Stream> OpenReadAsync(string name, long offset, long length, CancellationToken cancellationToken);

    /// <summary>
    /// Opens like <see cref="OpenReadAsync"/> and also tells the blob's whole length. A backend that learns the length
    /// from the open itself (a file's size, a ranged GET's Content-Range) answers with one request instead of two;
    /// the default asks <see cref="LengthAsync"/> first. Throws <see cref="FileNotFoundException"/> when the blob is missing.
    /// </summary>
    async Task<BlobRead> OpenReadWithLengthAsync(string name, long offset, long length, CancellationToken cancellationToken)
    {
        var blobLength = await LengthAsync(name, cancellationToken).ConfigureAwait(false);
        if (blobLength < 0) throw new FileNotFoundException($"Blob {name} does not exist.", name);
        return new BlobRead(await OpenReadAsync(name, offset, length, cancellationToken).ConfigureAwait(false), blobLength);
    }

    /// <summary>The blob's length, or -1 when it does not exist.</summary>
    Task<long> LengthAsync(string name, CancellationToken cancellationToken);

    /// <summary>Deletes a blob; deleting a missing blob is not an error.</summary>
    Task DeleteAsync(string name, CancellationToken cancellationToken);

    /// <summary>Every blob name, for garbage collection of blobs no record references.</summary>
    IAsyncEnumerable<string> ListAsync(CancellationToken cancellationToken);
}

/// <summary>An opened range of a blob and the blob's whole length.</summary>
/// <param name="Content">The bytes of the range (fewer when the blob ends first); the caller disposes it.</param>
/// <param name="BlobLength">The length of the whole blob.</param>
public sealed record BlobRead(Stream Content, long BlobLength);
