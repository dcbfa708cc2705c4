using System.Diagnostics;
using Amazon.KeyManagementService;
using Amazon.Runtime;

namespace Citadel.Compatibility.Tests;

/// <summary>Real AWS clients pointed at a Citadel server.</summary>
public static class Clients
{
    /// <summary>The AWS SDK for .NET KMS client, trusting the server's CA.</summary>
    /// <param name="region">The region the client signs for (the server serves us-east-1; another is refused).</param>
    public static AmazonKeyManagementServiceClient Kms(CitadelProcess server, string? accessKeyId = null, string? secret = null, string region = "us-east-1")
    {
        var config = new AmazonKeyManagementServiceConfig
        {
            ServiceURL = server.Endpoint,
            AuthenticationRegion = region,
            HttpClientFactory = new TrustingFactory(server.CaBundle),
            MaxErrorRetry = 0,
        };
        return new AmazonKeyManagementServiceClient(new BasicAWSCredentials(accessKeyId ?? CitadelProcess.AccessKeyId, secret ?? CitadelProcess.SecretAccessKey), config);
    }

    /// <summary>The AWS SDK for .NET S3 client (path-style), trusting the server's CA, with the SDK's default checksum behaviour.</summary>
    public static Amazon.S3.AmazonS3Client S3(CitadelProcess server, string? accessKeyId = null, string? secret = null, bool forcePathStyle = true)
    {
        var config = new Amazon.S3.AmazonS3Config
        {
            ServiceURL = forcePathStyle ? server.Endpoint : server.Endpoint.Replace("://localhost:", "://s3.localhost:", StringComparison.Ordinal),
            AuthenticationRegion = "us-east-1",
            ForcePathStyle = forcePathStyle,
            HttpClientFactory = forcePathStyle ? new TrustingFactory(server.CaBundle) : new LoopbackFactory(server),
            MaxErrorRetry = 0,
        };
        return new Amazon.S3.AmazonS3Client(new BasicAWSCredentials(accessKeyId ?? CitadelProcess.AccessKeyId, secret ?? CitadelProcess.SecretAccessKey), config);
    }

    /// <summary>
    /// Connects every host name (bucket.s3.localhost for virtual-host-style requests) to the server's loopback port,
    /// as a resolver that implements RFC 6761 would; TLS still checks the name against the certificate.
    /// </summary>
    private sealed class LoopbackFactory(CitadelProcess server) : HttpClientFactory
    {
        public override HttpClient CreateHttpClient(IClientConfig clientConfig)
        {
            var ca = System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPem(File.ReadAllText(server.CaBundle));
            var handler = new SocketsHttpHandler
            {
                ConnectCallback = async (_, cancellationToken) =>
                {
                    var socket = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp) { NoDelay = true };
                    await socket.ConnectAsync(System.Net.IPAddress.Loopback, server.Port, cancellationToken);
                    return new System.Net.Sockets.NetworkStream(socket, ownsSocket: true);
                },
            };
            handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, errors) => CitadelProcess.IssuedBy(ca, certificate, errors);
            return new HttpClient(handler);
        }
    }

    private sealed class TrustingFactory(string caBundle) : HttpClientFactory
    {
        public override HttpClient CreateHttpClient(IClientConfig clientConfig) => new(CitadelProcess.TrustingHandler(caBundle));
    }

    /// <summary>The result of a CLI run.</summary>
    public sealed record CliResult(int ExitCode, string StdOut, string StdErr);

    /// <summary>
    /// Runs an AWS CLI: v1 (the machine Python's <c>awscli</c> module) or v2 (Debian's <c>/usr/bin/aws</c>),
    /// with the endpoint, CA bundle, region and credentials in its environment.
    /// </summary>
    public static Task<CliResult> Aws(CitadelProcess server, int version, params string[] args) => Aws(server, version, null, args);

    /// <summary>Runs an AWS CLI as <see cref="Aws(CitadelProcess, int, string[])"/>, with extra environment variables set last (they win).</summary>
    public static async Task<CliResult> Aws(CitadelProcess server, int version, IReadOnlyDictionary<string, string>? environment, params string[] args)
    {
        var start = version == 1
            ? new ProcessStartInfo(Python) { ArgumentList = { "-m", "awscli" } }
            : new ProcessStartInfo("/usr/bin/aws");
        start.ArgumentList.Add("--endpoint-url");
        start.ArgumentList.Add(server.Endpoint);
        foreach (var arg in args) start.ArgumentList.Add(arg);
        return await RunAsync(start, server, environment);
    }

    /// <summary>Runs a Python script with boto3 against the server (endpoint in CITADEL_ENDPOINT).</summary>
    public static async Task<CliResult> Boto3(CitadelProcess server, string script, IReadOnlyDictionary<string, string>? environment = null)
    {
        var path = Path.Combine(Path.GetTempPath(), "citadel-boto3-" + Guid.NewGuid().ToString("N") + ".py");
        await File.WriteAllTextAsync(path, script);
        try
        {
            var start = new ProcessStartInfo(Python) { ArgumentList = { path } };
            start.Environment["CITADEL_ENDPOINT"] = server.Endpoint;
            return await RunAsync(start, server, environment);
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>Runs a Python script with arguments, with the server's endpoint, CA bundle, region and credentials in its environment.</summary>
    public static Task<CliResult> PythonScript(CitadelProcess server, string script, params string[] args)
    {
        var start = new ProcessStartInfo(Python) { ArgumentList = { script } };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        return RunAsync(start, server);
    }

    /// <summary>The machine's Python 3 that has botocore, boto3 and awscli v1.</summary>
    public static string Python => Environment.GetEnvironmentVariable("CITADEL_TEST_PYTHON") ?? "python3";

    private static async Task<CliResult> RunAsync(ProcessStartInfo start, CitadelProcess server, IReadOnlyDictionary<string, string>? environment = null)
    {
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.UseShellExecute = false;
        start.Environment["AWS_ACCESS_KEY_ID"] = CitadelProcess.AccessKeyId;
        start.Environment["AWS_SECRET_ACCESS_KEY"] = CitadelProcess.SecretAccessKey;
        start.Environment["AWS_DEFAULT_REGION"] = "us-east-1";
        start.Environment["AWS_REGION"] = "us-east-1";
        start.Environment["AWS_CA_BUNDLE"] = server.CaBundle;
        start.Environment["AWS_CONFIG_FILE"] = "/dev/null";
        start.Environment["AWS_SHARED_CREDENTIALS_FILE"] = "/dev/null";
        start.Environment["AWS_PAGER"] = "";
        start.Environment.Remove("AWS_PROFILE");
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) start.Environment[name] = value;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(cts.Token);
        return new CliResult(process.ExitCode, await stdout, await stderr);
    }
}
