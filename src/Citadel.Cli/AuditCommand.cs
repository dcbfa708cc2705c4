using System.CommandLine;
using System.Text.Json;
using Citadel.Audit;
using Citadel.Server.Hosting;

namespace Citadel.Cli;

/// <summary>
/// <c>citadel audit verify</c>: checks the audit journal's hash chain offline, from a data directory or a copy of it,
/// and with <c>--trail-files</c> the delivered log and digest files from a copy of the trail bucket.
/// <c>citadel audit flush</c>: makes a running server deliver every trail's pending log files and a digest now.
/// </summary>
internal static class AuditCommand
{
    public static Command Create()
    {
        var command = new Command("audit", "Work with the audit trail.");
        var verify = new Command("verify", "Verify the audit journal's hash chain and, with --trail-files, the delivered trail files (works on a stopped server or a copy of its data directory).")
        {
            Settings.Data, Settings.Config, TrailFilesCheck.TrailFiles, TrailFilesCheck.Prefix,
        };
        verify.SetAction(parse =>
        {
            var options = CitadelOptions.Bind(Settings.Build(parse));
            var dataDirectory = Path.GetFullPath(options.DataDirectory);
            var copy = parse.GetValue(TrailFilesCheck.TrailFiles);
            var journal = VerifyJournal(dataDirectory, filesToo: copy is not null);
            return copy is null ? journal : Math.Max(journal, TrailFilesCheck.Run(dataDirectory, Path.GetFullPath(copy), parse.GetValue(TrailFilesCheck.Prefix)));
        });
        command.Subcommands.Add(verify);

        var flush = new Command("flush", "Deliver every trail's pending log files and a signed digest now, instead of at the next interval (needs the administrator credentials).")
        {
            Settings.Data, Settings.Config, Settings.Listen, Settings.Http, ServerClient.Endpoint,
        };
        flush.SetAction(async parse =>
        {
            using var server = new ServerClient(parse);
            var (ok, text) = await server.SendAsync(HttpMethod.Post, "/citadel/operator/trails/flush", "", "citadel");
            if (!ok)
            {
                await Console.Error.WriteLineAsync(text);
                return 1;
            }
            using var document = JsonDocument.Parse(text);
            var failed = false;
            var trails = document.RootElement.GetProperty("trails");
            if (trails.GetArrayLength() == 0) Console.WriteLine("No trails.");
            foreach (var trail in trails.EnumerateArray())
            {
                var name = trail.GetProperty("trailName").GetString();
                var files = trail.GetProperty("logFiles").GetArrayLength();
                var digest = trail.TryGetProperty("digest", out var d) && d.ValueKind == JsonValueKind.String ? d.GetString() : null;
                Console.WriteLine($"{name}: {files} log file{(files == 1 ? "" : "s")} delivered{(digest is null ? ", no digest" : ", digest " + digest)}");
                foreach (var (member, what) in new[] { ("logError", "log files"), ("digestError", "digest") })
                {
                    if (trail.TryGetProperty(member, out var error) && error.ValueKind == JsonValueKind.String)
                    {
                        failed = true;
                        await Console.Error.WriteLineAsync($"{name}: {what} not delivered (kept pending, retried later): {error.GetString()}");
                    }
                }
            }
            return failed ? 1 : 0;
        });
        command.Subcommands.Add(flush);
        return command;
    }

    /// <summary>Checks the journal's hash chain; 0 intact, 1 tampered, 2 no journal (only when no files are checked either).</summary>
    private static int VerifyJournal(string dataDirectory, bool filesToo)
    {
        var directory = Path.Combine(dataDirectory, "audit");
        if (!Directory.Exists(directory))
        {
            // A copy of the bucket and the keys can be verified without the journal.
            Console.Error.WriteLine($"No audit journal in {directory}{(filesToo ? "; checking the delivered files only." : ".")}");
            return filesToo ? 0 : 2;
        }
        var index = Path.Combine(directory, "index.db");
        var witness = File.Exists(index) ? new AuditIndex(index).Position() : null;
        var started = System.Diagnostics.Stopwatch.StartNew();
        var report = AuditChainVerifier.Verify(directory, witness);
        if (report.Valid)
        {
            var pruned = report.Pruned > 0 ? $" (continuing from the anchor of {report.Pruned} records pruned by retention)" : "";
            Console.WriteLine($"OK: {report.Records} records, hash chain intact{pruned}{(witness is null ? " (no index to check the end against)" : "")}, verified in {started.Elapsed.TotalSeconds:F1} s.");
            return 0;
        }
        Console.WriteLine($"TAMPERED: {report.Problem} (segment {report.Segment}, byte {report.Offset}); {report.Records} records before it verified.");
        return 1;
    }
}
