using System.Globalization;

namespace Citadel.LoadBench;

/// <summary>Command-line settings of a benchmark run.</summary>
public sealed record BenchOptions(int Clients, TimeSpan Duration, TimeSpan Warmup, IReadOnlyList<string> Targets, IReadOnlyList<string> Operations)
{
    public static BenchOptions Parse(string[] args)
    {
        string Value(string name, string fallback)
        {
            var i = Array.IndexOf(args, name);
            return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
        }
        return new BenchOptions(
            int.Parse(Value("--clients", "32"), CultureInfo.InvariantCulture),
            TimeSpan.FromSeconds(double.Parse(Value("--seconds", "10"), CultureInfo.InvariantCulture)),
            TimeSpan.FromSeconds(double.Parse(Value("--warmup", "2"), CultureInfo.InvariantCulture)),
            Value("--targets", "floor,citadel,citadel-unaudited,moto").Split(','),
            Value("--ops", "Encrypt,Decrypt,GenerateDataKey").Split(','));
    }
}
