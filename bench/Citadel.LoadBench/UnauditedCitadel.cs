using Citadel.Audit;
using Citadel.Server.Hosting;
using Microsoft.Extensions.Configuration;

namespace Citadel.LoadBench;

/// <summary>
/// The <c>citadel-unaudited</c> target: Citadel's real server with every request's audit stage replaced by one that
/// records nothing (no record built, nothing written), run as its own process with <c>citadel serve</c>'s runtime
/// settings. Beside the real <c>citadel</c> target it shows what durable, fail-closed auditing costs. It goes through
/// an internal overload of <see cref="CitadelServer"/> that only the benchmarks see; no setting turns auditing off.
/// </summary>
internal static class UnauditedCitadel
{
    public static async Task RunAsync(int port, string dataDirectory)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Citadel:DataDirectory"] = dataDirectory,
            ["Citadel:Listen"] = $"127.0.0.1:{port}",
            ["Citadel:Http"] = "true",
            ["Citadel:RootAccessKeyId"] = TargetSet.AccessKeyId,
            ["Citadel:RootSecretAccessKey"] = TargetSet.Secret,
            ["Logging:LogLevel:Default"] = "Warning",
            ["Citadel:MetricsAccess"] = "public",
        }).Build();
        await using var server = await CitadelServer.CreateAsync(configuration, TextWriter.Null, null, null, audit => new DiscardingAuditStore(audit));
        await server.StartAsync();
        await Task.Delay(Timeout.Infinite);
    }

    /// <summary>Answers every append at once without recording it; lookups go to the real store (which stays empty).</summary>
    private sealed class DiscardingAuditStore(IAuditStore inner) : IAuditStore
    {
        public Task AppendAsync(AuditEvent auditEvent, CancellationToken cancellationToken = default) => Task.CompletedTask;

        public Task<AuditPage> LookupAsync(AuditQuery query, CancellationToken cancellationToken = default) => inner.LookupAsync(query, cancellationToken);

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
