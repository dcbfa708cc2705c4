using Citadel.Audit.Trails;

namespace Citadel.Server.Hosting;

/// <summary>
/// The trail sink of a server without an object store: no bucket exists, so CreateTrail answers
/// S3BucketDoesNotExistException and nothing is ever delivered. The S3 engine replaces it with a sink on its store.
/// </summary>
public sealed class NoObjectStoreSink : ITrailObjectSink
{
    /// <inheritdoc />
    public Task<bool> BucketExistsAsync(string bucket, CancellationToken cancellationToken) => Task.FromResult(false);

    /// <inheritdoc />
    public Task PutObjectAsync(TrailObject trailObject, CancellationToken cancellationToken)
        => throw new InvalidOperationException("This server has no object store to deliver trail files to.");
}
