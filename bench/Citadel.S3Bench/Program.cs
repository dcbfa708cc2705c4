using System.Security.Cryptography;
using Citadel.S3Bench;

// citadel-s3bench: S3 PUT and GET throughput of Citadel (in process, real listener) for each encryption mode,
// against the same request path with a plain-copy cipher (the floor) and against moto_server, in one run.
// Progress goes to stderr, the markdown for docs/benchmarks.md to stdout.
S3BenchOptions options;
try
{
    options = S3BenchOptions.Parse(args);
}
catch (ArgumentException e)
{
    await Console.Error.WriteLineAsync(e.Message);
    return 2;
}

// Measured first, while the servers are not yet running.
var openssl = options.Openssl ? await OpensslSpeed.MeasureAsync() : null;
if (openssl is { } reference) await Console.Error.WriteLineAsync($"openssl aes-256-gcm, 16384-byte blocks: {reference:F0} MiB/s");

// With --backend moto, Citadel keeps its blobs in a moto_server of their own (S3BlobStore), not in the data directory.
await using var backend = options.Backend == "moto" ? await MotoServer.StartAsync() : null;
if (backend is not null)
{
    using var client = new S3Client(backend.Url, 1);
    await client.CreateBucketAsync("citadel-blobs");
    await client.CreateBucketAsync("citadel-blobs-floor");
}
var needsCitadel = options.Targets.Any(t => t.StartsWith("sse-", StringComparison.Ordinal));
await using var citadel = needsCitadel ? await InProcessCitadel.StartAsync(floor: false, backend?.Url, "citadel-blobs") : null;
await using var floor = options.Targets.Contains("floor") ? await InProcessCitadel.StartAsync(floor: true, backend?.Url, "citadel-blobs-floor") : null;
await using var moto = options.Targets.Contains("moto") ? await MotoServer.StartAsync() : null;

var targets = options.Targets.Select(name => Target.Define(name, citadel, floor, moto, backend)).ToList();
foreach (var target in targets)
{
    using var client = new S3Client(target.Url, 1);
    await client.CreateBucketAsync(target.Bucket);
}

var results = new List<Measurement>();
var kms = targets.ToDictionary(t => t.Name, _ => new KmsTally());
var bodies = options.Sizes.ToDictionary(s => s.Name, s => RandomNumberGenerator.GetBytes(s.Bytes));
// Rounds outside, then sizes, then targets: the cells compared with each other run close together, and each round
// starts with another target, so a drift in the machine's load does not always fall on the same one.
for (var round = 0; round < options.Rounds; round++)
{
    foreach (var size in options.Sizes)
    {
        foreach (var target in targets.Skip(round % targets.Count).Concat(targets.Take(round % targets.Count)))
        {
            foreach (var measurement in await CellRunner.RunAsync(target, size, bodies[size.Name], options.SignPayload, kms[target.Name]))
            {
                results.Add(measurement);
                await Console.Error.WriteLineAsync($"round {round + 1}: {measurement.ToLine()}");
            }
        }
    }
}
Console.WriteLine(S3Report.Markdown(results, kms, openssl, options));
return 0;
