using Citadel.Audit.Trails;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Citadel.Server.Hosting;

/// <summary>Applies <c>Citadel:AuditRetentionDays</c> at start and then hourly (nothing when it is 0).</summary>
public sealed class AuditRetentionService(AuditRetention retention, CitadelOptions options, TimeProvider time, ILogger<AuditRetentionService> logger) : BackgroundService
{
    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.AuditRetentionDays == 0) return;
        using var timer = new PeriodicTimer(TimeSpan.FromHours(1));
        do
        {
            try
            {
                var pruned = await retention.ApplyAsync(time.GetUtcNow().AddDays(-options.AuditRetentionDays), stoppingToken).ConfigureAwait(false);
                if (pruned > 0) logger.LogInformation("Audit retention pruned {Records} journal records older than {Days} days", pruned, options.AuditRetentionDays);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogError(e, "Audit retention failed; it will run again");
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }
}
