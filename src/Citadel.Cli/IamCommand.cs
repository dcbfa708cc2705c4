using System.CommandLine;
using System.Globalization;
using System.Text.Json;

namespace Citadel.Cli;

/// <summary>
/// <c>citadel iam explain REQUEST-ID</c>: the request an audit record logged (who, which action, which resources, what
/// happened) and why it is allowed or denied, decided again by the server's authorizer against current policies.
/// </summary>
internal static class IamCommand
{
    private static readonly Argument<string> RequestId = new("request-id") { Description = "The request id (the x-amzn-RequestId a response carried, requestID in the audit record)." };
    private static readonly Option<bool> Json = new("--json") { Description = "Print the server's answer as JSON." };

    public static Command Create()
    {
        var command = new Command("iam", "Identity and permissions helpers.");
        var explain = new Command("explain", "Explain the authorization of a logged request, evaluated against current policies (needs the administrator credentials).")
        {
            RequestId, Json, Settings.Data, Settings.Config, Settings.Listen, Settings.Http, ServerClient.Endpoint,
        };
        explain.SetAction(async parse =>
        {
            using var server = new ServerClient(parse);
            var (ok, text) = await server.SendAsync(HttpMethod.Post, "/citadel/admin/explain", JsonSerializer.Serialize(new { requestId = parse.GetValue(RequestId) }), "citadel",
                new Dictionary<string, string> { ["content-type"] = "application/json" });
            if (!ok)
            {
                await Console.Error.WriteLineAsync(ErrorOf(text));
                return 1;
            }
            if (parse.GetValue(Json))
            {
                Console.WriteLine(text);
                return 0;
            }
            using var document = JsonDocument.Parse(text);
            Print(document.RootElement);
            return 0;
        });
        command.Subcommands.Add(explain);
        return command;
    }

    private static string ErrorOf(string text)
    {
        try
        {
            using var document = JsonDocument.Parse(text);
            if (document.RootElement.TryGetProperty("error", out var error)) return error.GetString() ?? text;
        }
        catch (JsonException) { }
        return text;
    }

    private static void Print(JsonElement answer)
    {
        string? Text(JsonElement e, string name) => e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
        var request = answer.GetProperty("request");
        var time = request.GetProperty("eventTime").GetDateTimeOffset().UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        Console.WriteLine($"request:   {Text(request, "requestId")} (audit event {Text(request, "eventId")}) at {time}");
        var key = Text(request, "accessKeyId") is { } accessKey ? $", access key {accessKey}" : "";
        Console.WriteLine($"principal: {Text(request, "principal") ?? "(unauthenticated)"} ({Text(request, "identityType")}{key}) from {Text(request, "sourceIpAddress")}");
        Console.WriteLine($"action:    {Text(request, "eventName")} ({Text(request, "eventSource")})");
        var resources = request.GetProperty("resources").EnumerateArray().Select(r => r.GetString()).ToList();
        Console.WriteLine($"resources: {(resources.Count == 0 ? "(none recorded)" : string.Join(", ", resources))}");
        var outcome = Text(request, "outcome");
        Console.WriteLine($"outcome:   {outcome}{(Text(request, "errorMessage") is { } message ? ": " + message : "")}");
        Console.WriteLine();
        Console.WriteLine($"Evaluated against {Text(answer, "evaluatedAgainst")}.");
        if (Text(answer, "note") is { } note) Console.WriteLine(note);
        foreach (var check in answer.GetProperty("checks").EnumerateArray())
        {
            var evaluation = check.GetProperty("evaluation");
            Console.WriteLine();
            Console.WriteLine($"  {Text(evaluation, "evalActionName")} on {Text(evaluation, "evalResourceName")}: {Text(evaluation, "evalDecision")}");
            Console.WriteLine($"    {Text(check, "reason")}");
            foreach (var statement in check.GetProperty("statements").EnumerateArray()) Console.WriteLine($"    - {statement.GetString()}");
            if (Text(check, "grantId") is { } grant) Console.WriteLine($"    grant: {grant}");
            if (Text(check, "deniedMessage") is { } denied) Console.WriteLine($"    denied now with: {denied}");
        }
    }
}
