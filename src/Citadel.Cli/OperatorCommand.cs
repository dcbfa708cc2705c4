using System.CommandLine;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Citadel.Iam;
using Citadel.Server.Hosting;
using Citadel.Server.Security;

namespace Citadel.Cli;

/// <summary><c>citadel operator</c>: init (Shamir shares), unseal, seal, status of a running server.</summary>
internal static class OperatorCommand
{
    private static readonly Option<string?> Endpoint = new("--endpoint") { Description = "Server URL (default: from the settings)." };
    private static readonly Option<int> Shares = new("--shares") { Description = "Number of key shares.", DefaultValueFactory = _ => 5 };
    private static readonly Option<int> Threshold = new("--threshold") { Description = "Shares needed to unseal.", DefaultValueFactory = _ => 3 };
    private static readonly Argument<string?> Share = new("share") { Description = "One unseal share (hex); read from stdin when absent.", Arity = ArgumentArity.ZeroOrOne };

    public static Command Create()
    {
        var command = new Command("operator", "Initialize, unseal and seal a Citadel server.");
        var init = new Command("init", "Create the root key as Shamir shares (shamir seal).") { Shares, Threshold };
        init.SetAction(parse => Run(parse, "init", JsonSerializer.Serialize(new { shares = parse.GetValue(Shares), threshold = parse.GetValue(Threshold) }), signed: false));
        var unseal = new Command("unseal", "Give one unseal share.") { Share };
        unseal.SetAction(parse => Run(parse, "unseal", JsonSerializer.Serialize(new { share = parse.GetValue(Share) ?? Console.In.ReadLine() }), signed: false));
        var seal = new Command("seal", "Drop the root key from the server's memory (needs the administrator credentials).");
        seal.SetAction(parse => Run(parse, "seal", "", signed: true));
        var status = new Command("status", "Show the seal state.");
        status.SetAction(parse => Run(parse, "status", null, signed: false));
        foreach (var sub in new[] { init, unseal, seal, status })
        {
            sub.Options.Add(Settings.Data);
            sub.Options.Add(Settings.Config);
            sub.Options.Add(Settings.Listen);
            sub.Options.Add(Settings.Http);
            sub.Options.Add(Endpoint);
            command.Subcommands.Add(sub);
        }
        return command;
    }

    private static async Task<int> Run(ParseResult parse, string action, string? body, bool signed)
    {
        var options = CitadelOptions.Bind(Settings.Build(parse));
        var endpoint = new Uri(parse.GetValue(Endpoint) ?? options.EndpointUrl());
        using var handler = new HttpClientHandler();
        var caPath = LocalCertificateAuthority.CaCertificatePath(Path.GetFullPath(options.DataDirectory));
        if (endpoint.Scheme == "https" && File.Exists(caPath))
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
        using var client = new HttpClient(handler) { BaseAddress = endpoint };
        using var request = new HttpRequestMessage(body is null ? HttpMethod.Get : HttpMethod.Post, "/citadel/operator/" + action);
        if (body is not null) request.Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");
        if (signed)
        {
            var id = Environment.GetEnvironmentVariable("AWS_ACCESS_KEY_ID") ?? options.RootAccessKeyId;
            var secret = Environment.GetEnvironmentVariable("AWS_SECRET_ACCESS_KEY") ?? options.RootSecretAccessKey;
            if (id is null || secret is null)
            {
                await Console.Error.WriteLineAsync("operator seal needs the administrator credentials in AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.");
                return 2;
            }
            var host = endpoint.IsDefaultPort ? endpoint.Host : $"{endpoint.Host}:{endpoint.Port}";
            foreach (var (name, value) in SigV4Signer.Sign("POST", host, request.RequestUri!.OriginalString, "", new Dictionary<string, string>(), System.Text.Encoding.UTF8.GetBytes(body ?? ""), id, secret, options.Region, "citadel", DateTimeOffset.UtcNow))
                request.Headers.TryAddWithoutValidation(name, value);
        }
        using var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Console.WriteLine(text);
        return response.IsSuccessStatusCode ? 0 : 1;
    }

}
