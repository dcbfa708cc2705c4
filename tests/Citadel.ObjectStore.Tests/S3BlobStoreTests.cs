using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Amazon.S3.Model;
using Citadel.ObjectStore.Blobs;

namespace Citadel.ObjectStore.Tests;

/// <summary>The blob store contract over a real moto_server; each test gets its own key prefix in the shared bucket.</summary>
[Collection("moto")]
public sealed class S3BlobStoreTests : BlobStoreContract, IDisposable
{
    private readonly MotoFixture _moto;
    private readonly string _prefix = "contract-" + Guid.NewGuid().ToString("N")[..12] + "/blobs";
    private readonly S3BlobStore _store;

    public S3BlobStoreTests(MotoFixture moto)
    {
        _moto = moto;
        _store = new S3BlobStore(moto.Server.Settings(MotoFixture.Bucket, _prefix));
    }

    protected override IBlobStore Store => _store;

    protected override async Task<IReadOnlyList<string>> LeftoversAsync()
    {
        using var client = _moto.Server.Client();
        var uploads = await client.ListMultipartUploadsAsync(new ListMultipartUploadsRequest { BucketName = MotoFixture.Bucket, Prefix = _prefix });
        return (uploads.MultipartUploads ?? []).Select(u => u.Key).ToList();
    }

    [Fact]
    public async Task Each_blob_is_one_object_under_the_prefix_holding_exactly_the_bytes_written()
    {
        var data = RandomBytes(5000);
        var name = NewName();
        await WriteAsync(name, data);
        using var client = _moto.Server.Client();
        using var response = await client.GetObjectAsync(MotoFixture.Bucket, _prefix + "/" + name);
        using var stored = new MemoryStream();
        await response.ResponseStream.CopyToAsync(stored);
        Assert.Equal(data, stored.ToArray());
    }

    [Fact]
    public async Task Other_objects_of_the_bucket_are_never_listed_so_garbage_collection_cannot_touch_them()
    {
        using var client = _moto.Server.Client();
        foreach (var key in new[] { _prefix + "/README.txt", _prefix + "/0123456789-abc/nested", _prefix + "-sibling/0123456789-abc", "0123456789-abcdef" })
            await client.PutObjectAsync(new PutObjectRequest { BucketName = MotoFixture.Bucket, Key = key, ContentBody = "not a blob" });
        var name = NewName();
        await WriteAsync(name, [1, 2, 3]);
        Assert.Equal([name], await ListAsync());

        using var neighbour = new S3BlobStore(_moto.Server.Settings(MotoFixture.Bucket, _prefix + "-sibling/"));
        var neighbours = new List<string>();
        await foreach (var blob in neighbour.ListAsync(CancellationToken.None)) neighbours.Add(blob);
        Assert.Equal(["0123456789-abc"], neighbours);
    }

