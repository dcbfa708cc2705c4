using System.Globalization;

namespace Citadel.S3Bench;

/// <summary>An object size of the run: how many objects, how many concurrent clients, how many warm-up objects.</summary>
internal sealed record ObjectSize(string Name, int Bytes, int Count, int Clients, int Warmup);

/// <summary>Command-line settings of an S3 benchmark run; every cell can be chosen.</summary>
internal sealed record S3BenchOptions(IReadOnlyList<string> Targets, IReadOnlyList<ObjectSize> Sizes, int Rounds, bool SignPayload, bool Openssl, string Backend)
{
    public const string Usage = """
        citadel-s3bench [--targets floor,sse-s3,sse-kms,sse-kms-bk,sse-c,moto] [--sizes 4k,1m,256m]
                        [--count-4k 2000] [--count-1m 200] [--count-256m 4] [--clients 4] [--large-clients 2]
                        [--rounds 3] [--payload unsigned|sha256] [--backend local|moto] [--no-openssl]
        """;

    public static readonly string[] AllTargets = ["floor", "sse-s3", "sse-kms", "sse-kms-bk", "sse-c", "moto"];

    public static S3BenchOptions Parse(string[] args)
    {
        string Value(string name, string fallback)
        {
            var i = Array.IndexOf(args, name);
            return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
        }
        int Number(string name, int fallback) => int.Parse(Value(name, fallback.ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture);

        var clients = Number("--clients", 4);
        var sizes = new Dictionary<string, ObjectSize>
        {
            ["4k"] = new("4k", 4 << 10, Number("--count-4k", 2000), clients, 100),
            ["1m"] = new("1m", 1 << 20, Number("--count-1m", 200), clients, 16),
            ["256m"] = new("256m", 256 << 20, Number("--count-256m", 4), Number("--large-clients", 2), 1),
        };
        var targets = Value("--targets", string.Join(',', AllTargets)).Split(',');
        foreach (var target in targets)
        {
            if (!AllTargets.Contains(target)) throw new ArgumentException($"Unknown target {target}.\n{Usage}");
        }
        var chosen = Value("--sizes", "4k,1m,256m").Split(',').Select(s => sizes.TryGetValue(s, out var size) ? size : throw new ArgumentException($"Unknown size {s}.\n{Usage}"));
        var payload = Value("--payload", "unsigned");
        if (payload is not ("unsigned" or "sha256")) throw new ArgumentException($"--payload is unsigned or sha256.\n{Usage}");
        var backend = Value("--backend", "local");
        if (backend is not ("local" or "moto")) throw new ArgumentException($"--backend is local or moto.\n{Usage}");
        return new S3BenchOptions(targets, chosen.ToList(), Number("--rounds", 3), payload == "sha256", !args.Contains("--no-openssl"), backend);
    }
}
