using System.Text;
using Microsoft.Data.Sqlite;

namespace Citadel.Audit.Tests;

/// <summary>Each way of tampering with the stored journal is detected, at the record where it happened.</summary>
public sealed class ChainTamperTests : IAsyncLifetime
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "citadel-chain-" + Guid.NewGuid().ToString("N"));
    private string Journal => Directory.EnumerateFiles(_directory, "journal-*.log").Single();

    public async Task InitializeAsync()
    {
        await using var store = new JournalAuditStore(_directory);
        for (var i = 1; i <= 10; i++)
        {
            await store.AppendAsync(new AuditEvent
            {
                EventId = Guid.NewGuid().ToString(),
                EventTime = DateTimeOffset.UnixEpoch.AddDays(20000).AddSeconds(i),
                EventSource = "kms.amazonaws.com",
                EventName = "Encrypt",
                AwsRegion = "us-east-1",
                SourceIpAddress = "127.0.0.1",
                UserIdentity = new AuditIdentity("Root", "111122223333", "arn:aws:iam::111122223333:root", "111122223333", "AKIA", null),
                RequestId = $"request-{i}",
                ReadOnly = true,
                RecipientAccountId = "111122223333",
            });
        }
    }

    public Task DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, true);
        return Task.CompletedTask;
    }

    private List<string> Lines() => File.ReadAllLines(Journal).ToList();

    private void Write(List<string> lines) => File.WriteAllText(Journal, string.Join("", lines.Select(l => l + "\n")));

    private ChainReport Verify() => AuditChainVerifier.Verify(_directory, new AuditIndex(Path.Combine(_directory, "index.db")).Position());

    [Fact]
    public void AnUntouchedJournalVerifies()
    {
        var report = Verify();
        Assert.True(report.Valid, report.Problem);
        Assert.Equal(10, report.Records);
    }

    [Fact]
    public void AnEditedRecordIsReported()
    {
        var lines = Lines();
        lines[3] = lines[3].Replace("request-4", "request-X", StringComparison.Ordinal);
        Write(lines);
        Assert.StartsWith("record 4 breaks the hash chain", Verify().Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void ADeletedRecordIsReportedWhereItWas()
    {
        var lines = Lines();
        lines.RemoveAt(3);
        Write(lines);
        Assert.StartsWith("record 4 breaks the hash chain", Verify().Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void AnInsertedRecordIsReported()
    {
        var lines = Lines();
        lines.Insert(3, lines[1]);
        Write(lines);
        Assert.StartsWith("record 4 breaks the hash chain", Verify().Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void AnInsertedRecordWithAForgedLinkBreaksTheChainAtTheNextRecord()
    {
        var lines = Lines();
        var forged = lines[1][AuditJournal.PrefixBytes..].Replace("request-2", "request-F", StringComparison.Ordinal);
        var link = AuditJournal.Link(Convert.FromHexString(lines[2][..64]), Encoding.UTF8.GetBytes(forged));
        lines.Insert(3, Convert.ToHexStringLower(link) + " " + forged);
        Write(lines);
        Assert.StartsWith("record 5 breaks the hash chain", Verify().Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void ReorderedRecordsAreReported()
    {
        var lines = Lines();
        (lines[3], lines[4]) = (lines[4], lines[3]);
        Write(lines);
        Assert.StartsWith("record 4 breaks the hash chain", Verify().Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void ATruncatedTailIsReportedAgainstTheIndexWitness()
    {
        var lines = Lines();
        Write(lines.Take(8).ToList());
        var report = Verify();
        Assert.False(report.Valid);
        Assert.Equal(8, report.Records);
        Assert.Contains("records were removed from the end", report.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void TheStoreContinuesTheChainAcrossRestarts()
    {
        using (var journal = new AuditJournal(_directory))
            journal.Append(["{\"eventVersion\":\"1.09\",\"after\":\"restart\"}"]);
        var report = AuditChainVerifier.Verify(_directory);
        Assert.True(report.Valid, report.Problem);
        Assert.Equal(11, report.Records);
    }
}