    [Fact]
    public async Task Listing_follows_continuation_tokens_past_one_page()
    {
        using var client = _moto.Server.Client();
        // More than the 1000 keys of one ListObjectsV2 page, written directly (one PUT each would be slow through WriteAsync's checks).
        var names = Enumerable.Range(0, 1003).Select(i => $"{i:x10}-page").ToList();
        await Parallel.ForEachAsync(names, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (name, ct) =>
            await client.PutObjectAsync(new PutObjectRequest { BucketName = MotoFixture.Bucket, Key = _prefix + "/" + name, ContentBody = "x" }, ct));
        Assert.Equal(names, (await ListAsync()).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_missing_bucket_is_reported_at_the_check_with_its_name()
    {
        using var store = new S3BlobStore(_moto.Server.Settings("no-such-bucket-here", ""));
        var error = await Assert.ThrowsAsync<IOException>(() => store.CheckAsync(CancellationToken.None));
        Assert.Contains("no-such-bucket-here", error.Message, StringComparison.Ordinal);
        Assert.Contains("NoSuchBucket", error.Message, StringComparison.Ordinal);
        await _store.CheckAsync(CancellationToken.None);
    }

    [Fact]
    public void Invalid_settings_are_refused_naming_the_setting()
    {
        var settings = _moto.Server.Settings(MotoFixture.Bucket, "");
        settings.SecretAccessKey = null;
        settings.PartSizeMiB = 4;
        var error = Assert.Throws<ArgumentException>(() => new S3BlobStore(settings));
        Assert.Contains("SecretAccessKey", error.Message, StringComparison.Ordinal);
        Assert.Contains("PartSizeMiB", error.Message, StringComparison.Ordinal);
    }

    public void Dispose() => _store.Dispose();
}

/// <summary>One moto_server over HTTPS, its certificate issued by a CA made for the test, and a bucket.</summary>
public sealed class TlsMotoFixture : IAsyncLifetime
{
    public string Directory { get; } = Path.Combine(Path.GetTempPath(), "citadel-s3tls-" + Guid.NewGuid().ToString("N"));
    public MotoServer Server { get; private set; } = null!;
    public string CaBundle => Path.Combine(Directory, "ca.pem");

    public async Task InitializeAsync()
    {
        System.IO.Directory.CreateDirectory(Directory);
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var ca = CreateCa("Citadel test backend CA", caKey);
        await File.WriteAllTextAsync(CaBundle, ca.ExportCertificatePem());

        using var serverKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=127.0.0.1", serverKey, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(System.Net.IPAddress.Loopback);
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        // Inside the CA's validity, which a later clock reading could overrun.
        using var server = request.Create(ca, ca.NotBefore.ToUniversalTime().AddMinutes(1), ca.NotAfter.ToUniversalTime().AddHours(-1), RandomNumberGenerator.GetBytes(16));
        var certificateFile = Path.Combine(Directory, "server.pem");
        var keyFile = Path.Combine(Directory, "server.key");
        await File.WriteAllTextAsync(certificateFile, server.ExportCertificatePem());
        await File.WriteAllTextAsync(keyFile, serverKey.ExportPkcs8PrivateKeyPem());
        Server = await MotoServer.StartAsync(certificateFile, keyFile);

        // moto does not check signatures: an unsigned PUT creates the bucket.
        using var setup = new HttpClient(new HttpClientHandler { ServerCertificateCustomValidationCallback = HttpClientHandler.DangerousAcceptAnyServerCertificateValidator });
        (await setup.PutAsync($"{Server.Endpoint}/tls-bucket", null)).EnsureSuccessStatusCode();
    }

    public static X509Certificate2 CreateCa(string name, ECDsa key)
    {
        var request = new CertificateRequest("CN=" + name, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
    }

    public async Task DisposeAsync()
    {
        if (Server is not null) await Server.DisposeAsync();
        try { System.IO.Directory.Delete(Directory, true); } catch (IOException) { }
    }
}

/// <summary>The S3 backend over HTTPS: TLS is verified by default, and a CA bundle replaces the system's roots.</summary>
public sealed class S3BlobStoreTlsTests(TlsMotoFixture tls) : IClassFixture<TlsMotoFixture>
{
    private readonly MotoServer _moto = tls.Server;

    [Fact]
    public async Task Without_the_ca_bundle_the_certificate_is_refused()
    {
        using var store = new S3BlobStore(_moto.Settings("tls-bucket", ""));
        var error = await Assert.ThrowsAsync<IOException>(() => store.CheckAsync(CancellationToken.None));
        Assert.Contains("SSL", error.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task A_bundle_of_another_ca_is_refused()
    {
        using var otherKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var other = TlsMotoFixture.CreateCa("Some other CA", otherKey);
        var otherBundle = Path.Combine(tls.Directory, "other.pem");
        await File.WriteAllTextAsync(otherBundle, other.ExportCertificatePem());
        var settings = _moto.Settings("tls-bucket", "");
        settings.CaBundle = otherBundle;
        using var store = new S3BlobStore(settings);
        var error = await Assert.ThrowsAsync<IOException>(() => store.CheckAsync(CancellationToken.None));
        Assert.Contains("SSL", error.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task With_the_ca_bundle_blobs_round_trip()
    {
        var settings = _moto.Settings("tls-bucket", "tls");
        settings.CaBundle = tls.CaBundle;
        using var store = new S3BlobStore(settings);
        await store.CheckAsync(CancellationToken.None);
        var data = RandomNumberGenerator.GetBytes(70_000);
        var name = BlobNames.New(DateTimeOffset.UtcNow, Crypto.SystemRandom.Instance);
        await store.WriteAsync(name, (output, ct) => output.WriteAsync(data, ct).AsTask(), CancellationToken.None);
        await using var read = await store.OpenReadAsync(name, 1000, 5000, CancellationToken.None);
        var buffer = new byte[5000];
        await read.ReadExactlyAsync(buffer);
        Assert.Equal(data[1000..6000], buffer);
    }
}
