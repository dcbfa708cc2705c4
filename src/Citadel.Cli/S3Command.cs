using System.CommandLine;
using System.Globalization;
using System.Text.Json;

namespace Citadel.Cli;

/// <summary>
/// <c>citadel s3 rekey BUCKET [--rewrap-only]</c>: brings every object version of a bucket under the bucket's current
/// default encryption, on the server (the data never passes through this client), batch by batch with a progress
/// bar. The job's progress is stored by the server after each batch: run the command again to resume an
/// interrupted rekey. SSE-C objects are counted and left as they are (their key is the customer's).
/// </summary>
internal static class S3Command
{
    private static readonly Argument<string> Bucket = new("bucket") { Description = "The bucket to rekey." };
    private static readonly Option<bool> RewrapOnly = new("--rewrap-only") { Description = "Reseal each object key under the new protection and leave the data as it is (fast); by default the data is re-encrypted under fresh keys." };
    private static readonly Option<int> Batch = new("--batch") { Description = "Versions per request to the server.", DefaultValueFactory = _ => 200 };

    public static Command Create()
    {
        var command = new Command("s3", "Object storage helpers.");
        var rekey = new Command("rekey", "Re-encrypt (or rewrap) every object of a bucket under its current default encryption, resumably (needs the administrator credentials).")
        {
            Bucket, RewrapOnly, Batch, Settings.Data, Settings.Config, Settings.Listen, Settings.Http, ServerClient.Endpoint,
        };
        rekey.SetAction(async parse =>
        {
            using var server = new ServerClient(parse);
            var request = JsonSerializer.Serialize(new { bucket = parse.GetValue(Bucket), rewrapOnly = parse.GetValue(RewrapOnly), batch = parse.GetValue(Batch) });
            while (true)
            {
                var (ok, text) = await server.SendAsync(HttpMethod.Post, "/citadel/admin/s3/rekey", request, "citadel",
                    new Dictionary<string, string> { ["content-type"] = "application/json" });
                if (!ok)
                {
                    await Console.Error.WriteLineAsync();
                    await Console.Error.WriteLineAsync("citadel s3 rekey: " + ErrorOf(text) + " (run the command again to resume)");
                    return 1;
                }
                using var document = JsonDocument.Parse(text);
                var job = document.RootElement;
                long Number(string name) => job.GetProperty(name).GetInt64();
                var (done, total) = (Number("done"), Number("total"));
                await Console.Error.WriteAsync("\r" + Bar(done, total) + string.Create(CultureInfo.InvariantCulture, $" {done}/{total} versions"));
                if (!job.GetProperty("finished").GetBoolean()) continue;
                await Console.Error.WriteLineAsync();
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{parse.GetValue(Bucket)}: {Number("changed")} {(parse.GetValue(RewrapOnly) ? "rewrapped" : "re-encrypted")}, {Number("unchanged")} already under the bucket's encryption (or delete markers, or rewritten meanwhile), {Number("skippedCustomerKeys")} SSE-C left as they are."));
                return 0;
            }
        });
        command.Subcommands.Add(rekey);
        return command;
    }

    private static string Bar(long done, long total)
    {
        const int width = 30;
        var filled = total == 0 ? width : (int)Math.Min(width, done * width / total);
        return "[" + new string('#', filled) + new string('.', width - filled) + "]";
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
}
