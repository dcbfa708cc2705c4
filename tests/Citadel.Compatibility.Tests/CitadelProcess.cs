using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Citadel.Compatibility.Tests;

/// <summary>
/// A real Citadel server in its own process (the same <c>citadel serve</c> a user runs), on a free
/// loopback port, with a data directory of its own and administrator credentials chosen by the test.
/// </summary>
public sealed class CitadelProcess : IAsyncDisposable
{
    public const string AccessKeyId = "AKIACITADELTESTADMIN";
    public const string SecretAccessKey = "citadel-test-secret-key-0123456789abcdef";

    private readonly StringBuilder _output = new();
    private Process? _process;

    public CitadelProcess(string? dataDirectory = null, bool http = false, int? port = null, params string[] extraArgs)
    {
        DataDirectory = dataDirectory ?? Path.Combine(Path.GetTempPath(), "citadel-compat-" + Guid.NewGuid().ToString("N"));
        Http = http;
        Port = port ?? FreePort();
        ExtraArgs = extraArgs;
    }

    public string DataDirectory { get; }
    public bool Http { get; }
    public int Port { get; }
    public string[] ExtraArgs { get; }
    /// <summary>The directory the server starts in (the test runner's, unless set).</summary>
    public string? WorkingDirectory { get; init; }
    /// <summary>The server's process id, once started.</summary>
    public int ProcessId => _process?.Id ?? throw new InvalidOperationException("Not started.");
    public string Endpoint => $"{(Http ? "http" : "https")}://localhost:{Port}";
    public string CaBundle => Path.Combine(DataDirectory, "tls", "ca.crt");
    public string Output { get { lock (_output) return _output.ToString(); } }

    /// <summary>The citadel CLI next to the test assembly (a project reference copies it there).</summary>
    public static string CliDll => Path.Combine(AppContext.BaseDirectory, "citadel.dll");

    public async Task StartAsync(IDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(CliDll);
        foreach (var arg in new[] { "serve", "--data", DataDirectory, "--listen", $"127.0.0.1:{Port}" }) start.ArgumentList.Add(arg);
        if (Http) start.ArgumentList.Add("--http");
        if (WorkingDirectory is not null) start.WorkingDirectory = WorkingDirectory;
        foreach (var arg in ExtraArgs) start.ArgumentList.Add(arg);
        start.Environment["CITADEL_ROOT_ACCESS_KEY_ID"] = AccessKeyId;
        start.Environment["CITADEL_ROOT_SECRET_ACCESS_KEY"] = SecretAccessKey;
        foreach (var (key, value) in environment ?? new Dictionary<string, string>()) start.Environment[key] = value;
        _process = Process.Start(start)!;
        _process.OutputDataReceived += (_, e) => { lock (_output) _output.AppendLine(e.Data); };
        _process.ErrorDataReceived += (_, e) => { lock (_output) _output.AppendLine(e.Data); };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited) throw new InvalidOperationException($"citadel serve exited with {_process.ExitCode}:\n{Output}");
            try
            {
                using var client = HttpClient();
                var response = await client.GetAsync($"{Endpoint}/health");
                if (response.StatusCode == HttpStatusCode.OK) return;
            }
            // The CA file can exist before the server has finished writing it: a partial PEM is read as malformed.
            catch (Exception e) when (e is HttpRequestException or CryptographicException) { }
            await Task.Delay(200);
        }
        throw new TimeoutException($"citadel serve did not become healthy:\n{Output}");
    }

    /// <summary>An HttpClient that trusts this server's CA.</summary>
    public HttpClient HttpClient() => new(TrustingHandler(CaBundle)) { Timeout = TimeSpan.FromSeconds(30) };

    public static HttpClientHandler TrustingHandler(string caBundle)
    {
        var handler = new HttpClientHandler();
        if (File.Exists(caBundle))
        {
            var ca = X509Certificate2.CreateFromPem(File.ReadAllText(caBundle));
            handler.ServerCertificateCustomValidationCallback = (_, certificate, _, errors) => IssuedBy(ca, certificate, errors);
        }
        return handler;
    }

    /// <summary>Whether a server certificate names the host it was asked for and chains to <paramref name="ca"/> (this server's CA).</summary>
    public static bool IssuedBy(X509Certificate2 ca, X509Certificate? certificate, System.Net.Security.SslPolicyErrors errors)
    {
        if (certificate is null || (errors & System.Net.Security.SslPolicyErrors.RemoteCertificateNameMismatch) != 0) return false;
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        using var leaf = new X509Certificate2(certificate);
        return chain.Build(leaf);
    }

    /// <summary>GET /metrics with the data directory's bearer token (Citadel:MetricsAccess token, the default).</summary>
    public async Task<string> MetricsAsync(HttpClient http)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"{Endpoint}/metrics");
        request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + (await File.ReadAllTextAsync(Path.Combine(DataDirectory, "metrics.token"))).Trim());
        using var response = await http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadAsStringAsync();
    }

    /// <summary>Stops with SIGTERM (graceful) or SIGKILL.</summary>
    public async Task StopAsync(bool kill = false)
    {
        if (_process is null || _process.HasExited) return;
        if (kill) _process.Kill(entireProcessTree: true);
        else
        {
            using var term = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            await term!.WaitForExitAsync();
        }
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await _process.WaitForExitAsync(cts.Token);
    }

    public int? ExitCode => _process is { HasExited: true } ? _process.ExitCode : null;

    public async ValueTask DisposeAsync()
    {
        await StopAsync(kill: true);
        _process?.Dispose();
    }

    public void DeleteData()
    {
        try { Directory.Delete(DataDirectory, true); } catch (IOException) { }
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>One server shared by a test collection.</summary>
public sealed class CitadelFixture : IAsyncLifetime
{
    public CitadelProcess Server { get; } = new();

    public Task InitializeAsync() => Server.StartAsync();

    public async Task DisposeAsync()
    {
        await Server.DisposeAsync();
        Server.DeleteData();
    }
}

[CollectionDefinition("citadel")]
public sealed class CitadelCollection : ICollectionFixture<CitadelFixture>;
