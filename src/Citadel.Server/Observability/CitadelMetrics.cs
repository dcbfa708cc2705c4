using System.Collections.Concurrent;
using System.Globalization;
using System.Text;

namespace Citadel.Server.Observability;

/// <summary>
/// Counters and latency histograms, rendered in the Prometheus text format at <c>/metrics</c>:
/// requests by service, operation and outcome; request latency by service and operation; key operations by key spec.
/// </summary>
public sealed class CitadelMetrics
{
    private static readonly double[] Buckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

    private readonly ConcurrentDictionary<(string Service, string Operation, string Outcome), long[]> _requests = new();
    private readonly ConcurrentDictionary<(string Service, string Operation), Histogram> _latency = new();
    private readonly ConcurrentDictionary<(string Operation, string KeySpec), long[]> _keyOperations = new();
    private readonly Histogram _auditAppend = new();

    private sealed class Histogram
    {
        public readonly long[] Counts = new long[Buckets.Length];
        public long Count;
        public long SumMicros;
    }

    /// <summary>Records how long a request waited for its audit record to become durable.</summary>
    public void AuditAppend(TimeSpan elapsed) => Observe(_auditAppend, elapsed.TotalSeconds);

    private static void Observe(Histogram histogram, double seconds)
    {
        for (var i = 0; i < Buckets.Length; i++)
        {
            if (seconds <= Buckets[i]) Interlocked.Increment(ref histogram.Counts[i]);
        }
        Interlocked.Increment(ref histogram.Count);
        Interlocked.Add(ref histogram.SumMicros, (long)(seconds * 1_000_000));
    }

    private static bool SeenBefore(IReadOnlyList<string> values, int index)
    {
        for (var j = 0; j < index; j++)
            if (values[j] == values[index]) return true;
        return false;
    }

    /// <summary>Records a finished request.</summary>
    public void Request(string service, string operation, string outcome, TimeSpan elapsed, IReadOnlyList<string> keySpecs)
    {
        Interlocked.Increment(ref _requests.GetOrAdd((service, operation, outcome), _ => new long[1])[0]);
        Observe(_latency.GetOrAdd((service, operation), _ => new Histogram()), elapsed.TotalSeconds);
        // Each spec once per request; a request touches one or two keys, so a scan beats a set.
        for (var i = 0; i < keySpecs.Count; i++)
        {
            if (!SeenBefore(keySpecs, i))
                Interlocked.Increment(ref _keyOperations.GetOrAdd((operation, keySpecs[i]), _ => new long[1])[0]);
        }
    }

    private static void RenderHistogram(StringBuilder text, string name, string labels, Histogram h)
    {
        for (var i = 0; i < Buckets.Length; i++)
            text.AppendLine(CultureInfo.InvariantCulture, $"{name}_bucket{{{labels}le=\"{Buckets[i]}\"}} {Volatile.Read(ref h.Counts[i])}");
        var count = Volatile.Read(ref h.Count);
        var bare = labels.TrimEnd(',');
        text.AppendLine(CultureInfo.InvariantCulture, $"{name}_bucket{{{labels}le=\"+Inf\"}} {count}");
        text.AppendLine(CultureInfo.InvariantCulture, $"{name}_sum{{{bare}}} {Volatile.Read(ref h.SumMicros) / 1_000_000.0}");
        text.AppendLine(CultureInfo.InvariantCulture, $"{name}_count{{{bare}}} {count}");
    }

    /// <summary>The Prometheus exposition text.</summary>
    public string Render(bool sealedState, (long Batches, long Events, double Seconds) audit)
    {
        var text = new StringBuilder();
        text.AppendLine("# HELP citadel_audit_batches_total Group commits of the audit store.");
        text.AppendLine("# TYPE citadel_audit_batches_total counter");
        text.AppendLine(CultureInfo.InvariantCulture, $"citadel_audit_batches_total {audit.Batches}");
        text.AppendLine("# HELP citadel_audit_events_total Audit events committed.");
        text.AppendLine("# TYPE citadel_audit_events_total counter");
        text.AppendLine(CultureInfo.InvariantCulture, $"citadel_audit_events_total {audit.Events}");
        text.AppendLine("# HELP citadel_audit_commit_seconds_total Time spent writing and fsyncing audit batches.");
        text.AppendLine("# TYPE citadel_audit_commit_seconds_total counter");
        text.AppendLine(CultureInfo.InvariantCulture, $"citadel_audit_commit_seconds_total {audit.Seconds}");
        text.AppendLine("# HELP citadel_sealed 1 when the server is sealed.");
        text.AppendLine("# TYPE citadel_sealed gauge");
        text.AppendLine(CultureInfo.InvariantCulture, $"citadel_sealed {(sealedState ? 1 : 0)}");
        text.AppendLine("# HELP citadel_requests_total API requests by service, operation and outcome.");
        text.AppendLine("# TYPE citadel_requests_total counter");
        foreach (var ((service, operation, outcome), value) in _requests.OrderBy(k => k.Key.ToString(), StringComparer.Ordinal))
            text.AppendLine(CultureInfo.InvariantCulture, $"citadel_requests_total{{service=\"{service}\",operation=\"{operation}\",outcome=\"{outcome}\"}} {Volatile.Read(ref value[0])}");
        text.AppendLine("# HELP citadel_request_duration_seconds API request latency.");
        text.AppendLine("# TYPE citadel_request_duration_seconds histogram");
        foreach (var ((service, operation), h) in _latency.OrderBy(k => k.Key.ToString(), StringComparer.Ordinal))
            RenderHistogram(text, "citadel_request_duration_seconds", $"service=\"{service}\",operation=\"{operation}\",", h);
        text.AppendLine("# HELP citadel_audit_append_seconds Time a request waits for its audit record to be durable (group commit).");
        text.AppendLine("# TYPE citadel_audit_append_seconds histogram");
        RenderHistogram(text, "citadel_audit_append_seconds", "", _auditAppend);
        text.AppendLine("# HELP citadel_kms_key_operations_total KMS operations by key spec.");
        text.AppendLine("# TYPE citadel_kms_key_operations_total counter");
        foreach (var ((operation, spec), value) in _keyOperations.OrderBy(k => k.Key.ToString(), StringComparer.Ordinal))
            text.AppendLine(CultureInfo.InvariantCulture, $"citadel_kms_key_operations_total{{operation=\"{operation}\",key_spec=\"{spec}\"}} {Volatile.Read(ref value[0])}");
        // The runtime's own counters: allocation per request is the steadiest measure of request-path cost on a noisy machine.
        text.AppendLine("# HELP citadel_dotnet_allocated_bytes_total Bytes allocated on the managed heap since the process started.");
        text.AppendLine("# TYPE citadel_dotnet_allocated_bytes_total counter");
        text.AppendLine(CultureInfo.InvariantCulture, $"citadel_dotnet_allocated_bytes_total {GC.GetTotalAllocatedBytes()}");
        text.AppendLine("# HELP citadel_dotnet_gc_collections_total Garbage collections by generation since the process started.");
        text.AppendLine("# TYPE citadel_dotnet_gc_collections_total counter");
        for (var generation = 0; generation <= GC.MaxGeneration; generation++)
            text.AppendLine(CultureInfo.InvariantCulture, $"citadel_dotnet_gc_collections_total{{generation=\"{generation}\"}} {GC.CollectionCount(generation)}");
        return text.ToString();
    }
}
