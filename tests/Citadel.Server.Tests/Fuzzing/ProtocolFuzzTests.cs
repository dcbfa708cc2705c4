using Xunit.Abstractions;

namespace Citadel.Server.Tests.Fuzzing;

/// <summary>The fuzz runs start servers and redirect the console while they do: alone, not beside other tests.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class FuzzCollection
{
    public const string Name = "protocol fuzz";
}

/// <summary>
/// Issue 13: a seeded, bounded fuzz of every protocol adapter of an in-process server (awsJson for KMS and CloudTrail,
/// query for IAM and STS, rest-xml for S3, the admin and operator APIs, health and metrics), mostly with correctly
/// signed requests (administrator, non-root IAM user, role session) so the fuzz reaches the parsers behind
/// authentication, and a share of unsigned and badly signed ones. See docs/fuzzing.md; bench/run-fuzz.sh runs longer.
/// </summary>
[Collection(FuzzCollection.Name)]
public sealed class ProtocolFuzzTests(ITestOutputHelper output)
{
    [Fact]
    public Task OverPlainHttpEveryAnswerHasItsProtocolsShape() => RunAsync(https: false, seed: 13, cases: 6000);

    [Fact]
    public Task OverHttpsEveryAnswerHasItsProtocolsShape() => RunAsync(https: true, seed: 1313, cases: 1200);

    private async Task RunAsync(bool https, int seed, int cases)
    {
        var settings = FuzzSettings.FromEnvironment(seed, cases);
        await using var server = await FuzzServer.StartAsync(https);
        await server.SetUpAsync();
        var runner = new FuzzRunner(server, settings, output.WriteLine);
        var report = await runner.RunAsync();
        var summary = report.Summary(https);
        output.WriteLine(summary);
        if (settings.ReportPath is { } path) await File.AppendAllTextAsync(path, summary + "\n");
        // The assertion shows the first 40 classes in full (the output and the report file have up to 200).
        Assert.True(report.Failures.Count == 0,
            report.Summary(https, maxClasses: 40) + (runner.CaseDirectory is { } directory ? $"\nEvery failing case, whole, is in {directory}." : ""));
    }
}
