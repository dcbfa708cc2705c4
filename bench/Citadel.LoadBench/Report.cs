using System.Globalization;
using System.Text;

namespace Citadel.LoadBench;

/// <summary>The markdown table for docs/benchmarks.md: each target as a ratio of the floor measured in the same run.</summary>
public static class Report
{
    public static string Markdown(IReadOnlyList<BenchResult> results, BenchOptions options)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"{options.Clients} concurrent SigV4-signing clients, {options.Duration.TotalSeconds:F0} s per cell after {options.Warmup.TotalSeconds:F0} s warm-up, plain HTTP on loopback.");
        text.AppendLine();
        text.AppendLine("| operation | target | req/s | of floor | p50 ms | p99 ms | server CPU µs/req | allocated B/req | client CPU µs/req | machine busy | errors |");
        text.AppendLine("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var result in results.OrderBy(r => r.Operation, StringComparer.Ordinal).ThenBy(r => r.Target, StringComparer.Ordinal))
        {
            var floor = results.FirstOrDefault(r => r.Target == "floor" && r.Operation == result.Operation);
            var ratio = floor is null || floor.RequestsPerSecond == 0 ? "" : (result.RequestsPerSecond / floor.RequestsPerSecond).ToString("P0", CultureInfo.InvariantCulture);
            text.AppendLine(CultureInfo.InvariantCulture, $"| {result.Operation} | {result.Target} | {result.RequestsPerSecond:F0} | {ratio} | {result.P50Ms:F2} | {result.P99Ms:F2} | {Number(result.ServerCpuMicros)} | {Number(result.AllocatedBytes)} | {Number(result.ClientCpuMicros)} | {(double.IsFinite(result.MachineBusy) ? result.MachineBusy.ToString("P0", CultureInfo.InvariantCulture) : "")} | {result.Errors} |");
        }
        return text.ToString();
    }

    private static string Number(double value) => double.IsFinite(value) && value >= 0 ? value.ToString("F0", CultureInfo.InvariantCulture) : "";
}
