using System.CommandLine;
using Microsoft.Extensions.Configuration;

namespace Citadel.Cli;

/// <summary>The options every command shares and how they layer into configuration.</summary>
internal static class Settings
{
    public static readonly Option<string?> Data = new("--data") { Description = "Data directory (default ./.data, or Citadel__DataDirectory)." };
    public static readonly Option<string?> Config = new("--config") { Description = "Settings file (default: citadel.json in the data directory, when present)." };
    public static readonly Option<string?> Listen = new("--listen") { Description = "host:port to listen on (default 127.0.0.1:8443)." };
    public static readonly Option<bool> Http = new("--http") { Description = "Serve plain HTTP instead of HTTPS (testing only)." };

    /// <summary>
    /// Layers: settings file, then environment variables (Citadel__Region, ...), then flags.
    /// </summary>
    public static IConfiguration Build(ParseResult parse, IDictionary<string, string?>? extraFlags = null)
    {
        var environment = new ConfigurationBuilder().AddEnvironmentVariables().Build();
        var dataDirectory = parse.GetValue(Data) ?? environment["Citadel:DataDirectory"] ?? "./.data";
        var configFile = parse.GetValue(Config);
        var flags = new Dictionary<string, string?> { ["Citadel:DataDirectory"] = dataDirectory };
        if (parse.GetValue(Listen) is { } listen) flags["Citadel:Listen"] = listen;
        if (parse.GetValue(Http)) flags["Citadel:Http"] = "true";
        foreach (var (key, value) in extraFlags ?? new Dictionary<string, string?>()) flags[key] = value;
        return new ConfigurationBuilder()
            .AddJsonFile(Path.GetFullPath(configFile ?? Path.Combine(dataDirectory, "citadel.json")), optional: configFile is null, reloadOnChange: false)
            .AddEnvironmentVariables()
            .AddInMemoryCollection(flags)
            .Build();
    }
}
