using Citadel.Server.Hosting;

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
    public void RootCredentialsMustComeTogether()
    {
        var options = new CitadelOptions { RootAccessKeyId = "AKIAEXAMPLEADMIN0001" };
        Assert.Contains(options.Validate(), e => e.Contains("CITADEL_ROOT_SECRET_ACCESS_KEY", StringComparison.Ordinal));
    }
}
