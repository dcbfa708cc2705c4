using System.Diagnostics;
using System.Globalization;
using System.Text;
using Citadel.Server.Protocols;
using Citadel.Server.Services;

namespace Citadel.Server.Tests.Fuzzing;

/// <summary>
/// How much to fuzz: a seed, a number of cases and an optional time limit (the long run), or a single case to replay.
/// The environment overrides the test's defaults: CITADEL_FUZZ_SEED, CITADEL_FUZZ_CASES, CITADEL_FUZZ_DURATION
/// (seconds; the run stops at whichever of cases and duration comes first), CITADEL_FUZZ_ONLY (one case index, to
/// replay it), CITADEL_FUZZ_FROM (the first case index: replays a stretch of a run), CITADEL_FUZZ_REPORT (a file the
/// summary is written to).
/// </summary>
internal sealed record FuzzSettings(int Seed, int Cases, TimeSpan? Duration, int? Only, string? ReportPath, int From = 0)
{
    public static FuzzSettings FromEnvironment(int seed, int cases)
    {
        static int? Number(string name) => int.TryParse(Environment.GetEnvironmentVariable(name), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : null;
        var duration = Number("CITADEL_FUZZ_DURATION");
        return new FuzzSettings(Number("CITADEL_FUZZ_SEED") ?? seed, Number("CITADEL_FUZZ_CASES") ?? (duration is not null ? int.MaxValue : cases),
            duration is { } seconds ? TimeSpan.FromSeconds(seconds) : null, Number("CITADEL_FUZZ_ONLY"), Environment.GetEnvironmentVariable("CITADEL_FUZZ_REPORT"),
            Number("CITADEL_FUZZ_FROM") ?? 0);
    }
}

/// <summary>What a run did.</summary>
internal sealed record FuzzReport(int Seed, int Cases, TimeSpan Elapsed, IReadOnlyList<FuzzFailure> Failures, IReadOnlyDictionary<string, int> CasesByGenerator, long LogLines)
{
    /// <summary>Cases by who signed them (Admin, User, Session, AsIs: unsigned or broken on purpose), presigned ones apart.</summary>
    public IReadOnlyDictionary<string, int> CasesBySigning { get; init; } = new Dictionary<string, int>();

    /// <summary>The slowest cases (index, generator, milliseconds), to spot a server that stalls.</summary>
    public IReadOnlyList<(int Index, string Generator, double Milliseconds)> Slowest { get; init; } = [];

    /// <summary>Failures grouped by class, most frequent first, each with its first case.</summary>
    public IEnumerable<(string Class, int Count, FuzzFailure First)> Classes()
        => Failures.GroupBy(f => f.Class).Select(g => (g.Key, g.Count(), g.First())).OrderByDescending(c => c.Item2).ThenBy(c => c.Key, StringComparer.Ordinal);

    public string Summary(bool https, int maxClasses = 200)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"protocol fuzz ({(https ? "HTTPS" : "HTTP")}): seed {Seed}, {Cases} cases in {Elapsed.TotalSeconds:F1} s ({Cases / Math.Max(0.001, Elapsed.TotalSeconds):F0}/s), ");
        text.Append(CultureInfo.InvariantCulture, $"{Failures.Count} failing cases in {Classes().Count()} classes; server log lines {LogLines}\n");
        if (Slowest.Count > 0)
            text.Append("slowest cases: ").Append(string.Join(", ", Slowest.Select(c => $"{c.Index} {c.Generator} {c.Milliseconds:F0} ms"))).Append('\n');
        text.Append("cases by signer: ").Append(string.Join(", ", CasesBySigning.OrderBy(s => s.Key, StringComparer.Ordinal).Select(s => $"{s.Key} {s.Value}"))).Append('\n');
        text.Append("cases by service: ").Append(string.Join(", ", CasesByGenerator.GroupBy(g => g.Key.Split('.')[0]).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => $"{g.Key} {g.Sum(x => x.Value)}"))).Append('\n');
        // Failing cases by defect class (the known ones of issue 13, or not), then each failure class with its first case.
        foreach (var group in Classes().GroupBy(c => KnownDefects.Label(c.First)).OrderByDescending(g => g.Sum(c => c.Count)))
            text.Append(CultureInfo.InvariantCulture, $"{group.Sum(c => c.Count),6} cases in {group.Count(),3} classes:{group.Key}\n");
        var shown = 0;
        foreach (var (failureClass, count, first) in Classes())
        {
            if (++shown > maxClasses)
            {
                text.Append(CultureInfo.InvariantCulture, $"\n=== {count} x {failureClass}{KnownDefects.Label(first)} (first: case {first.Index})");
                continue;
            }
            text.Append(CultureInfo.InvariantCulture, $"\n=== {count} x {failureClass}{KnownDefects.Label(first)}\n");
            text.Append(CultureInfo.InvariantCulture, $"first: seed {Seed}, case {first.Index} (replay: CITADEL_FUZZ_SEED={Seed} CITADEL_FUZZ_ONLY={first.Index}{(https ? " in the HTTPS test" : "")})\n");
            text.Append(first.Detail).Append('\n');
            if (first.Response is { } response)
                text.Append(CultureInfo.InvariantCulture, $"answer: {response.Status} {FuzzRequest.Escape(response.Body, 600)}\n");
            text.Append("request:\n").Append(first.Request.Describe()).Append('\n');
        }
        return text.ToString();
    }
}

