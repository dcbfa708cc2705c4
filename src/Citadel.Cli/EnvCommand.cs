using System.CommandLine;
using Citadel.Crypto;
using Citadel.Server.Hosting;
using Citadel.Server.Security;
using Citadel.Storage;

namespace Citadel.Cli;

/// <summary><c>citadel env</c>: prints the shell lines that point the AWS CLI and SDKs at this server.</summary>
internal static class EnvCommand
{
    public static Command Create()
    {
        var command = new Command("env", "Print the environment lines that point AWS CLIs and SDKs at Citadel.") { Settings.Data, Settings.Config, Settings.Listen, Settings.Http };
        command.SetAction(async parse =>
        {
            var options = CitadelOptions.Bind(Settings.Build(parse));
            var dataDirectory = Path.GetFullPath(options.DataDirectory);
            Console.WriteLine($"export AWS_ENDPOINT_URL={options.EndpointUrl()}");
            if (!options.Http) Console.WriteLine($"export AWS_CA_BUNDLE={LocalCertificateAuthority.CaCertificatePath(dataDirectory)}");
            Console.WriteLine($"export AWS_REGION={options.Region}");
            Console.WriteLine($"export AWS_DEFAULT_REGION={options.Region}");
            var credentials = options.RootAccessKeyId is not null
                ? (options.RootAccessKeyId, options.RootSecretAccessKey!)
                : await ReadStoredAsync(dataDirectory);
            if (credentials is { } c)
            {
                Console.WriteLine($"export AWS_ACCESS_KEY_ID={c.Item1}");
                Console.WriteLine($"export AWS_SECRET_ACCESS_KEY={c.Item2}");
            }
            else
            {
                Console.WriteLine("# The administrator credentials are not readable here (sealed with shamir, or not created yet): set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY yourself.");
            }
            return 0;
        });
        return command;
    }

    private static async Task<(string, string)?> ReadStoredAsync(string dataDirectory)
    {
        var keyFile = Path.Combine(dataDirectory, "root.key");
        var database = Path.Combine(dataDirectory, "metadata.db");
        if (!File.Exists(keyFile) || !File.Exists(database)) return null;
        using var root = new RootKey(await File.ReadAllBytesAsync(keyFile));
        var stored = await AdministratorCredentials.ReadStoredAsync(new SqliteDocumentStore(database), root);
        return stored is { } s ? (s.AccessKeyId, s.Secret) : null;
    }
}
