using Citadel.ObjectStore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Citadel.Server.Hosting;

/// <summary>
/// Hourly garbage collection of the object store: removes blobs no object, version or part references (a crash
/// between a blob's write and its record's commit, or before a replaced version's blob was deleted). Blobs younger
/// than an hour are spared, so writes in progress are never touched.
/// </summary>
public sealed class BlobCollectionService(ObjectLayer objects, ILogger<BlobCollectionService> logger) : BackgroundService
{
    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromHours(1));
        do
        {
            try
            {
                var removed = await objects.CollectGarbageAsync(stoppingToken).ConfigureAwait(false);
                if (removed > 0) logger.LogInformation("Object store garbage collection removed {Count} unreferenced blobs", removed);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogError(e, "Object store garbage collection failed; it will run again");
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }
}
