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
    public async Task<Stream> OpenReadAsync(IBlobStore blobs, StoredSegment segment, byte[] objectKey, byte[] context, long start, long end,
        CancellationToken cancellationToken)
    {
        var stored = await blobs.LengthAsync(segment.Blob, cancellationToken).ConfigureAwait(false);
        if (stored != SegmentCipher.StoredSize(segment.PlaintextSize))
            throw new ObjectStoreException(ObjectStoreError.ObjectCorrupted, "The stored object is missing or has the wrong length: it is damaged or was tampered with.");
        var header = new byte[ChunkedAead.HeaderSize];
        var stream = await blobs.OpenReadAsync(segment.Blob, 0, header.Length, cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
            await stream.ReadExactlyAsync(header, cancellationToken).ConfigureAwait(false);
        ChunkedAead aead;
        try
        {
            aead = ChunkedAead.ForDecryption(objectKey, context, header);
        }
        catch (AuthenticationFailedException)
        {
            throw new ObjectStoreException(ObjectStoreError.ObjectCorrupted, "The stored object's header did not authenticate: it is damaged or was tampered with.");
        }
        return new DecryptingStream((offset, length, ct) => blobs.OpenReadAsync(segment.Blob, offset, length, ct), aead, segment.PlaintextSize, start, end);
    }
}
