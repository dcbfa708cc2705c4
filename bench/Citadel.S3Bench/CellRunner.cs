using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;

namespace Citadel.S3Bench;

/// <summary>
/// One measured cell: a target, an object size and a direction (PUT or GET); with the CPU time spent meanwhile by this
/// process (clients and, in process, the server) and by the target's processes outside it. CPU per object is the
/// measure a busy machine disturbs least.
/// </summary>
internal sealed record Measurement(string Target, string Size, string Direction, int Clients, int Objects, long Bytes, double Seconds, double CpuSeconds, long Errors)
{
    public double MibPerSecond => Bytes / Seconds / (1 << 20);
    public double ObjectsPerSecond => Objects / Seconds;
    public double CpuMicrosecondsPerObject => CpuSeconds * 1e6 / Objects;

    public string ToLine() => string.Create(CultureInfo.InvariantCulture,
        $"{Target,-10} {Size,-5} {Direction,-3} {MibPerSecond,9:F1} MiB/s {ObjectsPerSecond,9:F1} obj/s {CpuMicrosecondsPerObject,11:F0} CPU µs/obj  ({Objects} x {Bytes / Math.Max(1, Objects)} B, {Clients} clients, {Seconds:F2} s, {Errors} errors)");
}

/// <summary>KMS calls the object store made for one target: PUT and GET requests (warm-up included) and the calls during them.</summary>
internal sealed class KmsTally
{
    public long Puts { get; set; }
    public long PutCalls { get; set; }
    public long Gets { get; set; }
    public long GetCalls { get; set; }
}

/// <summary>
/// Runs the cells of one size on one target: a warm-up (whose first GET is checked byte for byte), then
/// <c>Count</c> PUTs of distinct keys by <c>Clients</c> closed-loop clients, then a GET of each, each direction
/// timed from the first request to the last answer; large objects are deleted afterwards to keep the disk small.
/// </summary>
internal static class CellRunner
{
    private const int SinkSize = 256 << 10;

    public static async Task<IReadOnlyList<Measurement>> RunAsync(Target target, ObjectSize size, byte[] body, bool signPayload, KmsTally kms)
    {
        using var client = new S3Client(target.Url, size.Clients);
        var payloadHash = signPayload ? Convert.ToHexStringLower(SHA256.HashData(body)) : "UNSIGNED-PAYLOAD";
        var prefix = $"{size.Name}-{Guid.NewGuid():N}";

        // Warm-up: JIT, connections, caches (the bucket key is fetched here); the first object is read back and compared.
        await PhaseAsync(size.Warmup, size.Clients, (i, _) => client.PutAsync(target.Bucket, $"{prefix}/warm{i}", body, target.PutHeaders, payloadHash), target, kms, put: true);
        using (var copy = new MemoryStream())
        {
            await client.GetAsync(target.Bucket, $"{prefix}/warm0", target.GetHeaders, new byte[SinkSize], copy);
            if (!copy.GetBuffer().AsSpan(0, (int)copy.Length).SequenceEqual(body))
                throw new InvalidOperationException($"{target.Name}: GET returned other bytes than the PUT stored.");
        }
        await PhaseAsync(size.Warmup - 1, size.Clients, async (i, sink) => await client.GetAsync(target.Bucket, $"{prefix}/warm{i + 1}", target.GetHeaders, sink) == body.Length, target, kms, put: false);

        var (putSeconds, putCpu, putErrors) = await PhaseAsync(size.Count, size.Clients,
            (i, _) => client.PutAsync(target.Bucket, $"{prefix}/{i:D6}", body, target.PutHeaders, payloadHash), target, kms, put: true);
        var (getSeconds, getCpu, getErrors) = await PhaseAsync(size.Count, size.Clients,
            async (i, sink) => await client.GetAsync(target.Bucket, $"{prefix}/{i:D6}", target.GetHeaders, sink) == body.Length, target, kms, put: false);

        if (size.Bytes >= 64 << 20)
        {
            for (var i = 0; i < size.Warmup; i++) await client.DeleteAsync(target.Bucket, $"{prefix}/warm{i}");
            for (var i = 0; i < size.Count; i++) await client.DeleteAsync(target.Bucket, $"{prefix}/{i:D6}");
        }
        return
        [
            new Measurement(target.Name, size.Name, "PUT", size.Clients, size.Count, (long)size.Count * size.Bytes, putSeconds, putCpu, putErrors),
            new Measurement(target.Name, size.Name, "GET", size.Clients, size.Count, (long)size.Count * size.Bytes, getSeconds, getCpu, getErrors),
        ];
    }

    /// <summary><paramref name="count"/> operations by <paramref name="clients"/> closed-loop workers; the wall time, the CPU time and the failures.</summary>
    private static async Task<(double Seconds, double CpuSeconds, long Errors)> PhaseAsync(int count, int clients, Func<int, byte[], Task<bool>> operation, Target target, KmsTally kms, bool put)
    {
        var before = target.KmsCalls?.Invoke() ?? 0;
        var cpuBefore = ProcessorTime(target);
        var next = -1;
        long errors = 0;
        var clock = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, clients).Select(_ => Task.Run(async () =>
        {
            var sink = new byte[SinkSize];
            int i;
            while ((i = Interlocked.Increment(ref next)) < count)
            {
                if (!await operation(i, sink)) Interlocked.Increment(ref errors);
            }
        })).ToList();
        await Task.WhenAll(workers);
        var seconds = clock.Elapsed.TotalSeconds;
        var cpuSeconds = (ProcessorTime(target) - cpuBefore).TotalSeconds;
        var calls = (target.KmsCalls?.Invoke() ?? 0) - before;
        if (put) { kms.Puts += count; kms.PutCalls += calls; }
        else { kms.Gets += count; kms.GetCalls += calls; }
        return (seconds, cpuSeconds, errors);
    }

    private static TimeSpan ProcessorTime(Target target)
    {
        using var self = Process.GetCurrentProcess();
        return self.TotalProcessorTime + target.OutsideProcessorTime();
    }
}
