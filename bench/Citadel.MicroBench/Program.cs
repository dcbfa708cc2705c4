using BenchmarkDotNet.Running;

// dotnet run -c Release --project bench/Citadel.MicroBench -- --filter '*' [--job short]
BenchmarkSwitcher.FromAssembly(typeof(Citadel.MicroBench.PolicyEvaluationBenchmarks).Assembly).Run(args);
