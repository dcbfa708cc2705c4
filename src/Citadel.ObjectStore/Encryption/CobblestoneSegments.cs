using Citadel.Crypto;
using Citadel.ObjectStore.Blobs;
using Citadel.ObjectStore.Model;

namespace Citadel.ObjectStore.Encryption;

/// <summary>
/// The segment cipher of the object store: each segment is one Cobblestone-256 message
/// (<see cref="EncryptingStream"/> to write, <see cref="DecryptingStream"/> to read a range).
/// </summary>
internal sealed class CobblestoneSegments(IRandom random) : ISegmentCipher
{
    /// <inheritdoc />
    public ISegmentWriter StartWriting(Stream output, ReadOnlySpan<byte> objectKey, ReadOnlySpan<byte> context)
        => new EncryptingStream(output, objectKey, context, random);

    /// <inheritdoc />
    /// <remarks>
    /// A read that starts in the first chunk opens the header and the chunks it needs in one go, and takes the blob's
    /// length (checked against the segment's) from that same open: one ranged GET on an S3 backend, one file open on
    /// local disk. A read that starts further in opens the header (with the length) and then its chunks.
    /// </remarks>
    public async Task<Stream> OpenReadAsync(IBlobStore blobs, StoredSegment segment, byte[] objectKey, byte[] context, long start, long end,
        CancellationToken cancellationToken)
    {
        var firstChunk = start / ChunkedAead.ChunkSize;
        var lastChunk = end > start ? (end - 1) / ChunkedAead.ChunkSize : firstChunk - 1;
        var chunksLength = lastChunk < firstChunk ? 0
            : Math.Min(segment.PlaintextSize, (lastChunk + 1) * ChunkedAead.ChunkSize) - firstChunk * ChunkedAead.ChunkSize
              + (lastChunk - firstChunk + 1) * ChunkedAead.TagSize;
        var together = firstChunk == 0;
        BlobRead opened;
        try
        {
            opened = await blobs.OpenReadWithLengthAsync(segment.Blob, 0, ChunkedAead.HeaderSize + (together ? chunksLength : 0), cancellationToken).ConfigureAwait(false);
        }
        catch (FileNotFoundException)
        {
            throw WrongLength();
        }
        var stream = opened.Content;
        ChunkedAead aead;
        try
        {
            if (opened.BlobLength != SegmentCipher.StoredSize(segment.PlaintextSize)) throw WrongLength();
            var header = new byte[ChunkedAead.HeaderSize];
            await stream.ReadExactlyAsync(header, cancellationToken).ConfigureAwait(false);
            aead = ChunkedAead.ForDecryption(objectKey, context, header);
        }
        catch (AuthenticationFailedException)
        {
            await stream.DisposeAsync().ConfigureAwait(false);
            throw new ObjectStoreException(ObjectStoreError.ObjectCorrupted, "The stored object's header did not authenticate: it is damaged or was tampered with.");
        }
        catch
        {
            await stream.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        // Positioned at chunk 0 when opened together; otherwise the decrypting stream opens its chunks at its first read.
        if (!together) await stream.DisposeAsync().ConfigureAwait(false);
        return new DecryptingStream((offset, length, ct) => blobs.OpenReadAsync(segment.Blob, offset, length, ct), aead, segment.PlaintextSize, start, end,
            together ? stream : null);
    }

    private static ObjectStoreException WrongLength()
        => new(ObjectStoreError.ObjectCorrupted, "The stored object is missing or has the wrong length: it is damaged or was tampered with.");
}
