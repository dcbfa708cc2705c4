using System.Net;
using System.Net.Sockets;
using Citadel.Server.Hosting;
using Microsoft.Extensions.Configuration;

namespace Citadel.S3Bench;

/// <summary>
/// Citadel's real server (<see cref="CitadelServer"/>, the same one <c>citadel serve</c> runs) in this process, on a
/// fresh data directory, listening with plain HTTP on a loopback port; with <c>floor</c> its segment cipher is the
/// harness's plain copy (<see cref="PlainCopySegments"/>). Blobs stay in the data directory, or go to a bucket of
/// an S3-compatible backend (<c>--backend moto</c>).
/// </summary>
internal sealed class InProcessCitadel : IAsyncDisposable
{
    private readonly CitadelServer _server;
    private readonly string _directory;

    private InProcessCitadel(CitadelServer server, string directory, string url)
    {
        _server = server;
        _directory = directory;
        Url = url;
    }

    public string Url { get; }

    /// <summary>GenerateDataKey and Decrypt calls the object store made so far.</summary>
    public long KmsCalls => _server.Objects.Keys.KmsCalls;

    public static async Task<InProcessCitadel> StartAsync(bool floor, string? backendUrl = null, string? backendBucket = null)
    {
        var directory = Path.Combine(Path.GetTempPath(), "citadel-s3bench-" + Guid.NewGuid().ToString("N"));
        var port = FreePort();
        var settings = new Dictionary<string, string?>
        {
            ["Citadel:DataDirectory"] = directory,
            ["Citadel:Listen"] = $"127.0.0.1:{port}",
            ["Citadel:Http"] = "true",
            // SSE-C is refused over plain HTTP unless allowed; the benchmark measures the server, not TLS.
            ["Citadel:S3AllowSseCOverHttp"] = "true",
            ["Citadel:RootAccessKeyId"] = S3Client.AccessKeyId,
            ["Citadel:RootSecretAccessKey"] = S3Client.Secret,
            // One log line per request goes to a console nobody reads during a benchmark (as bench/run-load.sh does).
            ["Logging:LogLevel:Default"] = "Warning",
        };
        if (backendUrl is not null)
        {
            settings["Citadel:S3Backend:Endpoint"] = backendUrl;
            settings["Citadel:S3Backend:Bucket"] = backendBucket;
            settings["Citadel:S3Backend:AccessKeyId"] = "bench";
            settings["Citadel:S3Backend:SecretAccessKey"] = "bench";
        }
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var server = await CitadelServer.CreateAsync(configuration, TextWriter.Null, null, floor ? new PlainCopySegments() : null);
        await server.StartAsync();
        return new InProcessCitadel(server, directory, $"http://127.0.0.1:{port}");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        await _server.DisposeAsync();
        try { Directory.Delete(_directory, true); } catch (IOException) { }
    }
}
