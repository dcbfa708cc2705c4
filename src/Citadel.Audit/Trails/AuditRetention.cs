namespace Citadel.Audit.Trails;

/// <summary>
/// Retention of the local audit trail: events older than the retention leave the lookup index, and journal
/// segments whose records are all older are pruned, but only once every trail has delivered them (a logging trail
/// keeps everything from its cursor; a stopped trail that delivered up to its stop needs nothing). An anchor keeps
/// the rest of the chain verifiable (<see cref="JournalAuditStore.Prune"/>).
/// </summary>
public sealed class AuditRetention(JournalAuditStore store, TrailRepository trails)
{
    /// <summary>Applies the retention for <paramref name="cutoff"/>; returns how many journal records were pruned.</summary>
    public async Task<long> ApplyAsync(DateTimeOffset cutoff, CancellationToken cancellationToken)
    {
        // Under the delivery lock: no run moves a cursor or reads the journal while segments go.
        await trails.DeliveryLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            JournalPosition? keepFrom = null;
            foreach (var trail in await trails.AllAsync(cancellationToken).ConfigureAwait(false))
            {
                if (await trails.FindDeliveryAsync(trail.Name, cancellationToken).ConfigureAwait(false) is not { } found) continue;
                if (NeededFrom(trail, found.Record) is { } needed && (keepFrom is null || needed < keepFrom)) keepFrom = needed;
            }
            return store.Prune(cutoff, keepFrom);
        }
        finally
        {
            trails.DeliveryLock.Release();
        }
    }

    /// <summary>The oldest journal position a trail may still deliver from, or null when it will never read what is there now.</summary>
    public static JournalPosition? NeededFrom(TrailRecord trail, TrailDeliveryRecord delivery)
    {
        if (delivery.PendingLogFile is { } pending) return pending.Range.From;
        if (!trail.IsLogging && trail.StoppedAt is { } stopped && delivery.Cursor >= stopped) return null;
        return delivery.Cursor;
    }
}
