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
            var template = new AuditEvent
            {
                EventId = Guid.NewGuid().ToString(),
                EventTime = DateTimeOffset.UtcNow,
                EventSource = "kms.amazonaws.com",
                EventName = "Encrypt",
                AwsRegion = "us-east-1",
                SourceIpAddress = "127.0.0.1",
                UserAgent = "aws-sdk-dotnet-coreclr/4.0.0 ua/2.1 os/linux md/arch#x64 lang/.NET_Core#10.0 exec-env#none m/b,D",
                UserIdentity = new AuditIdentity("Root", "000000000000", "arn:aws:iam::000000000000:root", "000000000000", "AKIACITADELBENCH0001", null),
                RequestParameters = System.Text.Json.Nodes.JsonNode.Parse("""{"keyId":"alias/app","encryptionAlgorithm":"SYMMETRIC_DEFAULT","encryptionContext":{"tenant":"bench"}}"""),
                RequestId = Guid.NewGuid().ToString(),
                ReadOnly = true,
                Resources = [new AuditResource("AWS::KMS::Key", "arn:aws:kms:us-east-1:000000000000:key/0b1e3c2a-5d7f-4a8b-9c0d-1e2f3a4b5c6d", "000000000000")],
                RecipientAccountId = "000000000000",
            };
            var record = template.ToJsonString();
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
