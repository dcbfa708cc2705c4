using Citadel.ObjectStore.Blobs;
using Citadel.ObjectStore.Model;

namespace Citadel.ObjectStore.Encryption;

/// <summary>
/// How a segment's plaintext becomes stored bytes and back. The server only ever uses
/// <see cref="CobblestoneSegments"/>. The seam exists so the S3 benchmark (bench/Citadel.S3Bench) can run the
/// same request path with a plain copy in place of the cipher, as its floor. It is internal on purpose: no
/// setting or public API reaches it, so encryption at rest cannot be turned off.
/// </summary>
internal interface ISegmentCipher
{
    /// <summary>Starts writing one segment into <paramref name="output"/> (the blob being written).</summary>
    ISegmentWriter StartWriting(Stream output, ReadOnlySpan<byte> objectKey, ReadOnlySpan<byte> context);

    /// <summary>
    /// Opens plaintext bytes [<paramref name="start"/>, <paramref name="end"/>) of a stored segment; throws
    /// <see cref="ObjectStoreException"/> (ObjectCorrupted) when the blob is damaged. The caller zeroes
    /// <paramref name="objectKey"/> once the returned task completed.
    /// </summary>
    Task<Stream> OpenReadAsync(IBlobStore blobs, StoredSegment segment, byte[] objectKey, byte[] context, long start, long end,
        CancellationToken cancellationToken);
}

/// <summary>One segment being written: plaintext in; <see cref="CompleteAsync"/> ends it (disposing without completing abandons it).</summary>
internal interface ISegmentWriter : IAsyncDisposable
{
    /// <summary>Appends plaintext.</summary>
    ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken);

    /// <summary>Writes whatever ends the segment.</summary>
    Task CompleteAsync(CancellationToken cancellationToken);
}
