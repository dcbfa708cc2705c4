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
    public void AuditCopyOfGrantsKeepsTheGrantIdAndConstraintKeysButNoToken()
    {
        var request = WireJson.ForAudit(new Citadel.Kms.Operations.CreateGrantRequest
        {
            KeyId = "k",
            GranteePrincipal = "arn:aws:iam::111122223333:user/bob",
            Operations = ["Decrypt"],
            Constraints = new Citadel.Kms.Model.GrantConstraints { EncryptionContextSubset = new() { ["Department"] = "IT" } },
            GrantTokens = ["secret-token"],
        })!.AsObject();
        Assert.Equal("IT", request["constraints"]!["encryptionContextSubset"]!["Department"]!.GetValue<string>());
        Assert.False(request.ContainsKey("grantTokens"));
        var response = WireJson.ForAudit(new Citadel.Kms.Operations.CreateGrantResponse { GrantId = "g1", GrantToken = "secret-token" })!.AsObject();
        Assert.Equal("g1", response["grantId"]!.GetValue<string>());
        Assert.False(response.ContainsKey("grantToken"));
        var retire = WireJson.ForAudit(new Citadel.Kms.Operations.RetireGrantRequest { GrantToken = "secret-token" })!.ToJsonString();
        Assert.DoesNotContain("secret-token", retire, StringComparison.Ordinal);
    }

    [Fact]
    public void TimestampsAreEpochSeconds()
    {
        var json = System.Text.Json.JsonSerializer.Serialize(new Sample { CreationDate = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_500) }, WireJson.Options);
        Assert.Contains("\"CreationDate\":1700000000.5", json, StringComparison.Ordinal);
    }
}
