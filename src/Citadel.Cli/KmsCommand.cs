using System.CommandLine;
using System.Text.Json;

namespace Citadel.Cli;

/// <summary><c>citadel kms last-used KEY</c>: when a key was last used for cryptography, by whom, and which audit event records it.</summary>
internal static class KmsCommand
{
    private static readonly Argument<string> Key = new("key") { Description = "Key id, key ARN, alias name or alias ARN." };

    public static Command Create()
    {
        var command = new Command("kms", "Key management helpers.");
        var lastUsed = new Command("last-used", "Show the last successful cryptographic use of a key (KMS GetKeyLastUsage, from the audit trail).")
        {
            Key, Settings.Data, Settings.Config, Settings.Listen, Settings.Http, ServerClient.Endpoint,
        };
        lastUsed.SetAction(async parse =>
        {
            using var server = new ServerClient(parse);
            var body = JsonSerializer.Serialize(new { KeyId = parse.GetValue(Key) });
            var (ok, text) = await server.SendAsync(HttpMethod.Post, "/", body, "kms", new Dictionary<string, string>
            {
                ["x-amz-target"] = "TrentService.GetKeyLastUsage",
                ["content-type"] = "application/x-amz-json-1.1",
            });
            if (!ok)
            {
                await Console.Error.WriteLineAsync(text);
                return 1;
            }
            using var document = JsonDocument.Parse(text);
            var root = document.RootElement;
            Console.WriteLine($"key:      {root.GetProperty("KeyId").GetString()}");
            if (!root.TryGetProperty("KeyLastUsage", out var usage))
            {
                Console.WriteLine("never used for a successful cryptographic operation since it was created");
                return 0;
            }
            var eventId = usage.GetProperty("CloudTrailEventId").GetString();
            var who = "";
            var (found, trail) = await server.SendAsync(HttpMethod.Post, "/", JsonSerializer.Serialize(new
            {
                LookupAttributes = new[] { new { AttributeKey = "EventId", AttributeValue = eventId } },
            }), "cloudtrail", new Dictionary<string, string>
            {
                ["x-amz-target"] = "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents",
                ["content-type"] = "application/x-amz-json-1.1",
            });
            if (found)
            {
                using var events = JsonDocument.Parse(trail);
                foreach (var e in events.RootElement.GetProperty("Events").EnumerateArray())
                {
                    using var record = JsonDocument.Parse(e.GetProperty("CloudTrailEvent").GetString()!);
                    var identity = record.RootElement.GetProperty("userIdentity");
                    who = $"\nby:       {identity.GetProperty("arn").GetString()} from {record.RootElement.GetProperty("sourceIPAddress").GetString()}";
                }
            }
            Console.WriteLine($"last use: {usage.GetProperty("Operation").GetString()} at {DateTimeOffset.FromUnixTimeMilliseconds((long)(usage.GetProperty("Timestamp").GetDouble() * 1000)):u}");
            Console.WriteLine($"event id: {eventId}");
            Console.WriteLine($"request:  {usage.GetProperty("KmsRequestId").GetString()}{who}");
            return 0;
        });
        command.Subcommands.Add(lastUsed);
        return command;
    }
}
