using Citadel.Server.Hosting;
using Microsoft.Extensions.Configuration;

namespace Citadel.Server.Tests;

public sealed class OptionsTests
{
    [Fact]
    public void DefaultsAreValid() => Assert.Empty(new CitadelOptions().Validate());

    [Theory]
    [InlineData("Listen", "nonsense", "Citadel:Listen")]
    [InlineData("AccountId", "12345", "Citadel:AccountId")]
    [InlineData("Region", "Earth", "Citadel:Region")]
    [InlineData("Partition", "gcp", "Citadel:Partition")]
    [InlineData("Seal", "vault", "Citadel:Seal")]
    public void EachBadSettingIsNamed(string property, string value, string setting)
    {
        var options = new CitadelOptions();
        typeof(CitadelOptions).GetProperty(property)!.SetValue(options, value);
        Assert.Contains(options.Validate(), e => e.Contains(setting, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("TrailDeliveryIntervalSeconds", 0, "Citadel:TrailDeliveryIntervalSeconds")]
    [InlineData("TrailDigestIntervalSeconds", 59, "Citadel:TrailDigestIntervalSeconds")]
    [InlineData("TrailSigningKeyRotationHours", 0, "Citadel:TrailSigningKeyRotationHours")]
    [InlineData("AuditRetentionDays", -1, "Citadel:AuditRetentionDays")]
    public void TrailIntervalsAreChecked(string property, int value, string setting)
    {
        var options = new CitadelOptions();
        typeof(CitadelOptions).GetProperty(property)!.SetValue(options, value);
        Assert.Contains(options.Validate(), e => e.Contains(setting, StringComparison.Ordinal));
    }

    [Fact]
    public void TrailSettingsFollowTheOptions()
    {
        var settings = new CitadelOptions { AccountId = "111122223333", Region = "eu-west-1", TrailDeliveryIntervalSeconds = 60, TrailDigestIntervalSeconds = 600, TrailSigningKeyRotationHours = 720 }.TrailSettings();
        Assert.Equal(("111122223333", "eu-west-1", "aws"), (settings.AccountId, settings.Region, settings.Partition));
        Assert.Equal((TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(10), TimeSpan.FromDays(30)), (settings.LogFileInterval, settings.DigestInterval, settings.SigningKeyLifetime));
        var defaults = new CitadelOptions().TrailSettings();
        Assert.Equal((TimeSpan.FromMinutes(5), TimeSpan.FromHours(1), TimeSpan.FromDays(1)), (defaults.LogFileInterval, defaults.DigestInterval, defaults.SigningKeyLifetime));
    }

    [Fact]
    public void AnS3BackendNeedsBucketAndCredentialsAndEachProblemIsNamed()
    {
        var options = new CitadelOptions();
        options.S3Backend.Endpoint = "minio:9000";
        options.S3Backend.PartSizeMiB = 2;
        var errors = options.Validate();
        foreach (var setting in new[] { "Citadel:S3Backend:Endpoint", "Citadel:S3Backend:Bucket", "Citadel:S3Backend:AccessKeyId", "Citadel:S3Backend:PartSizeMiB" })
            Assert.Contains(errors, e => e.Contains(setting, StringComparison.Ordinal));

        options.S3Backend = new() { Endpoint = "https://s3.eu-west-1.amazonaws.com", Bucket = "vault", Region = "eu-west-1", AccessKeyId = "AKIDEXAMPLE", SecretAccessKey = "secret" };
        Assert.Empty(options.Validate());
        options.S3Backend.CaBundle = "/nonexistent/ca.pem";
        Assert.Contains(options.Validate(), e => e.Contains("Citadel:S3Backend:CaBundle", StringComparison.Ordinal));
    }

    [Fact]
    public void S3BackendSettingsWithoutAnEndpointAreAMistakeNotASilentLocalStore()
    {
        var options = new CitadelOptions();
        options.S3Backend.Bucket = "vault";
        Assert.Contains(options.Validate(), e => e.Contains("Citadel:S3Backend:Endpoint must be set", StringComparison.Ordinal));
    }

    [Fact]
    public void TheS3BackendBindsFromItsSection()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Citadel:S3Backend:Endpoint"] = "http://127.0.0.1:9000",
            ["Citadel:S3Backend:Bucket"] = "vault",
            ["Citadel:S3Backend:Prefix"] = "citadel",
            ["Citadel:S3Backend:ForcePathStyle"] = "false",
            ["Citadel:S3Backend:AccessKeyId"] = "id",
            ["Citadel:S3Backend:SecretAccessKey"] = "secret",
        }).Build();
        var options = CitadelOptions.Bind(configuration);
        Assert.True(options.S3Backend.IsEnabled);
        Assert.Equal("citadel/", options.S3Backend.NormalizedPrefix);
        Assert.False(options.S3Backend.ForcePathStyle);
        Assert.Empty(options.Validate());
    }

    [Fact]
    public async Task AnUnreachableS3BackendStopsTheStartNamingTheSetting()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var data = Path.Combine(Path.GetTempPath(), "citadel-s3backend-" + Guid.NewGuid().ToString("N"));
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Citadel:DataDirectory"] = data,
            ["Citadel:Http"] = "true",
            ["Citadel:S3Backend:Endpoint"] = $"http://127.0.0.1:{port}",
            ["Citadel:S3Backend:Bucket"] = "vault",
            ["Citadel:S3Backend:AccessKeyId"] = "id",
            ["Citadel:S3Backend:SecretAccessKey"] = "secret",
        }).Build();
        var error = await Assert.ThrowsAsync<InvalidSettingsException>(() => CitadelServer.CreateAsync(configuration, TextWriter.Null));
        Assert.Contains("Citadel:S3Backend", error.Message, StringComparison.Ordinal);
        Assert.Contains("'vault'", error.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(data));
    }

    [Fact]
    public void RootCredentialsMustComeTogether()
    {
        var options = new CitadelOptions { RootAccessKeyId = "AKIAEXAMPLEADMIN0001" };
        Assert.Contains(options.Validate(), e => e.Contains("CITADEL_ROOT_SECRET_ACCESS_KEY", StringComparison.Ordinal));
    }
}
