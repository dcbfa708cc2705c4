using System.Diagnostics;
using System.Text.Json;

namespace Citadel.LoadBench;

/// <summary>One measurement: a target, an operation, the request rate and latency percentiles.</summary>
/// <remarks>
/// <c>ServerCpuMicros</c> is the target process's CPU time (user and system) per request while measuring: unlike the rate,
/// it hardly moves when other work shares the machine, so it is the measure to compare builds by. NaN for an external target.
/// <c>AllocatedBytes</c> is what the server allocated per request on its managed heap (from its /metrics; Citadel targets
/// only, else NaN): exact, and not moved by the machine's noise at all.
/// <c>ClientCpuMicros</c> is this load generator's own CPU time per request, and <c>MachineBusy</c> the share of the
/// machine's CPU time (all cores, from /proc/stat) that was not idle while measuring: the load generator shares the
/// cores with the target, so a target is CPU-bound when the machine is nearly all busy, whatever its own share.
/// </remarks>
public sealed record BenchResult(string Target, string Operation, int Clients, double RequestsPerSecond, double P50Ms, double P99Ms, long Requests, long Errors, double ServerCpuMicros, double AllocatedBytes,
    double ClientCpuMicros, double MachineBusy)
{
    public string ToLine() => $"{Target,-8} {Operation,-16} {RequestsPerSecond,10:F0} req/s  p50 {P50Ms,6:F2} ms  p99 {P99Ms,6:F2} ms  server CPU {ServerCpuMicros,5:F0} µs/req  {AllocatedBytes,6:F0} B/req allocated  client CPU {ClientCpuMicros,5:F0} µs/req  machine {MachineBusy,4:P0} busy  ({Requests} requests, {Errors} errors)";
}

/// <summary>Many concurrent signing clients in closed loops against one target.</summary>
public static class LoadGenerator
{
    public static async Task<BenchResult> RunAsync(Target target, string operation, BenchOptions options)
    {
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = options.Clients, PooledConnectionLifetime = TimeSpan.FromMinutes(10) });
        var client = new SignedClient(http, target.Url);
        var ciphertext = operation == "Decrypt" && target.Name != "floor"
            ? JsonDocument.Parse((await client.SendAsync("Encrypt", Body(target, "Encrypt", null))).Body).RootElement.GetProperty("CiphertextBlob").GetString()
            : "AAAA";
        var body = Body(target, operation, ciphertext);

        var measuring = false;
        var stop = false;
        var latencies = new List<double>[options.Clients];
        var errors = 0L;
        var workers = Enumerable.Range(0, options.Clients).Select(i => Task.Run(async () =>
        {
            var mine = latencies[i] = new List<double>(100_000);
            while (!Volatile.Read(ref stop))
            {
                var started = Stopwatch.GetTimestamp();
                var (ok, _) = await client.SendAsync(operation, body);
                var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                if (!Volatile.Read(ref measuring)) continue;
                if (ok) mine.Add(elapsed);
                else Interlocked.Increment(ref errors);
            }
        })).ToList();
        await Task.Delay(options.Warmup);
        var clock = Stopwatch.StartNew();
        var cpuBefore = CpuTime(target.Process);
        var clientBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var machineBefore = MachineTimes();
        var allocatedBefore = await AllocatedBytesAsync(http, target);
        Volatile.Write(ref measuring, true);
        await Task.Delay(options.Duration);
        Volatile.Write(ref measuring, false);
        var cpu = CpuTime(target.Process) - cpuBefore;
        var clientCpu = Process.GetCurrentProcess().TotalProcessorTime - clientBefore;
        var machineAfter = MachineTimes();
        var allocated = await AllocatedBytesAsync(http, target) - allocatedBefore;
        var seconds = clock.Elapsed.TotalSeconds;
        Volatile.Write(ref stop, true);
        await Task.WhenAll(workers);

        var all = latencies.SelectMany(l => l).Order().ToArray();
        double Percentile(double p) => all.Length == 0 ? double.NaN : all[Math.Min(all.Length - 1, (int)(p * all.Length))];
        var requests = Math.Max(1, all.Length + errors);
        var machineTotal = machineAfter.Total - machineBefore.Total;
        return new BenchResult(target.Name, operation, options.Clients, all.Length / seconds, Percentile(0.50), Percentile(0.99), all.Length, errors,
            target.Process is null ? double.NaN : cpu.TotalMicroseconds / requests, allocated / requests,
            clientCpu.TotalMicroseconds / requests, machineTotal <= 0 ? double.NaN : 1 - (double)(machineAfter.Idle - machineBefore.Idle) / machineTotal);
    }

    /// <summary>The machine's idle and total CPU time so far (clock ticks, all cores: the first line of /proc/stat).</summary>
    private static (long Idle, long Total) MachineTimes()
    {
        try
        {
            var fields = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1)
                .Select(f => long.Parse(f, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
            // user nice system idle iowait irq softirq steal (guest time is already counted in user)
            return (fields[3] + fields[4], fields.Take(8).Sum());
        }
        catch (IOException)
        {
            return (0, 0); // not Linux: not measured
        }
    }

    /// <summary>The server's managed-heap allocations so far, from its /metrics (Citadel targets); NaN for the others.</summary>
    private static async Task<double> AllocatedBytesAsync(HttpClient http, Target target)
    {
        if (!target.Name.StartsWith("citadel", StringComparison.Ordinal)) return double.NaN;
        try
        {
            var metrics = await http.GetStringAsync(target.Url + "/metrics");
            var line = metrics.Split('\n').FirstOrDefault(l => l.StartsWith("citadel_dotnet_allocated_bytes_total ", StringComparison.Ordinal));
            return line is null ? double.NaN : double.Parse(line.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (HttpRequestException)
        {
            return double.NaN; // an older build (citadel@DIR) without the metric
        }
    }

    private static TimeSpan CpuTime(Process? process)
    {
        if (process is null) return TimeSpan.Zero; // an external target: not measured
        process.Refresh();
        return process.TotalProcessorTime;
    }

    private static readonly Dictionary<string, string> Context = new() { ["tenant"] = "bench" };

    private static string Body(Target target, string operation, string? ciphertext) => operation switch
    {
        "Encrypt" => JsonSerializer.Serialize(new { target.KeyId, Plaintext = Convert.ToBase64String(new byte[64]), EncryptionContext = Context }),
        "Decrypt" => JsonSerializer.Serialize(new { CiphertextBlob = ciphertext, EncryptionContext = Context }),
        "GenerateDataKey" => JsonSerializer.Serialize(new { target.KeyId, KeySpec = "AES_256", EncryptionContext = Context }),
        _ => throw new ArgumentException($"Unknown operation {operation}"),
    };
}
