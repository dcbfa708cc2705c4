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

    private sealed class Histogram
    {
        public readonly long[] Counts = new long[Buckets.Length];
        public long Count;
        public long SumMicros;
    }

    /// <summary>Records a finished request.</summary>
    public void Request(string service, string operation, string outcome, TimeSpan elapsed, IEnumerable<string> keySpecs)
    {
        Interlocked.Increment(ref _requests.GetOrAdd((service, operation, outcome), _ => new long[1])[0]);
        var histogram = _latency.GetOrAdd((service, operation), _ => new Histogram());
        var seconds = elapsed.TotalSeconds;
        for (var i = 0; i < Buckets.Length; i++)
        {
            if (seconds <= Buckets[i]) Interlocked.Increment(ref histogram.Counts[i]);
        }
        Interlocked.Increment(ref histogram.Count);
        Interlocked.Add(ref histogram.SumMicros, (long)(seconds * 1_000_000));
        foreach (var spec in keySpecs.Distinct())
            Interlocked.Increment(ref _keyOperations.GetOrAdd((operation, spec), _ => new long[1])[0]);
    }

    /// <summary>The Prometheus exposition text.</summary>
    public string Render(bool sealedState)
    {
        var text = new StringBuilder();
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
        {
            var labels = $"service=\"{service}\",operation=\"{operation}\"";
            for (var i = 0; i < Buckets.Length; i++)
                text.AppendLine(CultureInfo.InvariantCulture, $"citadel_request_duration_seconds_bucket{{{labels},le=\"{Buckets[i]}\"}} {Volatile.Read(ref h.Counts[i])}");
            var count = Volatile.Read(ref h.Count);
            text.AppendLine(CultureInfo.InvariantCulture, $"citadel_request_duration_seconds_bucket{{{labels},le=\"+Inf\"}} {count}");
            text.AppendLine(CultureInfo.InvariantCulture, $"citadel_request_duration_seconds_sum{{{labels}}} {Volatile.Read(ref h.SumMicros) / 1_000_000.0}");
            text.AppendLine(CultureInfo.InvariantCulture, $"citadel_request_duration_seconds_count{{{labels}}} {count}");
        }
        text.AppendLine("# HELP citadel_kms_key_operations_total KMS operations by key spec.");
        text.AppendLine("# TYPE citadel_kms_key_operations_total counter");
        foreach (var ((operation, spec), value) in _keyOperations.OrderBy(k => k.Key.ToString(), StringComparer.Ordinal))
            text.AppendLine(CultureInfo.InvariantCulture, $"citadel_kms_key_operations_total{{operation=\"{operation}\",key_spec=\"{spec}\"}} {Volatile.Read(ref value[0])}");
        return text.ToString();
    }
}
