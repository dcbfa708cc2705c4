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

    [Fact]
    public void RootCredentialsMustComeTogether()
    {
        var options = new CitadelOptions { RootAccessKeyId = "AKIAEXAMPLEADMIN0001" };
        Assert.Contains(options.Validate(), e => e.Contains("CITADEL_ROOT_SECRET_ACCESS_KEY", StringComparison.Ordinal));
    }
}
