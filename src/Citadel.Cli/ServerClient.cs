using System.CommandLine;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Citadel.Iam;
using Citadel.Server.Hosting;
using Citadel.Server.Security;

namespace Citadel.Cli;

/// <summary>Talks to a running server for the CLI: its endpoint and CA from the settings, SigV4 with the administrator credentials.</summary>
internal sealed class ServerClient : IDisposable
{
    public static readonly Option<string?> Endpoint = new("--endpoint") { Description = "Server URL (default: from the settings)." };

    private readonly HttpClient _client;
    private readonly CitadelOptions _options;
    private readonly Uri _endpoint;

    public ServerClient(ParseResult parse)
    {
        _options = CitadelOptions.Bind(Settings.Build(parse));
        _endpoint = new Uri(parse.GetValue(Endpoint) ?? _options.EndpointUrl());
        var handler = new HttpClientHandler();
        var caPath = LocalCertificateAuthority.CaCertificatePath(Path.GetFullPath(_options.DataDirectory));
        if (_endpoint.Scheme == "https" && File.Exists(caPath))
        {
            var ca = X509Certificate2.CreateFromPem(File.ReadAllText(caPath));
            handler.ServerCertificateCustomValidationCallback = (_, certificate, _, _) =>
            {
                if (certificate is null) return false;
                using var chain = new X509Chain();
                chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                chain.ChainPolicy.CustomTrustStore.Add(ca);
                chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                return chain.Build(certificate);
            };
        }
        _client = new HttpClient(handler) { BaseAddress = _endpoint };
    }

    /// <summary>Sends a request; when <paramref name="signingService"/> is given, signs it with the administrator credentials.</summary>
    public async Task<(bool Ok, string Body)> SendAsync(HttpMethod method, string path, string? body, string? signingService, IReadOnlyDictionary<string, string>? headers = null)
    {
        headers ??= new Dictionary<string, string>();
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            // The content type is a signed header for the JSON APIs: send exactly what was signed.
            request.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
            request.Content.Headers.TryAddWithoutValidation("Content-Type", headers.GetValueOrDefault("content-type", "application/json"));
        }
        foreach (var (name, value) in headers.Where(h => h.Key != "content-type")) request.Headers.TryAddWithoutValidation(name, value);
        if (signingService is not null)
        {
            var id = Environment.GetEnvironmentVariable("AWS_ACCESS_KEY_ID") ?? _options.RootAccessKeyId;
            var secret = Environment.GetEnvironmentVariable("AWS_SECRET_ACCESS_KEY") ?? _options.RootSecretAccessKey;
            if (id is null || secret is null)
                return (false, "This command needs the administrator credentials in AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.");
            var host = _endpoint.IsDefaultPort ? _endpoint.Host : $"{_endpoint.Host}:{_endpoint.Port}";
            foreach (var (name, value) in SigV4Signer.Sign(method.Method, host, path, "", headers,
                Encoding.UTF8.GetBytes(body ?? ""), id, secret, _options.Region, signingService, DateTimeOffset.UtcNow))
                request.Headers.TryAddWithoutValidation(name, value);
        }
        using var response = await _client.SendAsync(request);
        return (response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    public void Dispose() => _client.Dispose();
}
