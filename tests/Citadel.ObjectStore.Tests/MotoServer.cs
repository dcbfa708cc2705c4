using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Amazon.Runtime;
using Amazon.S3;
using Citadel.ObjectStore.Blobs;

namespace Citadel.ObjectStore.Tests;

/// <summary>
/// A real moto_server (an S3 implementation in Python) as a child process on a free loopback port, for the
/// S3 backend's tests. Started with <c>python3 -m moto.server</c> (the machine's Python has moto; see
/// scripts/test.sh), or the executable named by CITADEL_MOTO_SERVER. moto accepts any credentials.
/// </summary>
public sealed class MotoServer : IAsyncDisposable
{
    public const string AccessKeyId = "citadeltestaccesskey";
    public const string SecretAccessKey = "citadel-test-secret";

    private readonly StringBuilder _output = new();
    private Process? _process;

    private MotoServer(int port, bool tls)
    {
        Port = port;
        Endpoint = $"{(tls ? "https" : "http")}://127.0.0.1:{port}";
    }

    public int Port { get; }
    public string Endpoint { get; }
    public string Output { get { lock (_output) return _output.ToString(); } }

    /// <summary>Starts moto and waits until it answers; with a certificate and key, it serves HTTPS with them.</summary>
    public static async Task<MotoServer> StartAsync(string? certificateFile = null, string? keyFile = null)
    {
        var server = new MotoServer(FreePort(), certificateFile is not null);
        try
        {
            await server.RunAsync(certificateFile, keyFile);
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    private async Task RunAsync(string? certificateFile, string? keyFile)
    {
        var command = Environment.GetEnvironmentVariable("CITADEL_MOTO_SERVER");
        var start = new ProcessStartInfo(string.IsNullOrEmpty(command) ? "python3" : command)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (string.IsNullOrEmpty(command)) foreach (var arg in new[] { "-m", "moto.server" }) start.ArgumentList.Add(arg);
        foreach (var arg in new[] { "-H", "127.0.0.1", "-p", Port.ToString(System.Globalization.CultureInfo.InvariantCulture) }) start.ArgumentList.Add(arg);
        if (certificateFile is not null)
        {
            foreach (var arg in new[] { "-c", certificateFile, "-k", keyFile! }) start.ArgumentList.Add(arg);
        }
        try
        {
            _process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException($"Cannot start moto_server ({start.FileName}): install Python's moto (scripts/test.sh checks for it) or set CITADEL_MOTO_SERVER.", e);
        }
        _process.OutputDataReceived += (_, e) => { lock (_output) _output.AppendLine(e.Data); };
        _process.ErrorDataReceived += (_, e) => { lock (_output) _output.AppendLine(e.Data); };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        using var probe = new HttpClient(new HttpClientHandler { ServerCertificateCustomValidationCallback = HttpClientHandler.DangerousAcceptAnyServerCertificateValidator })
        {
            Timeout = TimeSpan.FromSeconds(5),
        };
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited) throw new InvalidOperationException($"moto_server exited with {_process.ExitCode}:\n{Output}");
            try
            {
                // moto's own API answers once the server is up.
                using var response = await probe.GetAsync($"{Endpoint}/moto-api/");
                if (response.IsSuccessStatusCode) return;
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) { }
            await Task.Delay(100);
        }
        throw new TimeoutException($"moto_server did not answer on {Endpoint}:\n{Output}");
    }

    /// <summary>A plain SDK client for test setup and inspection (buckets, pending uploads, raw objects).</summary>
    public AmazonS3Client Client() => new(new BasicAWSCredentials(AccessKeyId, SecretAccessKey), new AmazonS3Config
    {
        ServiceURL = Endpoint,
        AuthenticationRegion = "us-east-1",
        ForcePathStyle = true,
        RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
        ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
    });

    /// <summary>Settings of a blob store in <paramref name="bucket"/> under <paramref name="prefix"/>.</summary>
    public S3BlobStoreSettings Settings(string bucket, string prefix) => new()
    {
        Endpoint = Endpoint,
        Bucket = bucket,
        Prefix = prefix,
        AccessKeyId = AccessKeyId,
        SecretAccessKey = SecretAccessKey,
    };

    public async ValueTask DisposeAsync()
    {
        if (_process is null) return;
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await _process.WaitForExitAsync(timeout.Token);
        }
        _process.Dispose();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>One moto_server shared by the tests of the "moto" collection, with one bucket created.</summary>
public sealed class MotoFixture : IAsyncLifetime
{
    public const string Bucket = "citadel-blobs";

    public MotoServer Server { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Server = await MotoServer.StartAsync();
        using var client = Server.Client();
        await client.PutBucketAsync(Bucket);
    }

    public async Task DisposeAsync()
    {
        if (Server is not null) await Server.DisposeAsync();
    }
}

[CollectionDefinition("moto")]
public sealed class MotoCollection : ICollectionFixture<MotoFixture>;
