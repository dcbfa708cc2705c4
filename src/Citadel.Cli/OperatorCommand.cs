using System.CommandLine;
using System.Text.Json;

namespace Citadel.Cli;

/// <summary><c>citadel operator</c>: init (Shamir shares), unseal, seal, status of a running server.</summary>
internal static class OperatorCommand
{
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
            sub.Options.Add(ServerClient.Endpoint);
            command.Subcommands.Add(sub);
        }
        return command;
    }

    private static async Task<int> Run(ParseResult parse, string action, string? body, bool signed)
    {
        using var server = new ServerClient(parse);
        var (ok, text) = await server.SendAsync(body is null ? HttpMethod.Get : HttpMethod.Post, "/citadel/operator/" + action, body, signed ? "citadel" : null);
        Console.WriteLine(text);
        return ok ? 0 : 1;
    }

}
