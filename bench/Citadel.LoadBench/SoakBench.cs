using System.Diagnostics;
using Citadel.Audit;

namespace Citadel.LoadBench;

/// <summary>
/// The audit soak: N concurrent writers record distinct KMS Encrypt events through the server's real store
/// (<see cref="JournalAuditStore"/>: group commit, every append awaited until fsynced, the lookup index built
/// behind it) until the total is reached; then the store is closed and the whole hash chain is verified from scratch.
/// </summary>
public static class SoakBench
{
    public static async Task RunAsync(int events, int writers)
    {
        var directory = Path.Combine(Path.GetTempPath(), "citadel-soak-bench-" + Guid.NewGuid().ToString("N"));
        try
        {
            var next = 0;
            AuditEvent? middle = null;
            var record = Stopwatch.StartNew();
            var store = new JournalAuditStore(directory);
            await using (store.ConfigureAwait(false))
            {
                var tasks = Enumerable.Range(0, writers).Select(async _ =>
                {
                    int n;
                    while ((n = Interlocked.Increment(ref next)) <= events)
                    {
                        var auditEvent = BenchEvents.Encrypt();
                        if (n == events / 2) middle = auditEvent;
                        await store.AppendAsync(auditEvent, CancellationToken.None).ConfigureAwait(false);
                    }
                }).ToList();
                await Task.WhenAll(tasks).ConfigureAwait(false);
                record.Stop();

                // LookupEvents over the million: the first call waits until the background index has caught up.
                var catchUp = Stopwatch.StartNew();
                await store.LookupAsync(new AuditQuery(LookupAttribute.EventName, "Encrypt", null, null, 50, null)).ConfigureAwait(false);
                catchUp.Stop();
                Console.WriteLine($"index caught up with {events:N0} events in {catchUp.Elapsed.TotalSeconds:F1} s (first lookup)");
                var queries = new (string Name, AuditQuery Query)[]
                {
                    ("EventName=Encrypt, 50 newest", new AuditQuery(LookupAttribute.EventName, "Encrypt", null, null, 50, null)),
                    ("Username=none (no match)", new AuditQuery(LookupAttribute.Username, "nobody", null, null, 50, null)),
                    ("ResourceName=key ARN, one hour window", new AuditQuery(LookupAttribute.ResourceName, "arn:aws:kms:us-east-1:000000000000:key/0b1e3c2a-5d7f-4a8b-9c0d-1e2f3a4b5c6d",
                        DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow, 50, null)),
                    ("no attribute, 50 newest", new AuditQuery(null, null, null, null, 50, null)),
                    ("EventId of the middle event", new AuditQuery(LookupAttribute.EventId, middle!.EventId, null, null, 50, null)),
                };
                foreach (var (name, query) in queries)
                {
                    var page = await store.LookupAsync(query).ConfigureAwait(false);
                    var watch = Stopwatch.StartNew();
                    const int repeats = 20;
                    for (var i = 0; i < repeats; i++)
                    {
                        page = await store.LookupAsync(query).ConfigureAwait(false);
                        if (page.NextToken is { } token) await store.LookupAsync(query with { NextToken = token }).ConfigureAwait(false);
                    }
                    watch.Stop();
                    Console.WriteLine($"lookup {name}: {watch.Elapsed.TotalMilliseconds / repeats:F1} ms for a page and the next ({page.Events.Count} events)");
                }
                var byRequest = Stopwatch.StartNew();
                for (var i = 0; i < 20; i++)
                    if (await store.FindByRequestIdAsync(middle.RequestId).ConfigureAwait(false) is null) throw new InvalidOperationException("The middle event was not found by its request id.");
                Console.WriteLine($"find the middle event by its request id: {byRequest.Elapsed.TotalMilliseconds / 20:F1} ms");
            }
            var bytes = Directory.EnumerateFiles(directory, "journal-*").Sum(f => new FileInfo(f).Length);
            var verify = Stopwatch.StartNew();
            var report = AuditChainVerifier.Verify(directory);
            verify.Stop();
            Console.WriteLine($"writers: {writers}, records: {report.Records:N0} ({bytes / 1e6:F0} MB), chain valid: {report.Valid}");
            Console.WriteLine($"recorded durably (each append awaited until fsynced): {record.Elapsed.TotalSeconds:F1} s, {events / record.Elapsed.TotalSeconds:N0} events/s");
            Console.WriteLine($"verified from scratch: {verify.Elapsed.TotalSeconds:F1} s, {report.Records / verify.Elapsed.TotalSeconds:N0} records/s");
        }
        finally
        {
            Directory.Delete(directory, true);
        }
    }
}
