using System.Security.Cryptography;
using Citadel.ObjectStore;

namespace Citadel.Server.Protocols.S3;

/// <summary>Passes a body through and, at its end, checks it against the signed x-amz-content-sha256 (XAmzContentSHA256Mismatch otherwise).</summary>
public sealed class Sha256CheckingStream(Stream inner, byte[] expected) : ReadOnlyAsyncStream
{
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private bool _checked;

    /// <inheritdoc />
    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var read = await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        if (read > 0)
        {
            _hash.AppendData(buffer.Span[..read]);
            return read;
        }
        if (buffer.Length == 0 || _checked) return 0;
        _checked = true;
        if (!CryptographicOperations.FixedTimeEquals(_hash.GetHashAndReset(), expected))
            throw new ObjectStoreException(ObjectStoreError.ContentSha256Mismatch, "The provided 'x-amz-content-sha256' header does not match what was computed.");
        return 0;
    }


    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing) _hash.Dispose();
        base.Dispose(disposing);
    }
}
