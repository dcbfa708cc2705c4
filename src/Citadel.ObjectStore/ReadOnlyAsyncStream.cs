namespace Citadel.ObjectStore;

/// <summary>
/// Base of the forward-only, read-only stream decorators of the S3 path (decryption, concatenation, aws-chunked
/// decoding, payload hash checking): a subclass implements <see cref="ReadAsync(Memory{byte}, CancellationToken)"/>;
/// the synchronous and array forms delegate to it, and seeking, writing and length are not supported.
/// </summary>
public abstract class ReadOnlyAsyncStream : Stream
{
    /// <inheritdoc />
    public abstract override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default);

    /// <inheritdoc />
    public sealed override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    /// <inheritdoc />
    public sealed override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        => ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <inheritdoc />
    public sealed override bool CanRead => true;
    /// <inheritdoc />
    public sealed override bool CanSeek => false;
    /// <inheritdoc />
    public sealed override bool CanWrite => false;
    /// <inheritdoc />
    public override long Length => throw new NotSupportedException();
    /// <inheritdoc />
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    /// <inheritdoc />
    public sealed override void Flush() { }
    /// <inheritdoc />
    public sealed override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    /// <inheritdoc />
    public sealed override void SetLength(long value) => throw new NotSupportedException();
    /// <inheritdoc />
    public sealed override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
