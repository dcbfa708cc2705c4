using System.Globalization;
using Citadel.LoadBench;

// citadel-loadbench [--clients 32] [--seconds 10] [--warmup 2] [--targets citadel,moto,floor] [--ops Encrypt,Decrypt,GenerateDataKey]
// citadel-loadbench floor --port N      (internal: the empty endpoint)
if (args.Length > 0 && args[0] == "floor")
{
    await FloorServer.RunAsync(int.Parse(args[Array.IndexOf(args, "--port") + 1], CultureInfo.InvariantCulture));
    return 0;
}

var options = BenchOptions.Parse(args);
await using var targets = new TargetSet();
var results = new List<BenchResult>();
foreach (var name in options.Targets)
{
    var target = await targets.StartAsync(name);
    foreach (var operation in options.Operations)
    {
        var result = await LoadGenerator.RunAsync(target, operation, options);
        results.Add(result);
        Console.Error.WriteLine(result.ToLine());
    }
}
Console.WriteLine(Report.Markdown(results, options));
return 0;
