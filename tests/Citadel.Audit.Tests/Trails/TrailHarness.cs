using System.Security.Cryptography;
using System.Text.Json;
using Citadel.Audit.Trails;
using Citadel.Audit.Trails.Operations;
using Citadel.Crypto;
using Citadel.Storage;
using Microsoft.Data.Sqlite;

namespace Citadel.Audit.Tests.Trails;

/// <summary>
/// Trails over a real journal and a real SQLite store in a temp directory, with a clock and randomness the test
/// controls, delivering into a <see cref="DirectoryObjectSink"/>.
/// </summary>
public sealed class TrailHarness : IAsyncDisposable
{
    public const string Account = "111122223333";
    public const string Region = "us-east-1";
    public const string Bucket = "audit-bucket";

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "citadel-trails-" + Guid.NewGuid().ToString("N"));
    private readonly RootKey _rootKey;
    private int _events;

    public TrailHarness(TrailSettings? settings = null, long segmentBytes = AuditJournal.SegmentBytes)
    {
        Directory.CreateDirectory(_directory);
        Journal = new JournalAuditStore(Path.Combine(_directory, "audit"), segmentBytes);
        Store = new SqliteDocumentStore(Path.Combine(_directory, "metadata.db"));
        Sink = new DirectoryObjectSink(Path.Combine(_directory, "s3"));
        Sink.CreateBucket(Bucket);
        _rootKey = RootKey.Generate(Random);
        Settings = settings ?? new TrailSettings(Account, Region, "aws");
        Repository = new TrailRepository(Store);
        Keys = new TrailSigningKeys(Store, () => Sealed ? throw new InvalidOperationException("Citadel is sealed.") : _rootKey, Settings);
        Context = new TrailContext(Repository, Keys, Sink, Journal, Settings, Time);
        Delivery = new TrailDelivery(Repository, Journal, Sink, Keys, Settings, Time, Random);
    }

    public ManualTime Time { get; } = new(new DateTimeOffset(2026, 11, 29, 12, 0, 0, TimeSpan.Zero));
    public CountingRandom Random { get; } = new();
    public JournalAuditStore Journal { get; }
    public string JournalDirectory => Path.Combine(_directory, "audit");
    public SqliteDocumentStore Store { get; }
    public DirectoryObjectSink Sink { get; }
    public TrailSettings Settings { get; }
    public TrailRepository Repository { get; }
    public TrailSigningKeys Keys { get; }
    public TrailContext Context { get; }
    public TrailDelivery Delivery { get; }
    public bool Sealed { get; set; }

    /// <summary>Runs a trail operation by name, as the server does.</summary>
    public async Task<TResponse> Run<TResponse>(string operation, object request)
        => (TResponse)(await TrailOperations.All[operation].ExecuteAsync(Context, request, CancellationToken.None))!;

    /// <summary>Runs an operation and returns the trail error it throws.</summary>
    public async Task<TrailException> Fails(string operation, object request)
        => await Assert.ThrowsAsync<TrailException>(() => Run<object>(operation, request));

    /// <summary>Creates a logging trail with validation on.</summary>
    public async Task<TrailSummary> CreateLoggingTrail(string name = "audit", string? prefix = null, bool validation = true)
    {
        var trail = await Run<TrailSummary>("CreateTrail", new CreateTrailRequest { Name = name, S3BucketName = Bucket, S3KeyPrefix = prefix, EnableLogFileValidation = validation });
        await Run<NoOutput>("StartLogging", new StartLoggingRequest { Name = name });
        return trail;
    }

    /// <summary>Records an API call at the current time, as the request pipeline does.</summary>
    public async Task<AuditEvent> Record(string name = "Encrypt", string source = "kms.amazonaws.com", bool readOnly = false)
    {
        var i = Interlocked.Increment(ref _events);
        var e = new AuditEvent
        {
            EventId = $"00000000-0000-4000-8000-{i:D12}",
            EventTime = Time.GetUtcNow(),
            EventSource = source,
            EventName = name,
            AwsRegion = Region,
            SourceIpAddress = "127.0.0.1",
            UserIdentity = new AuditIdentity("Root", Account, $"arn:aws:iam::{Account}:root", Account, "AKIAEXAMPLE", "root"),
            RequestId = $"req-{i}",
            ReadOnly = readOnly,
            RecipientAccountId = Account,
        };
        await Journal.AppendAsync(e);
        return e;
    }

    public Task<IReadOnlyList<TrailDeliveryOutcome>> Flush() => Delivery.RunAsync(force: true, CancellationToken.None);

    public Task<IReadOnlyList<TrailDeliveryOutcome>> Tick() => Delivery.RunAsync(force: false, CancellationToken.None);

    public List<string> LogFileKeys(string prefix = "AWSLogs/") => Sink.Keys(Bucket, prefix).Where(k => k.Contains("/CloudTrail/", StringComparison.Ordinal)).ToList();

    public List<string> DigestKeys(string prefix = "AWSLogs/") => Sink.Keys(Bucket, prefix).Where(k => k.Contains("/CloudTrail-Digest/", StringComparison.Ordinal)).ToList();

    /// <summary>The records of a delivered log file.</summary>
    public List<JsonElement> Records(string key)
    {
        using var document = JsonDocument.Parse(TrailFiles.Gunzip(Sink.Read(Bucket, key)));
        return document.RootElement.GetProperty("Records").EnumerateArray().Select(r => r.Clone()).ToList();
    }

    /// <summary>A delivered digest, parsed.</summary>
    public JsonElement Digest(string key)
    {
        using var document = JsonDocument.Parse(TrailFiles.Gunzip(Sink.Read(Bucket, key)));
        return document.RootElement.Clone();
    }

    public async ValueTask DisposeAsync()
    {
        await Journal.DisposeAsync();
        SqliteConnection.ClearAllPools();
        _rootKey.Dispose();
        try { Directory.Delete(_directory, true); } catch (IOException) { }
    }
}

/// <summary>A clock tests move by hand.</summary>
public sealed class ManualTime(DateTimeOffset start) : TimeProvider
{
    private DateTimeOffset _now = start;
    public override DateTimeOffset GetUtcNow() => _now;
    public void Advance(TimeSpan by) => _now += by;
}

/// <summary>Deterministic "randomness": SHA-256 of a counter, so runs repeat exactly.</summary>
public sealed class CountingRandom : IRandom
{
    private long _counter;

    public void Fill(Span<byte> buffer)
    {
        var offset = 0;
        while (offset < buffer.Length)
        {
            var block = SHA256.HashData(BitConverter.GetBytes(Interlocked.Increment(ref _counter)));
            var n = Math.Min(block.Length, buffer.Length - offset);
            block.AsSpan(0, n).CopyTo(buffer[offset..]);
            offset += n;
        }
    }
}
