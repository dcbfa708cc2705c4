using System.Globalization;
using Citadel.LoadBench;

// citadel-loadbench [--clients 32] [--seconds 10] [--warmup 2] [--targets citadel,moto,floor] [--ops Encrypt,Decrypt,GenerateDataKey]
// citadel-loadbench floor --port N      (internal: the empty endpoint)
// citadel-loadbench serve-unaudited --port N --data DIR   (internal: the citadel-unaudited target)
// citadel-loadbench chain [--events 1000000]   (audit journal: append throughput and hash chain verification speed)
// citadel-loadbench soak [--events 1000000] [--writers 64]   (the audit store under concurrent load, then verified)
if (args.Length > 0 && args[0] == "floor")
{
    await FloorServer.RunAsync(int.Parse(args[Array.IndexOf(args, "--port") + 1], CultureInfo.InvariantCulture));
    return 0;
}

if (args.Length > 0 && args[0] == "serve-unaudited")
{
    await UnauditedCitadel.RunAsync(int.Parse(args[Array.IndexOf(args, "--port") + 1], CultureInfo.InvariantCulture), args[Array.IndexOf(args, "--data") + 1]);
    return 0;
}

if (args.Length > 0 && args[0] == "chain")
{
    var i = Array.IndexOf(args, "--events");
    await ChainBench.RunAsync(i >= 0 ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : 1_000_000);
    return 0;
}

if (args.Length > 0 && args[0] == "soak")
{
    var e = Array.IndexOf(args, "--events");
    var w = Array.IndexOf(args, "--writers");
    await SoakBench.RunAsync(e >= 0 ? int.Parse(args[e + 1], CultureInfo.InvariantCulture) : 1_000_000, w >= 0 ? int.Parse(args[w + 1], CultureInfo.InvariantCulture) : 64);
    return 0;
}

var options = BenchOptions.Parse(args);
await using var targets = new TargetSet();
var results = new List<BenchResult>();
foreach (var name in options.Targets)
{
    var target = await targets.StartAsync(name);
    // A fresh process compiles its hot paths (tiered JIT with its instrumented tier) while under load: on two busy cores
    // server CPU per request settles only after 10-15 s (sampled every 5 s: 270, 133, 105, 113, 109, 106 µs). Exercise
    // every operation unmeasured first, the first one long enough to reach steady state (most code is shared).
    var first = true;
    foreach (var operation in options.Operations)
    {
        await LoadGenerator.RunAsync(target, operation, options with { Warmup = TimeSpan.FromSeconds(first ? 12 : 4), Duration = TimeSpan.FromSeconds(1) });
        first = false;
    }
    foreach (var operation in options.Operations)
    {
        var result = await LoadGenerator.RunAsync(target, operation, options);
        results.Add(result);
        Console.Error.WriteLine(result.ToLine());
    }
}
Console.WriteLine(Report.Markdown(results, options));
return 0;
