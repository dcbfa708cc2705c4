using Citadel.Server.Protocols;

namespace Citadel.Server.Tests;

public sealed class WireJsonTests
{
    private sealed class Sample
    {
        public string? KeyId { get; init; }
        public byte[]? Plaintext { get; init; }
        public byte[]? CiphertextBlob { get; init; }
        public Dictionary<string, string>? EncryptionContext { get; init; }
        public DateTimeOffset? CreationDate { get; init; }
    }

    [Fact]
    public void AuditCopyDropsSecretsCamelCasesMembersAndKeepsContextKeys()
    {
        var node = WireJson.ForAudit(new Sample
        {
            KeyId = "alias/a",
            Plaintext = [1, 2, 3],
            CiphertextBlob = [4, 5],
            EncryptionContext = new() { ["Department"] = "Finance" },
        })!.AsObject();
        Assert.Equal("alias/a", node["keyId"]!.GetValue<string>());
        Assert.False(node.ContainsKey("plaintext"));
        Assert.False(node.ContainsKey("ciphertextBlob"));
        Assert.Equal("Finance", node["encryptionContext"]!["Department"]!.GetValue<string>());
    }

    [Fact]
    public void TimestampsAreEpochSeconds()
    {
        var json = System.Text.Json.JsonSerializer.Serialize(new Sample { CreationDate = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_500) }, WireJson.Options);
        Assert.Contains("\"CreationDate\":1700000000.5", json, StringComparison.Ordinal);
    }
}
