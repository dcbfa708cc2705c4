using System.Diagnostics;
using Citadel.Audit;

namespace Citadel.LoadBench;

/// <summary>
/// Writes N realistic KMS Encrypt audit records into a fresh journal (batches of 512, one fsync each, as the
/// server's group commit does under load), then verifies the whole hash chain from scratch and reports both rates.
/// </summary>
public static class ChainBench
{
    public static Task RunAsync(int events)
    {
        var directory = Path.Combine(Path.GetTempPath(), "citadel-chain-bench-" + Guid.NewGuid().ToString("N"));
        try
        {
            var record = BenchEvents.Encrypt().ToUtf8Json();
            var write = Stopwatch.StartNew();
            using (var journal = new AuditJournal(directory))
            {
                var batch = Enumerable.Repeat(record, 512).ToList();
                for (var written = 0; written < events; written += batch.Count)
                    journal.Append(written + batch.Count <= events ? batch : batch.Take(events - written).ToList());
            }
            write.Stop();
            var bytes = Directory.EnumerateFiles(directory).Sum(f => new FileInfo(f).Length);
            var verify = Stopwatch.StartNew();
            var report = AuditChainVerifier.Verify(directory);
            verify.Stop();
            Console.WriteLine($"records: {report.Records:N0} ({bytes / 1e6:F0} MB, {record.Length} bytes of JSON each), chain valid: {report.Valid}");
            Console.WriteLine($"append (512 per fsync): {write.Elapsed.TotalSeconds:F1} s, {events / write.Elapsed.TotalSeconds:N0} records/s");
            Console.WriteLine($"verify from scratch:    {verify.Elapsed.TotalSeconds:F1} s, {report.Records / verify.Elapsed.TotalSeconds:N0} records/s");
        }
        finally
        {
            Directory.Delete(directory, true);
        }
        return Task.CompletedTask;
    }
}
