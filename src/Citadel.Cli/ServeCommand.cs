using System.CommandLine;
using Citadel.Server.Hosting;
using Citadel.Server.Security;

namespace Citadel.Cli;

/// <summary><c>citadel serve</c>: starts the server on embedded defaults.</summary>
internal static class ServeCommand
{
    private static readonly Option<string?> AccountId = new("--account-id") { Description = "12-digit account id of ARNs." };
    private static readonly Option<string?> Region = new("--region") { Description = "Region of ARNs (default us-east-1)." };
    private static readonly Option<string?> Seal = new("--seal") { Description = "Root key seal: keyfile (default) or shamir." };

    public static Command Create()
    {
        var command = new Command("serve", "Start the Citadel server.") { Settings.Data, Settings.Config, Settings.Listen, Settings.Http, AccountId, Region, Seal };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var flags = new Dictionary<string, string?>();
            if (parse.GetValue(AccountId) is { } account) flags["Citadel:AccountId"] = account;
            if (parse.GetValue(Region) is { } region) flags["Citadel:Region"] = region;
            if (parse.GetValue(Seal) is { } seal) flags["Citadel:Seal"] = seal;
            CitadelServer server;
            try
            {
                server = await CitadelServer.CreateAsync(Settings.Build(parse, flags), Console.Out);
            }
            catch (Exception e) when (e is InvalidSettingsException or SealException)
            {
                await Console.Error.WriteLineAsync(e.Message);
                return 2;
            }
            await using (server)
            {
                try
                {
                    await server.StartAsync(cancellationToken);
                }
                catch (IOException e) when (e.GetBaseException() is System.Net.Sockets.SocketException { SocketErrorCode: System.Net.Sockets.SocketError.AddressAlreadyInUse })
                {
                    // A setting the machine refuses: named like the invalid ones, not as an unhandled exception.
                    await Console.Error.WriteLineAsync($"Citadel:Listen '{server.Options.Listen}': the address is already in use (another server is listening there).");
                    return 2;
                }
                var status = server.Seal.Status();
                Console.WriteLine($"Citadel is listening on {server.Endpoint} (data: {server.Options.DataDirectory}; {(status.Sealed ? "SEALED: run citadel operator unseal" : "unsealed")}).");
                if (!server.Options.Http) Console.WriteLine($"Clients trust {LocalCertificateAuthority.CaCertificatePath(server.Options.DataDirectory)} (AWS_CA_BUNDLE).");
                await server.RunAsync(CancellationToken.None);
            }
            return 0;
        });
        return command;
    }
}
