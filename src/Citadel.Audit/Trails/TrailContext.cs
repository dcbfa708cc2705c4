namespace Citadel.Audit.Trails;

/// <summary>Everything the trail operations use.</summary>
/// <param name="Trails">Trail storage.</param>
/// <param name="Keys">Digest signing keys.</param>
/// <param name="Sink">The object store (bucket existence).</param>
/// <param name="Journal">The audit journal (positions where logging starts, stops or changes selection).</param>
/// <param name="Settings">Account, region, intervals.</param>
/// <param name="Time">The clock.</param>
public sealed record TrailContext(TrailRepository Trails, TrailSigningKeys Keys, ITrailObjectSink Sink, IJournalSource Journal, TrailSettings Settings, TimeProvider Time)
{
    /// <summary>The trail a Name parameter (name or ARN) names, or TrailNotFound.</summary>
    public async Task<TrailRecord> GetAsync(string nameOrArn, CancellationToken cancellationToken)
    {
        var name = TrailNames.Resolve(nameOrArn, Settings);
        return await Trails.FindAsync(name, cancellationToken).ConfigureAwait(false) ?? throw TrailNames.NotFound(Settings.TrailArn(name), Settings);
    }

    /// <summary>Changes the trail a Name parameter names.</summary>
    public Task<TrailRecord> MutateAsync(string nameOrArn, Action<TrailRecord> change, CancellationToken cancellationToken)
        => Trails.MutateAsync(TrailNames.Resolve(nameOrArn, Settings), change, Settings, cancellationToken);

    /// <summary>The time, to the second (CloudTrail's resolution).</summary>
    public DateTimeOffset Now()
    {
        var now = Time.GetUtcNow();
        return new DateTimeOffset(now.UtcTicks - now.UtcTicks % TimeSpan.TicksPerSecond, TimeSpan.Zero);
    }
}
