using System.Diagnostics;

namespace Citadel.Compatibility.Tests;

/// <summary>Runs the <c>citadel</c> CLI (not the server) and captures its output.</summary>
public static class CliProcess
{
    public sealed record Result(int ExitCode, string Output);

    public static Task<Result> RunAsync(IDictionary<string, string>? environment, params string[] args)
        => RunProgramAsync(environment, "dotnet", [CitadelProcess.CliDll, .. args]);

    public static Task<Result> RunProgramAsync(string program, params string[] args) => RunProgramAsync(null, program, args);

    private static async Task<Result> RunProgramAsync(IDictionary<string, string>? environment, string program, string[] args)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        foreach (var (key, value) in environment ?? new Dictionary<string, string>()) start.Environment[key] = value;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await process.WaitForExitAsync(cts.Token);
        return new Result(process.ExitCode, await stdout + await stderr);
    }
}
