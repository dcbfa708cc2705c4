using Citadel.ObjectStore.Blobs;
using Citadel.ObjectStore.Encryption;
using Citadel.ObjectStore.Model;

namespace Citadel.S3Bench;

/// <summary>
/// The floor: the object store's segment cipher replaced by a plain copy. Plaintext goes to the blob as it
/// arrives and a range is read straight from the blob, so a floor cell runs the whole S3 request path
/// (SigV4, routing, authorization, the SSE-S3 key seal, MD5 for the ETag, the blob write and fsync, the
/// catalog commit, the audit record) except the Cobblestone framing and AES-GCM. It exists only in this
/// harness, through the internal <see cref="ISegmentCipher"/> seam; no server setting can select it.
/// </summary>
internal sealed class PlainCopySegments : ISegmentCipher
{
    public ISegmentWriter StartWriting(Stream output, ReadOnlySpan<byte> objectKey, ReadOnlySpan<byte> context) => new Writer(output);

    public async Task<Stream> OpenReadAsync(IBlobStore blobs, StoredSegment segment, byte[] objectKey, byte[] context, long start, long end,
        CancellationToken cancellationToken)
        => await blobs.OpenReadAsync(segment.Blob, start, end - start, cancellationToken).ConfigureAwait(false);

    private sealed class Writer(Stream output) : ISegmentWriter
    {
        public ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken) => output.WriteAsync(buffer, cancellationToken);

        public Task CompleteAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
