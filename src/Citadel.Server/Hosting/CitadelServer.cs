using System.Net.Security;
using System.Security.Authentication;
using System.Text.Json;
using Citadel.Audit;
using Citadel.Audit.Trails;
using Citadel.Crypto;
using Citadel.Iam;
using Citadel.Iam.Identity;
using Citadel.Kms;
using Citadel.Kms.DataKeys;
using Citadel.Kms.Keys;
using Citadel.ObjectStore;
using Citadel.ObjectStore.Blobs;
using Citadel.ObjectStore.Catalog;
using Citadel.ObjectStore.Encryption;
using Citadel.Server.Observability;
using Citadel.Server.Protocols;
using Citadel.Server.Security;
using Citadel.Server.Services;
using Citadel.Server.Services.S3;
using Citadel.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Citadel.Server.Hosting;

/// <summary>Settings that stop the start, each message naming its setting.</summary>
public sealed class InvalidSettingsException(IReadOnlyList<string> errors)
    : Exception("Invalid settings:" + Environment.NewLine + string.Join(Environment.NewLine, errors.Select(e => "  " + e)));

/// <summary>
/// The Citadel server: one port for every service, HTTPS with the local CA unless plain HTTP is
/// asked for, everything in one data directory that a second start resumes.
/// </summary>
public sealed class CitadelServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly JournalAuditStore _audit;
    private readonly FileStream _lock;
    private readonly IBlobStore _blobs;

    private CitadelServer(WebApplication app, JournalAuditStore audit, FileStream directoryLock, IBlobStore blobs, CitadelOptions options, SealManager seal, ObjectLayer objects)
    {
        _app = app;
        _audit = audit;
        _lock = directoryLock;
        _blobs = blobs;
        Options = options;
        Seal = seal;
        Objects = objects;
    }

    /// <summary>The settings in force.</summary>
    public CitadelOptions Options { get; }

    /// <summary>The seal.</summary>
    public SealManager Seal { get; }

    /// <summary>The object layer (the S3 benchmark reads its KMS call counter).</summary>
    internal ObjectLayer Objects { get; }

    /// <summary>Builds the server from configuration; throws <see cref="InvalidSettingsException"/> for bad settings.</summary>
    /// <param name="configuration">The settings.</param>
    /// <param name="console">Where first-start messages (created credentials) go.</param>
    /// <param name="trailSink">Where trails deliver their files; by default the object store of this server.</param>
    public static Task<CitadelServer> CreateAsync(IConfiguration configuration, TextWriter console, ITrailObjectSink? trailSink = null)
        => CreateAsync(configuration, console, trailSink, segments: null);

    /// <summary>
    /// The same server with another segment cipher (the S3 benchmark's plain-copy floor) or another audit stage in front
    /// of the request path (the load benchmark's measure of what durable auditing costs). Only the benchmarks use it:
    /// internal, and no setting leads here, so a configuration cannot turn encryption at rest or auditing off.
    /// </summary>
    internal static async Task<CitadelServer> CreateAsync(IConfiguration configuration, TextWriter console, ITrailObjectSink? trailSink, ISegmentCipher? segments,
        Func<IAuditStore, IAuditStore>? auditStage = null)
    {
        var options = CitadelOptions.Bind(configuration);
        var errors = options.Validate();
        if (errors.Count > 0) throw new InvalidSettingsException(errors);
        // Checked before anything is opened: a backend that cannot be reached stops the start.
        var remoteBlobs = options.S3Backend.IsEnabled ? await OpenS3BackendAsync(options.S3Backend).ConfigureAwait(false) : null;

        var dataDirectory = Path.GetFullPath(options.DataDirectory);
        options.DataDirectory = dataDirectory;
        FilePermissions.CreatePrivateDirectory(dataDirectory);
        var directoryLock = AcquireLock(dataDirectory);

        var time = TimeProvider.System;
        var store = new SqliteDocumentStore(Path.Combine(dataDirectory, "metadata.db"));
        var audit = new JournalAuditStore(Path.Combine(dataDirectory, "audit"));
        var root = new RootKeyHolder();
        var seal = new SealManager(dataDirectory, options.Seal, root);
        seal.Start();

        var credentials = new AdministratorCredentials(store, root, options.AccountId, options.Partition);
        var iam = new IamDirectory(store, () => root.Current, options.AccountId, options.Partition, time);
        var sessions = new SessionTokens(() => root.Current, time, options.Partition, iam);
        if (options.RootAccessKeyId is not null) credentials.UseGiven(options.RootAccessKeyId, options.RootSecretAccessKey!);
        async Task LoadCredentialsAsync()
        {
            if (root.IsSealed)
            {
                iam.ForgetCredentials();
                return;
            }
            await iam.LoadCredentialsAsync().ConfigureAwait(false);
            var created = await credentials.LoadOrCreateAsync().ConfigureAwait(false);
            if (created is not null)
            {
                await console.WriteLineAsync($"""
                    Administrator credentials were created. They are shown once; keep them safe:
                      AWS_ACCESS_KEY_ID={created.AccessKeyId}
                      AWS_SECRET_ACCESS_KEY={created.SecretAccessKey}
                    """).ConfigureAwait(false);
            }
        }
        await LoadCredentialsAsync().ConfigureAwait(false);
        root.SealStateChanged += () => _ = LoadCredentialsAsync();

        var kmsSettings = new KmsSettings(options.AccountId, options.Region, options.Partition);
        var keys = new KeyRepository(store, root);
        var kms = new KmsContext(kmsSettings, keys, root, time, SystemRandom.Instance) { Principals = new IamPrincipalDirectory(iam) };
        var objectCatalog = new ObjectCatalog(Path.Combine(dataDirectory, "objects", "catalog.db"));
        var objectKeys = new ObjectKeys(objectCatalog, root, new KmsDataKeys(kms), SystemRandom.Instance, time, options.Partition,
            TimeSpan.FromSeconds(options.S3BucketKeyLifetimeSeconds));
        IBlobStore blobs = remoteBlobs is null ? new LocalBlobStore(Path.Combine(dataDirectory, "objects", "blobs")) : remoteBlobs;
        var objectLayer = segments is null
            ? new ObjectLayer(objectCatalog, blobs, objectKeys, SystemRandom.Instance, time, options.Region)
            : new ObjectLayer(objectCatalog, blobs, objectKeys, SystemRandom.Instance, time, options.Region) { Segments = segments };
        var trailSettings = options.TrailSettings();
        var sink = trailSink ?? new ObjectStoreTrailSink(objectLayer);
        var trailRepository = new TrailRepository(store);
        var signingKeys = new TrailSigningKeys(store, () => root.Current, trailSettings);
        var trails = new TrailContext(trailRepository, signingKeys, sink, audit, trailSettings, time);
        var delivery = new TrailDelivery(trailRepository, audit, sink, signingKeys, trailSettings, time, SystemRandom.Instance);
        var services = new IApiService[] { new KmsJsonService(kms, audit), new CloudTrailJsonService(audit, trails), new IamQueryService(iam), new StsQueryService(iam, sessions) }.ToDictionary(s => s.ScopeName);
        var metrics = new CitadelMetrics();

        // The server's settings are Citadel's own (docs/configuration.md), passed in whole. The slim builder would also
        // read appsettings*.json from the working directory (a stray file there could add Kestrel listeners) and, to
        // reload them, watch that directory recursively: one inotify watch per subdirectory and an event for every
        // write beneath it, which is every audit and object write when the data directory lies there (./data).
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = ["--hostBuilder:reloadConfigOnChange=false"] });
        foreach (var json in builder.Configuration.Sources.OfType<Microsoft.Extensions.Configuration.Json.JsonConfigurationSource>().ToList())
            builder.Configuration.Sources.Remove(json);
        builder.Configuration.AddConfiguration(configuration);
        builder.Logging.ClearProviders();
        // Per-request framework logs duplicate ours (which carry the request id); keep them at Warning unless configured.
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.Hosting", LogLevel.Warning);
        // Off entirely: while this category is on at any level, the host starts an Activity and a log scope (with a
        // second, framework "RequestId") for every request; its messages are the per-request start/finish lines
        // (Information) and a failed start, which reaches the caller of StartAsync as an exception anyway.
        builder.Logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.None);
        builder.Logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.IncludeScopes = true;
            o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
            o.UseUtcTimestamp = true;
        });
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(options.ShutdownTimeoutSeconds));
        var certificate = options.Http ? null : LocalCertificateAuthority.EnsureServerCertificate(dataDirectory, options.TlsNames, time);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = 64L << 20;
            kestrel.Listen(options.ListenEndPoint(), listen =>
            {
                if (certificate is null) return;
                listen.UseHttps(new HttpsConnectionAdapterOptions
                {
                    ServerCertificate = certificate,
                    SslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
                    OnAuthenticate = (_, ssl) => ssl.CipherSuitesPolicy = TlsPolicy.CipherSuites,
                });
            });
        });
        builder.Services.AddSingleton(metrics);
        builder.Services.AddSingleton<IAuditStore>(audit);
        builder.Services.AddHostedService(sp => new MaintenanceService(kms, options, sp.GetRequiredService<ILogger<MaintenanceService>>()));
        builder.Services.AddHostedService(sp => new BlobCollectionService(objectLayer, sp.GetRequiredService<ILogger<BlobCollectionService>>()));
        builder.Services.AddHostedService(sp => new TrailDeliveryService(delivery, options, sp.GetRequiredService<ILogger<TrailDeliveryService>>()));
        builder.Services.AddHostedService(sp => new AuditRetentionService(new AuditRetention(audit, trailRepository), options, time, sp.GetRequiredService<ILogger<AuditRetentionService>>()));

        var app = builder.Build();
        var authorizer = new PolicyAuthorizer(iam, options.Partition);
        var requestAudit = auditStage?.Invoke(audit) ?? audit; // what records each request before it is answered
        var pipeline = new RequestPipeline(services, new SigV4Verifier(new CompositeCredentialStore(credentials, iam), time, sessions) { Region = options.Region }, authorizer, requestAudit, root, metrics, options, time,
            app.Services.GetRequiredService<ILogger<RequestPipeline>>());
        var s3 = new S3Endpoint(new S3Operations(objectLayer, kms, options), pipeline.Verifier, pipeline.Authorizer, requestAudit, root, metrics, options, time,
            app.Services.GetRequiredService<ILogger<S3Endpoint>>());
        var operatorApi = new OperatorApi(seal, new SigV4Verifier(credentials, time) { Region = options.Region }, delivery);
        var adminApi = new AdminApi(new RequestExplainer(services, audit, authorizer, secureTransport: !options.Http), objectLayer, new SigV4Verifier(credentials, time) { Region = options.Region }, audit, options, time,
            app.Services.GetRequiredService<ILogger<AdminApi>>());
        var metricsEndpoint = new MetricsEndpoint(metrics, root, audit, options.MetricsAccess, dataDirectory);
        var logger = app.Services.GetRequiredService<ILogger<CitadelServer>>();
        app.Run(async http =>
        {
            var requestId = Guid.CreateVersion7().ToString(); // time-ordered: its audit index entry appends instead of landing on a random page
            http.Response.Headers["x-amzn-RequestId"] = requestId;
            var path = http.Request.Path.Value ?? "/";
            // A message-template scope: the console shows "RequestId:… RequestPath:…" on every line of the request (a
            // dictionary scope was printed as its type name), and structured log providers get both as fields.
            using var scope = logger.BeginScope("RequestId:{RequestId} RequestPath:{RequestPath}", requestId, path);
            // Route by the SigV4 scope first: a signed S3 request for a bucket named "health" is S3's.
            var signed = SigV4Requests.FromHttp(http.Request, "UNSIGNED-PAYLOAD");
            var signedScope = SigV4Verifier.PeekScope(signed);
            if (signedScope is null && HttpMethods.IsGet(http.Request.Method) && path is "/health" or "/health/live" or "/health/ready")
                await WriteHealthAsync(http, path, seal).ConfigureAwait(false);
            else if (signedScope is null && HttpMethods.IsGet(http.Request.Method) && path == "/metrics")
                await metricsEndpoint.HandleAsync(http).ConfigureAwait(false);
            else if (signedScope?.Service is null or "citadel" && path.StartsWith("/citadel/operator/", StringComparison.Ordinal))
                await operatorApi.HandleAsync(http).ConfigureAwait(false);
            else if (signedScope?.Service is null or "citadel" && path.StartsWith("/citadel/admin/", StringComparison.Ordinal))
                await adminApi.HandleAsync(http, requestId).ConfigureAwait(false);
            else if (S3Endpoint.Claims(http, signedScope))
                await s3.HandleAsync(http, signed, requestId).ConfigureAwait(false);
            else
                await pipeline.HandleAsync(http, requestId, signed).ConfigureAwait(false);
        });
        return new CitadelServer(app, audit, directoryLock, blobs, options, seal, objectLayer);
    }

    /// <summary>Starts listening.</summary>
    public Task StartAsync(CancellationToken cancellationToken = default) => _app.StartAsync(cancellationToken);

    /// <summary>The URL clients use.</summary>
    public string Endpoint => Options.EndpointUrl();

    /// <summary>Runs until shutdown (SIGTERM/SIGINT): in-flight requests finish, then the audit queue drains.</summary>
    public async Task RunAsync(CancellationToken cancellationToken = default)
    {
        await _app.WaitForShutdownAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
        await _audit.DisposeAsync().ConfigureAwait(false);
        (_blobs as IDisposable)?.Dispose();
        await _lock.DisposeAsync().ConfigureAwait(false);
    }

    private static async Task<S3BlobStore> OpenS3BackendAsync(S3BlobStoreSettings settings)
    {
        var store = new S3BlobStore(settings);
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await store.CheckAsync(timeout.Token).ConfigureAwait(false);
            return store;
        }
        catch (IOException e)
        {
            store.Dispose();
            throw new InvalidSettingsException([$"Citadel:S3Backend: {e.Message}"]);
        }
        catch (OperationCanceledException)
        {
            store.Dispose();
            throw new InvalidSettingsException([$"Citadel:S3Backend: the bucket '{settings.Bucket}' at {settings.Endpoint} did not answer within 60 seconds."]);
        }
    }

    private static async Task WriteHealthAsync(HttpContext http, string path, SealManager seal)
    {
        var status = seal.Status();
        var ready = !status.Sealed;
        http.Response.StatusCode = path switch
        {
            "/health/ready" => ready ? 200 : 503,
            "/health" or "/health/live" => 200,
            _ => 404,
        };
        http.Response.ContentType = "application/json";
        await http.Response.WriteAsync(JsonSerializer.Serialize(new
        {
            live = true,
            ready,
            @sealed = status.Sealed,
            initialized = status.Initialized,
            seal = status.Type,
        })).ConfigureAwait(false);
    }

    private static FileStream AcquireLock(string dataDirectory)
    {
        var path = Path.Combine(dataDirectory, "citadel.lock");
        try
        {
            // FileShare.None takes an exclusive advisory lock on Unix: one server per data directory.
            var stream = new FileStream(path, FilePermissions.OwnerOnly(new FileStreamOptions { Mode = FileMode.OpenOrCreate, Access = FileAccess.ReadWrite, Share = FileShare.None }));
            FilePermissions.RestrictToOwner(path); // a lock file of an older version
            return stream;
        }
        catch (IOException)
        {
            throw new InvalidSettingsException([$"Citadel:DataDirectory '{dataDirectory}' is in use by another Citadel server."]);
        }
    }
}

/// <summary>TLS policy: TLS 1.2 and 1.3 with AES-256-GCM suites only.</summary>
public static class TlsPolicy
{
    /// <summary>The allowed cipher suites.</summary>
    public static readonly CipherSuitesPolicy CipherSuites = new(
    [
        TlsCipherSuite.TLS_AES_256_GCM_SHA384,
        TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
        TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
    ]);
}
