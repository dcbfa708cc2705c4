using Citadel.Kms;
using Citadel.Kms.Keys;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Citadel.Server.Hosting;

/// <summary>Runs scheduled key maintenance (automatic rotation, deletion at the end of the window, expiry of imported material).</summary>
public sealed class MaintenanceService(KmsContext kms, CitadelOptions options, ILogger<MaintenanceService> logger) : BackgroundService
{
    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(options.MaintenanceIntervalSeconds));
        do
        {
            try
            {
                var changed = await RunOnceAsync(stoppingToken).ConfigureAwait(false);
                if (changed > 0) logger.LogInformation("Key maintenance changed {Count} keys", changed);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogError(e, "Key maintenance failed; it will run again");
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    private readonly KeyMaintenance _maintenance = new();

    private Task<int> RunOnceAsync(CancellationToken cancellationToken) => _maintenance.RunOnceAsync(kms, cancellationToken);
}
