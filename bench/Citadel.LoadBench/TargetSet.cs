using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Citadel.LoadBench;

/// <summary>A server under load: its URL and the key the operations use.</summary>
public sealed record Target(string Name, string Url, string KeyId, Process? Process = null);

/// <summary>Starts the benchmark targets as separate processes and stops them at the end.</summary>
public sealed class TargetSet : IAsyncDisposable
{
    public const string AccessKeyId = "AKIACITADELBENCH0001";
    public const string Secret = "citadel-bench-secret-0123456789abcdef";
    private readonly List<Process> _processes = [];
    private readonly List<string> _directories = [];

    public async Task<Target> StartAsync(string name)
    {
        if (name.StartsWith("http", StringComparison.Ordinal))
            return new Target("external", name, await SignedClient.CreateKeyAsync(name));
        var port = FreePort();
        var url = $"http://127.0.0.1:{port}";
        var here = AppContext.BaseDirectory;
        ProcessStartInfo start;
        // "citadel@DIR" runs the citadel.dll built in DIR: two builds side by side in one run (an A/B of a change).
        var citadelDll = name.StartsWith("citadel@", StringComparison.Ordinal) ? Path.Combine(name["citadel@".Length..], "citadel.dll") : Path.Combine(here, "citadel.dll");
        switch (name.Split('@')[0])
        {
            case "citadel":
                var data = NewDataDirectory();
                start = new ProcessStartInfo("dotnet") { ArgumentList = { citadelDll, "serve", "--data", data, "--listen", $"127.0.0.1:{port}", "--http" } };
                start.Environment["CITADEL_ROOT_ACCESS_KEY_ID"] = AccessKeyId;
                start.Environment["CITADEL_ROOT_SECRET_ACCESS_KEY"] = Secret;
                // Per-request logs go to a console nobody reads during a benchmark.
                start.Environment["Logging__LogLevel__Default"] = "Warning";
                // The bench reads the allocation counter from /metrics, which needs a token by default.
                start.Environment["Citadel__MetricsAccess"] = "public";
                break;
            case "citadel-unaudited":
                var unauditedData = NewDataDirectory();
                // citadel serve's runtime settings (thread pool, GC) with this assembly's dependencies, so the two
                // citadel targets differ only by the audit stage.
                start = new ProcessStartInfo("dotnet")
                {
                    ArgumentList =
                    {
                        "exec", "--runtimeconfig", Path.Combine(here, "citadel.runtimeconfig.json"), "--depsfile", Path.Combine(here, "Citadel.LoadBench.deps.json"),
                        Path.Combine(here, "Citadel.LoadBench.dll"), "serve-unaudited", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--data", unauditedData,
                    },
                };
                break;
            case "moto":
                start = new ProcessStartInfo(Environment.GetEnvironmentVariable("MOTO_SERVER") ?? "moto_server") { ArgumentList = { "-H", "127.0.0.1", "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture) } };
                break;
            case "floor":
                start = new ProcessStartInfo("dotnet") { ArgumentList = { Path.Combine(here, "Citadel.LoadBench.dll"), "floor", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture) } };
                break;
            default:
                throw new ArgumentException($"Unknown target {name}");
        }
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _processes.Add(process);
        await WaitForPortAsync(port, process);
        var keyId = name == "floor" ? "floor" : await SignedClient.CreateKeyAsync(url);
        return new Target(name, url, keyId, process);
    }

    /// <summary>A fresh data directory for a Citadel target, removed at the end.</summary>
    private string NewDataDirectory()
    {
        var directory = Path.Combine(Path.GetTempPath(), "citadel-bench-" + Guid.NewGuid().ToString("N"));
        _directories.Add(directory);
        return directory;
    }

    private static async Task WaitForPortAsync(int port, Process process)
    {
        for (var i = 0; i < 300; i++)
        {
            if (process.HasExited) throw new InvalidOperationException($"target exited with {process.ExitCode}");
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(100);
            }
        }
        throw new TimeoutException($"nothing listens on {port}");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var process in _processes)
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            process.Dispose();
        }
        foreach (var directory in _directories)
        {
            try { Directory.Delete(directory, true); } catch (IOException) { }
        }
    }
}