/// <summary>
/// Runs the cases against one server, in order, one at a time (so the server's state, and with it each answer, follows
/// from the seed): generates case i from (seed, i) alone, signs it, sends it, checks the answer, and at the end matches
/// the server's error log lines to the cases by request id.
/// </summary>
internal sealed class FuzzRunner(FuzzServer server, FuzzSettings settings, Action<string> progress)
{
    private const int RefreshEvery = 250;

    /// <summary>The operations each service serves: the models' operations the server's own services find.</summary>
    public static readonly IReadOnlyDictionary<string, IReadOnlyList<string>> Served = BuildServed();

    private static Dictionary<string, IReadOnlyList<string>> BuildServed()
    {
        var services = new IApiService[] { new KmsJsonService(null!, null!), new CloudTrailJsonService(null!, null!), new IamQueryService(null!), new StsQueryService(null!, null!) };
        return services.ToDictionary(s => s.ScopeName, s => (IReadOnlyList<string>)FuzzModel.Load(s.ScopeName).Operations.Keys
            .Where(o => s.Find(o) is not null).Order(StringComparer.Ordinal).ToList());
    }

    /// <summary>Case <paramref name="index"/> of <paramref name="seed"/>: a function of the two (and the fixtures' names) only.</summary>
    public static FuzzRequest Generate(int seed, int index, FuzzFixtures fixtures)
    {
        var random = new Random(unchecked((seed * 1_000_003) ^ (index * 7919) ^ index));
        var kind = random.Next(1000);
        FuzzRequest request = kind switch
        {
            < 230 => AwsJsonCases.Generate("kms", Served["kms"], fixtures, random),
            < 300 => AwsJsonCases.Generate("cloudtrail", Served["cloudtrail"], fixtures, random),
            < 420 => QueryCases.Generate("iam", Served["iam"], fixtures, random),
            < 470 => QueryCases.Generate("sts", Served["sts"], fixtures, random),
            < 800 => S3Cases.Generate(fixtures, random),
            _ => CitadelApiCases.Generate(fixtures, random),
        };
        var citadel = request.Service == "citadel" || request.Generator.StartsWith("plain.", StringComparison.Ordinal);
        if (!citadel)
        {
            var auth = random.Next(100);
            if (auth < 20) AuthCases.Apply(request, fixtures, random);
            else if (auth < 55) request.Signing = FuzzSigning.User;
            else if (auth < 60) request.Signing = FuzzSigning.Session;
            else request.Signing = FuzzSigning.Admin;
        }
        if (random.Next(100) < 3) RawHttpCases.Apply(request, random);
        return request;
    }

