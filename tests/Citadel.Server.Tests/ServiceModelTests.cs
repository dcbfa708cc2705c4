using System.Text.Json;
using Citadel.Server.Protocols;

namespace Citadel.Server.Tests;

public sealed class ServiceModelTests
{
    private static readonly ServiceModel Kms = ServiceModel.Load("kms");

    private static (string Type, string Message)? Validate(string operation, string json)
    {
        using var document = JsonDocument.Parse(json);
        return Kms.Validate(operation, document.RootElement);
    }

    [Fact]
    public void ValidRequestPasses() => Assert.Null(Validate("Encrypt", """{"KeyId":"alias/a","Plaintext":"AQID","EncryptionContext":{"a":"b"}}"""));

    [Fact]
    public void MissingRequiredMembersAreListedInAwsForm()
    {
        var error = Validate("Encrypt", "{}")!.Value;
        Assert.Equal("ValidationException", error.Type);
        Assert.StartsWith("2 validation errors detected: ", error.Message, StringComparison.Ordinal);
        Assert.Contains("Value null at 'keyId' failed to satisfy constraint: Member must not be null", error.Message, StringComparison.Ordinal);
        Assert.Contains("Value null at 'plaintext' failed to satisfy constraint: Member must not be null", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NullListItemsAndMapValuesAreRefused()
    {
        // Found by the protocol fuzz: both reached the operations as nulls (a NullReferenceException, an ArgumentNullException).
        Assert.Equal("1 validation error detected: Value null at 'tags.2.member' failed to satisfy constraint: Member must not be null",
            Validate("CreateKey", """{"Tags":[{"TagKey":"a","TagValue":"b"},null]}""")!.Value.Message);
        Assert.Equal("1 validation error detected: Value null at 'encryptionContext' failed to satisfy constraint: Map value must not be null",
            Validate("Encrypt", """{"KeyId":"k","Plaintext":"AQID","EncryptionContext":{"a":null}}""")!.Value.Message);
    }

    [Fact]
    public void BlobLengthIsCheckedOnDecodedBytes()
    {
        var error = Validate("Encrypt", $$"""{"KeyId":"k","Plaintext":"{{Convert.ToBase64String(new byte[4097])}}"}""")!.Value;
        Assert.Equal("1 validation error detected: Value at 'plaintext' failed to satisfy constraint: Member must have length less than or equal to 4096", error.Message);
        Assert.Null(Validate("Encrypt", $$"""{"KeyId":"k","Plaintext":"{{Convert.ToBase64String(new byte[4096])}}"}"""));
    }

    [Fact]
    public void EnumsRangesAndPatternsAreEnforced()
    {
        Assert.Contains("Member must satisfy enum value set: [RSA_2048", Validate("CreateKey", """{"KeySpec":"AES_999"}""")!.Value.Message, StringComparison.Ordinal);
        Assert.Contains("Member must have value less than or equal to 1024", Validate("GenerateRandom", """{"NumberOfBytes":1025}""")!.Value.Message, StringComparison.Ordinal);
        Assert.Contains("Member must satisfy regular expression pattern", Validate("CreateAlias", """{"AliasName":"alias/bad name","TargetKeyId":"k"}""")!.Value.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void WrongJsonTypesAreSerializationErrors()
    {
        Assert.Equal("SerializationException", Validate("GenerateRandom", """{"NumberOfBytes":"12"}""")!.Value.Type);
        Assert.Equal("SerializationException", Validate("Encrypt", """{"KeyId":"k","Plaintext":"not base64!"}""")!.Value.Type);
        Assert.Equal("SerializationException", Validate("Encrypt", """{"KeyId":"k","Plaintext":"AA==","EncryptionContext":[]}""")!.Value.Type);
    }

    [Fact]
    public void NestedListMembersGetAwsPaths()
    {
        var error = Validate("CreateKey", """{"Tags":[{"TagKey":"","TagValue":"v"}]}""")!.Value;
        Assert.Contains("at 'tags.1.member.tagKey' failed to satisfy constraint: Member must have length greater than or equal to 1", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void StringLengthsCountTextElementsOnTheAsciiFastPathAndOffIt()
    {
        // DescribeKey.KeyId: length 1..2048. ASCII counts per char; a surrogate pair and "\r\n" count once each.
        static string Request(string keyId) => JsonSerializer.Serialize(new { KeyId = keyId });
        Assert.Null(Validate("DescribeKey", Request(new string('k', 2048))));
        Assert.Contains("Member must have length less than or equal to 2048", Validate("DescribeKey", Request(new string('k', 2049)))!.Value.Message, StringComparison.Ordinal);
        Assert.Null(Validate("DescribeKey", Request(string.Concat(Enumerable.Repeat("\U0001F511", 2048)))));
        Assert.NotNull(Validate("DescribeKey", Request(string.Concat(Enumerable.Repeat("\U0001F511", 2049)))));
        Assert.Null(Validate("DescribeKey", Request(string.Concat(Enumerable.Repeat("\r\n", 2048)))));
        Assert.NotNull(Validate("DescribeKey", Request(string.Concat(Enumerable.Repeat("\r\n", 2048)) + "k")));
    }
}
