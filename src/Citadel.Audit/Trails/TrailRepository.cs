using System.Text.Json;
using Citadel.Storage;

namespace Citadel.Audit.Trails;

/// <summary>
/// Trails and their delivery progress in the document store. Configuration changes are read-modify-writes
/// under one lock with optimistic concurrency; delivery progress is written only by delivery, which holds
/// <see cref="DeliveryLock"/> for a whole run, as DeleteTrail does, so a run never writes a deleted trail's progress.
/// </summary>
public sealed class TrailRepository(IDocumentStore store)
{
    /// <summary>The collection of trails.</summary>
    public const string TrailsCollection = "cloudtrail-trails";
    /// <summary>The collection of delivery progress.</summary>
    public const string DeliveryCollection = "cloudtrail-delivery";

    /// <summary>
    /// The last delivered digest of each trail in <paramref name="deliveryDocuments"/> (the documents of
    /// <see cref="DeliveryCollection"/>, read from a data directory): what offline verification needs to check the newest
    /// digest of a bucket copy, whose own signature travels only in S3 metadata.
    /// </summary>
    public static IReadOnlyList<DigestLink> LastDigestsOf(IEnumerable<Storage.Document> deliveryDocuments)
        => deliveryDocuments.Select(d => JsonSerializer.Deserialize<TrailDeliveryRecord>(d.Body, Json)?.LastDigest).OfType<DigestLink>().ToList();

    private static readonly JsonSerializerOptions Json = new() { DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull };
    private readonly SemaphoreSlim _writeLock = new(1, 1);

    /// <summary>Held by a delivery run, and by DeleteTrail.</summary>
    public SemaphoreSlim DeliveryLock { get; } = new(1, 1);

    /// <summary>The trail, or null.</summary>
    public async Task<TrailRecord?> FindAsync(string name, CancellationToken cancellationToken)
    {
        var document = await store.GetAsync(TrailsCollection, name, cancellationToken).ConfigureAwait(false);
        return document is null ? null : JsonSerializer.Deserialize<TrailRecord>(document.Body, Json);
    }

    /// <summary>Trails in name order after <paramref name="afterName"/>.</summary>
    public async Task<IReadOnlyList<TrailRecord>> ListAsync(string? afterName, int limit, CancellationToken cancellationToken)
        => (await store.ListAsync(TrailsCollection, afterName, limit, cancellationToken).ConfigureAwait(false))
            .Select(d => JsonSerializer.Deserialize<TrailRecord>(d.Body, Json)!).ToList();

    /// <summary>Every trail.</summary>
    public async Task<IReadOnlyList<TrailRecord>> AllAsync(CancellationToken cancellationToken)
    {
        var all = new List<TrailRecord>();
        string? after = null;
        while (true)
        {
            var page = await ListAsync(after, 100, cancellationToken).ConfigureAwait(false);
            all.AddRange(page);
            if (page.Count < 100) return all;
            after = page[^1].Name;
        }
    }

    /// <summary>Creates a trail and its delivery progress at once; TrailAlreadyExists when the name is taken, MaximumNumberOfTrailsExceeded past the quota.</summary>
    public async Task CreateAsync(TrailRecord trail, TrailDeliveryRecord delivery, TrailSettings settings, CancellationToken cancellationToken)
    {
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (await FindAsync(trail.Name, cancellationToken).ConfigureAwait(false) is not null)
                throw Exists(trail.Name, settings);
            if ((await ListAsync(null, settings.MaxTrails, cancellationToken).ConfigureAwait(false)).Count >= settings.MaxTrails)
                throw new TrailException(TrailErrorCode.MaximumNumberOfTrailsExceededException,
                    $"User: {settings.AccountId} already has {settings.MaxTrails} trails in {settings.Region}.");
            await store.WriteAsync(
            [
                new DocumentWrite(TrailsCollection, trail.Name, JsonSerializer.Serialize(trail, Json), 0),
                new DocumentWrite(DeliveryCollection, trail.Name, JsonSerializer.Serialize(delivery, Json), 0),
            ], cancellationToken).ConfigureAwait(false);
        }
        catch (ConcurrencyConflictException)
        {
            throw Exists(trail.Name, settings);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>Changes a trail; the change may throw a <see cref="TrailException"/>, which leaves the trail as it was.</summary>
    public async Task<TrailRecord> MutateAsync(string name, Action<TrailRecord> change, TrailSettings settings, CancellationToken cancellationToken)
    {
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var document = await store.GetAsync(TrailsCollection, name, cancellationToken).ConfigureAwait(false)
                ?? throw TrailNames.NotFound(settings.TrailArn(name), settings);
            var trail = JsonSerializer.Deserialize<TrailRecord>(document.Body, Json)!;
            change(trail);
            await store.WriteAsync([new DocumentWrite(TrailsCollection, name, JsonSerializer.Serialize(trail, Json), document.Revision)], cancellationToken).ConfigureAwait(false);
            return trail;
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>Deletes a trail and its delivery progress, after any delivery run in progress has finished.</summary>
    public async Task DeleteAsync(string name, TrailSettings settings, CancellationToken cancellationToken)
    {
        await DeliveryLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                if (await store.GetAsync(TrailsCollection, name, cancellationToken).ConfigureAwait(false) is null)
                    throw TrailNames.NotFound(settings.TrailArn(name), settings);
                await store.WriteAsync(
                [
                    new DocumentWrite(TrailsCollection, name, null, null),
                    new DocumentWrite(DeliveryCollection, name, null, null),
                ], cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                _writeLock.Release();
            }
        }
        finally
        {
            DeliveryLock.Release();
        }
    }

    /// <summary>A trail's delivery progress and its revision, or null.</summary>
    public async Task<(TrailDeliveryRecord Record, long Revision)?> FindDeliveryAsync(string name, CancellationToken cancellationToken)
    {
        var document = await store.GetAsync(DeliveryCollection, name, cancellationToken).ConfigureAwait(false);
        return document is null ? null : (JsonSerializer.Deserialize<TrailDeliveryRecord>(document.Body, Json)!, document.Revision);
    }

    /// <summary>Writes delivery progress at <paramref name="revision"/> (durably, before returning); returns the new revision.</summary>
    public async Task<long> SaveDeliveryAsync(string name, TrailDeliveryRecord record, long revision, CancellationToken cancellationToken)
    {
        await store.WriteAsync([new DocumentWrite(DeliveryCollection, name, JsonSerializer.Serialize(record, Json), revision)], cancellationToken).ConfigureAwait(false);
        return revision + 1;
    }

    private static TrailException Exists(string name, TrailSettings settings)
        => new(TrailErrorCode.TrailAlreadyExistsException, $"Trail {name} already exists for customer: {settings.AccountId}");
}
