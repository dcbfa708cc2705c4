using Citadel.Audit.Trails;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Citadel.Server.Hosting;

/// <summary>
/// Delivers trails' log files and digests on their intervals. It wakes at least every minute (or at the shorter
/// interval) and delivers what is due; a failed delivery stays pending and is retried on a later wake.
/// </summary>
public sealed class TrailDeliveryService(TrailDelivery delivery, CitadelOptions options, ILogger<TrailDeliveryService> logger) : BackgroundService
{
    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var period = TimeSpan.FromSeconds(Math.Min(60, Math.Min(options.TrailDeliveryIntervalSeconds, options.TrailDigestIntervalSeconds)));
        using var timer = new PeriodicTimer(period);
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            try
            {
                foreach (var outcome in await delivery.RunAsync(force: false, stoppingToken).ConfigureAwait(false))
                {
                    if (outcome.LogFiles.Count > 0 || outcome.Digest is not null)
                        logger.LogInformation("Trail {Trail} delivered {LogFiles} log files{Digest}", outcome.TrailName, outcome.LogFiles.Count, outcome.Digest is null ? "" : " and a digest");
                    if (outcome.LogError is not null) logger.LogWarning("Trail {Trail} could not deliver log files (will retry): {Error}", outcome.TrailName, outcome.LogError);
                    if (outcome.DigestError is not null) logger.LogWarning("Trail {Trail} could not deliver its digest (will retry): {Error}", outcome.TrailName, outcome.DigestError);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogError(e, "Trail delivery failed; it will run again");
            }
        }
    }
}