    public async Task<FuzzReport> RunAsync()
    {
        var failures = new List<FuzzFailure>();
        var byRequestId = new Dictionary<string, (int Index, FuzzRequest Request)>(StringComparer.OrdinalIgnoreCase);
        var windows = new List<(DateTime Start, DateTime End, int Index, FuzzRequest Request)>();
        var byGenerator = new Dictionary<string, int>(StringComparer.Ordinal);
        var bySigning = new Dictionary<string, int>(StringComparer.Ordinal);
        var stopwatch = Stopwatch.StartNew();
        var cases = 0;

        // CITADEL_FUZZ_TRACE names a file that gets each case's index and generator before it is sent (to find a case that
        // takes the test host down with it).
        var trace = Environment.GetEnvironmentVariable("CITADEL_FUZZ_TRACE");
        async Task RunCaseAsync(int index, FuzzRequest request)
        {
            if (trace is not null) await File.AppendAllTextAsync(trace, $"{index} {request.Generator} [{string.Join(", ", request.Mutations)}]\n");
            var sent = DateTime.UtcNow;
            var response = await server.SendAsync(request);
            // A socket case may see the connection close while the server still works on it: give that work this case's window.
            if (request.Raw is not null) await Task.Delay(30);
            windows.Add((sent, DateTime.UtcNow, index, request));
            cases++;
            byGenerator[request.Generator] = byGenerator.GetValueOrDefault(request.Generator) + 1;
            var signer = (request.CredentialsOverride is not null && request.Signing != FuzzSigning.AsIs ? "Altered" : request.Signing.ToString()) + (request.Presign ? " presigned" : "");
            bySigning[signer] = bySigning.GetValueOrDefault(signer) + 1;
            if (response.Header("x-amzn-RequestId") is { } id) byRequestId[id] = (index, request);
            if (ResponseOracle.Check(request, response, out var failureClass) is { } detail)
            {
                failures.Add(new FuzzFailure(index, failureClass, detail, request, response));
                WriteCaseFile(index, request, response, detail);
            }
            if (request.Generator == "operator.seal" && response.Status is >= 200 and < 300)
                await server.SendAsync(new FuzzRequest { Generator = "operator.unseal", Service = "citadel", Path = "/citadel/operator/unseal", Signing = FuzzSigning.AsIs, Body = "{}"u8.ToArray() });
        }

        if (settings.Only is { } only)
        {
            await RunCaseAsync(only, Generate(settings.Seed, only, server.Fixtures));
        }
        else
        {
            foreach (var probe in CitadelApiCases.BodyLimitProbes()) await RunCaseAsync(-1, probe);
            await RunCaseAsync(-1, await server.SessionOfARecreatedRoleAsync());
            var end = settings.Cases > int.MaxValue - settings.From ? int.MaxValue : settings.From + settings.Cases;
            for (var i = settings.From; i < end; i++)
            {
                if (settings.Duration is { } duration && stopwatch.Elapsed > duration) break;
                if (i > settings.From && i % RefreshEvery == 0) await server.RefreshAsync();
                FuzzRequest generated;
                try
                {
                    generated = Generate(settings.Seed, i, server.Fixtures);
                }
                catch (Exception e)
                {
                    // The harness's own defect: reported, and the run goes on.
                    failures.Add(new FuzzFailure(i, $"harness: generating failed {e.GetType().Name}", e.ToString(), new FuzzRequest { Generator = "harness", Service = "" }, null));
                    continue;
                }
                await RunCaseAsync(i, generated);
                if (i > settings.From && i % 2000 == 0) progress($"{i} cases, {failures.Count} failing, {stopwatch.Elapsed.TotalSeconds:F0} s");
            }
        }
        var elapsed = stopwatch.Elapsed;

        // The console logger writes from its own thread: give it a moment, then stop the server, which flushes it.
        await Task.Delay(300);
        try
        {
            await server.DisposeAsync();
        }
        catch (Exception e)
        {
            // A server that cannot stop cleanly (its audit index failing on a record, say) is a finding too.
            failures.Add(new FuzzFailure(-1, $"server stop failed {e.GetType().Name}", "Stopping the server threw: " + e, new FuzzRequest { Generator = "stop", Service = "" }, null));
        }
        foreach (var error in server.Log.Errors)
        {
            (int Index, FuzzRequest Request)? origin = null;
            var attribution = "";
            if (error.RequestId is { } id && byRequestId.TryGetValue(id, out var known)) origin = known;
            else if (LogTime(error.Line) is { } time)
            {
                // Kestrel's "unhandled exception" lines carry no Citadel request id: the case is the one in flight at the time
                // (cases run one at a time; a line logged as one case ended may be given to the next, hence the two passes).
                // Of the cases around that time, the one the line's own code serves (S3, admin, operator, the pipeline) wins:
                // a raw-socket case may see its connection close while the server still works on it.
                var component = error.Line.Contains(".S3.", StringComparison.Ordinal) ? "s3"
                    : error.Line.Contains("AdminApi", StringComparison.Ordinal) || error.Line.Contains("OperatorApi", StringComparison.Ordinal) ? "citadel"
                    : error.Line.Contains("RequestPipeline", StringComparison.Ordinal) ? "pipeline" : null;
                bool Serves(FuzzRequest r) => component is null || (component == "pipeline" ? r.Service is not ("s3" or "citadel") : r.Service == component);
                var window = windows.FindIndex(w => w.Start <= time && time <= w.End && Serves(w.Request));
                if (window < 0)
                {
                    var near = windows.Select((w, i) => (w, i)).Where(x => x.w.Start.AddMilliseconds(-50) <= time && time <= x.w.End.AddMilliseconds(50) && Serves(x.w.Request))
                        .OrderBy(x => Math.Min(Math.Abs((x.w.Start - time).TotalMilliseconds), Math.Abs((x.w.End - time).TotalMilliseconds))).ToList();
                    window = near.Count > 0 ? near[0].i : windows.FindIndex(w => w.Start <= time && time <= w.End);
                }
                if (window >= 0)
                {
                    origin = (windows[window].Index, windows[window].Request);
                    var w = windows[window];
                    attribution = $"[attributed by time: logged {time:HH:mm:ss.fff}, case sent {w.Start:HH:mm:ss.fff}, answered {w.End:HH:mm:ss.fff}] ";
                }
            }
            var line = attribution + Cut(error.Line);
            if (origin is not { } o)
            {
                failures.Add(new FuzzFailure(-1, $"server error log (no case) {ExceptionOf(error.Line)}", "The server logged an error: " + line, new FuzzRequest { Generator = "unknown", Service = "" }, null));
                continue;
            }
            // A case that failed already gets the log line added to its failure; otherwise the line is its failure.
            var earlier = failures.FindIndex(f => f.Index == o.Index && ReferenceEquals(f.Request, o.Request));
            if (earlier >= 0)
                failures[earlier] = failures[earlier] with { Detail = failures[earlier].Detail + "\nserver log: " + line, Class = failures[earlier].Class + " / " + ExceptionOf(error.Line) };
            else
                failures.Add(new FuzzFailure(o.Index, $"server error log {o.Request.Generator} {ExceptionOf(error.Line)}", "The server logged an error for this case: " + line, o.Request, null));
        }
        var report = new FuzzReport(settings.Seed, cases, elapsed, failures, byGenerator, server.Log.Lines)
        {
            CasesBySigning = bySigning,
            Slowest = windows.OrderByDescending(w => w.End - w.Start).Take(5).Select(w => (w.Index, w.Request.Generator, (w.End - w.Start).TotalMilliseconds)).ToList(),
        };
        return report;
    }

