using System.CommandLine;
using Citadel.Audit;
using Citadel.Server.Hosting;

namespace Citadel.Cli;

/// <summary><c>citadel audit verify</c>: checks the audit journal's hash chain offline, from a data directory or a copy of it.</summary>
internal static class AuditCommand
{
    public static Command Create()
    {
        var command = new Command("audit", "Work with the audit trail.");
        var verify = new Command("verify", "Verify the audit journal's hash chain (works on a stopped server or a copy of its data directory).") { Settings.Data, Settings.Config };
        verify.SetAction(parse =>
        {
            var options = CitadelOptions.Bind(Settings.Build(parse));
            var directory = Path.Combine(Path.GetFullPath(options.DataDirectory), "audit");
            if (!Directory.Exists(directory))
            {
                Console.Error.WriteLine($"No audit journal in {directory}.");
                return 2;
            }
            var index = Path.Combine(directory, "index.db");
            var witness = File.Exists(index) ? new AuditIndex(index).Position() : null;
            var started = System.Diagnostics.Stopwatch.StartNew();
            var report = AuditChainVerifier.Verify(directory, witness);
            if (report.Valid)
            {
                Console.WriteLine($"OK: {report.Records} records, hash chain intact{(witness is null ? " (no index to check the end against)" : "")}, verified in {started.Elapsed.TotalSeconds:F1} s.");
                return 0;
            }
            Console.WriteLine($"TAMPERED: {report.Problem} (segment {report.Segment}, byte {report.Offset}); {report.Records} records before it verified.");
            return 1;
        });
        command.Subcommands.Add(verify);
        return command;
    }
}
