using System.Globalization;
using System.Text;

namespace Citadel.S3Bench;

/// <summary>
/// The markdown for docs/benchmarks.md: every cell as the median of its rounds (MiB/s, objects/s), the range of the
/// rounds, and a ratio of the floor of the same size and direction.
/// </summary>
internal static class S3Report
{
    private sealed record Cell(string Target, string Size, string Direction, double MibPerSecond, double ObjectsPerSecond, double Min, double Max,
        double CpuMicroseconds, long Errors);

    public static string Markdown(IReadOnlyList<Measurement> measurements, IReadOnlyDictionary<string, KmsTally> kms, double? openssl, S3BenchOptions options)
    {
        var cells = measurements.GroupBy(m => (m.Target, m.Size, m.Direction)).Select(g =>
        {
            var sorted = g.OrderBy(m => m.MibPerSecond).ToList();
            var median = sorted[sorted.Count / 2];
            var cpu = g.Select(m => m.CpuMicrosecondsPerObject).Order().ToList()[sorted.Count / 2];
            return new Cell(g.Key.Target, g.Key.Size, g.Key.Direction, median.MibPerSecond, median.ObjectsPerSecond, sorted[0].MibPerSecond, sorted[^1].MibPerSecond,
                cpu, g.Sum(m => m.Errors));
        }).ToList();
        Cell? Floor(Cell cell) => cells.FirstOrDefault(c => c.Target == "floor" && c.Size == cell.Size && c.Direction == cell.Direction);

        var text = new StringBuilder();
        var sizes = string.Join(", ", options.Sizes.Select(s => $"{s.Name} × {s.Count} with {s.Clients} clients"));
        text.AppendLine(CultureInfo.InvariantCulture,
            $"Objects per cell: {sizes}; median of {options.Rounds} rounds; payload {(options.SignPayload ? "SHA-256 signed" : "UNSIGNED-PAYLOAD")}; "
            + $"Citadel's blobs {(options.Backend == "moto" ? "in moto_server (S3 backend)" : "on local disk")}; plain HTTP on loopback.");
        text.AppendLine();
        text.AppendLine("| size | op | target | MiB/s | objects/s | rounds' range MiB/s | of floor | CPU per object | CPU of floor's | errors |");
        text.AppendLine("|---|---|---|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var cell in cells.OrderBy(c => options.Sizes.ToList().FindIndex(s => s.Name == c.Size)).ThenBy(c => c.Direction == "PUT" ? 0 : 1)
            .ThenBy(c => Array.IndexOf(S3BenchOptions.AllTargets, c.Target)))
        {
            var ratio = Floor(cell) is { } floor ? (cell.MibPerSecond / floor.MibPerSecond).ToString("P0", CultureInfo.InvariantCulture) : "";
            var cpuRatio = Floor(cell) is { } f ? (cell.CpuMicroseconds / f.CpuMicroseconds).ToString("P0", CultureInfo.InvariantCulture) : "";
            text.AppendLine(CultureInfo.InvariantCulture,
                $"| {cell.Size} | {cell.Direction} | {cell.Target} | {cell.MibPerSecond:F1} | {cell.ObjectsPerSecond:F0} | {cell.Min:F1}–{cell.Max:F1} | {ratio} | {Duration(cell.CpuMicroseconds)} | {cpuRatio} | {cell.Errors} |");
        }

        if (kms.Keys.Any(t => t.StartsWith("sse-kms", StringComparison.Ordinal)))
        {
            text.AppendLine();
            text.AppendLine("KMS calls (GenerateDataKey, Decrypt) the object store made, over every PUT and GET of the run (warm-up included):");
            text.AppendLine();
            text.AppendLine("| target | PUTs | KMS calls | per 1000 PUTs | GETs | KMS calls | per 1000 GETs |");
            text.AppendLine("|---|---:|---:|---:|---:|---:|---:|");
            foreach (var (name, tally) in kms.Where(t => t.Key.StartsWith("sse-", StringComparison.Ordinal)).OrderBy(t => Array.IndexOf(S3BenchOptions.AllTargets, t.Key)))
            {
                text.AppendLine(CultureInfo.InvariantCulture,
                    $"| {name} | {tally.Puts} | {tally.PutCalls} | {PerThousand(tally.PutCalls, tally.Puts)} | {tally.Gets} | {tally.GetCalls} | {PerThousand(tally.GetCalls, tally.Gets)} |");
            }
        }

        text.AppendLine();
        if (openssl is { } reference)
            text.AppendLine(CultureInfo.InvariantCulture, $"`{OpensslSpeed.Command}`, 16384-byte blocks, one core: {reference:F0} MiB/s.");
        foreach (var get in cells.Where(c => c.Size == "256m" && c.Direction == "GET" && c.Target.StartsWith("sse-", StringComparison.Ordinal)))
        {
            var put = cells.First(c => c.Target == get.Target && c.Size == get.Size && c.Direction == "PUT");
            var cost = Floor(get) is { } floorGet && Floor(put) is { } floorPut
                ? string.Create(CultureInfo.InvariantCulture, $"encryption costs {1 - put.MibPerSecond / floorPut.MibPerSecond:P0} of PUT and {1 - get.MibPerSecond / floorGet.MibPerSecond:P0} of GET throughput against the floor (target: at most 10 %)")
                : "no floor measured";
            var ofOpenssl = openssl is { } aes ? string.Create(CultureInfo.InvariantCulture, $"; GET reaches {get.MibPerSecond / aes:P0} of openssl (target: at least 50 %)") : "";
            text.AppendLine(CultureInfo.InvariantCulture, $"- 256 MiB {get.Target}: {cost}{ofOpenssl}.");
        }
        return text.ToString();
    }

    private static string Duration(double microseconds) => microseconds >= 10_000
        ? (microseconds / 1000).ToString("F0", CultureInfo.InvariantCulture) + " ms"
        : microseconds.ToString("F0", CultureInfo.InvariantCulture) + " µs";

    private static string PerThousand(long calls, long operations)
    {
        if (operations == 0) return "";
        var rate = calls * 1000.0 / operations;
        return rate.ToString(rate >= 10 ? "F0" : "F1", CultureInfo.InvariantCulture);
    }
}