    private static string Cut(string line) => line.Length > 700 ? line[..700] + "..." : line;

    /// <summary>The UTC time at the start of a console log line (yyyy-MM-ddTHH:mm:ss.fffZ).</summary>
    private static DateTime? LogTime(string line)
        => line.Length >= 24 && DateTime.TryParseExact(line[..24], "yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture,
            DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var time) ? time : null;

    /// <summary>The exception type a log line names (the first "System.…Exception" or "…Exception:" in it).</summary>
    private static string ExceptionOf(string line)
    {
        var match = System.Text.RegularExpressions.Regex.Match(line, @"([A-Za-z0-9_.]+(Exception|Error))\b");
        var frame = System.Text.RegularExpressions.Regex.Match(line, @" at (Citadel\.[A-Za-z0-9_.]+)\(");
        return (match.Success ? match.Groups[1].Value : "") + (frame.Success ? " at " + frame.Groups[1].Value : "");
    }

    private string? _caseDirectory;

    /// <summary>The whole failing case (request and answer, escaped) in a file, since the message shows only its start.</summary>
    private void WriteCaseFile(int index, FuzzRequest request, FuzzResponse response, string detail)
    {
        _caseDirectory ??= Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), $"citadel-fuzz-cases-{settings.Seed}-{Environment.ProcessId}")).FullName;
        var path = Path.Combine(_caseDirectory, $"case-{index}.txt");
        if (File.Exists(path)) return;
        File.WriteAllText(path, $"seed {settings.Seed}, case {index}\n{detail}\n\nrequest:\n{request.Describe(int.MaxValue)}\n\nanswer: {response.Status}\n" +
            string.Join('\n', response.Headers.Select(h => $"{h.Key}: {h.Value}")) + "\n\n" + FuzzRequest.Escape(response.Body, 1 << 20) + "\n");
    }

    public string? CaseDirectory => _caseDirectory;
}
