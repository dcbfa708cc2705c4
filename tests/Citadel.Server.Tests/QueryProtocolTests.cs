using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Xml.Linq;
using Citadel.Server.Protocols;

namespace Citadel.Server.Tests;

public sealed class QueryProtocolTests
{
    private static readonly ServiceModel Iam = ServiceModel.Load("iam");

    [Fact]
    public void FormParametersBecomeTheJsonShapeOfTheModel()
    {
        var parameters = QueryProtocol.Parameters("", Encoding.UTF8.GetBytes("Action=CreateUser&Version=2010-05-08&UserName=alice&Path=%2Fteam%2F&Tags.member.1.Key=k1&Tags.member.1.Value=v+1&Tags.member.2.Key=k2&Tags.member.2.Value="), "application/x-www-form-urlencoded; charset=utf-8");
        var json = QueryProtocol.ToJson(Iam, Iam.InputShape("CreateUser"), parameters);
        Assert.Equal("alice", json["UserName"]!.GetValue<string>());
        Assert.Equal("/team/", json["Path"]!.GetValue<string>());
        Assert.Equal("v 1", json["Tags"]![0]!["Value"]!.GetValue<string>());
        Assert.Equal("", json["Tags"]![1]!["Value"]!.GetValue<string>());
        using var document = JsonDocument.Parse(json.ToJsonString());
        Assert.Null(Iam.Validate("CreateUser", document.RootElement));
    }

    [Fact]
    public void ModelPatternsMatchTheWholeValue()
    {
        var json = QueryProtocol.ToJson(Iam, Iam.InputShape("CreateUser"), new Dictionary<string, string> { ["UserName"] = "bad name!" });
        using var document = JsonDocument.Parse(json.ToJsonString());
        Assert.Contains("Member must satisfy regular expression pattern", Iam.Validate("CreateUser", document.RootElement)!.Value.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ResponsesAreXmlInTheOutputShapeWithIsoTimestamps()
    {
        var response = JsonNode.Parse("""{"User":{"Path":"/","UserName":"alice","UserId":"AIDAEXAMPLE123456789","Arn":"arn:aws:iam::1:user/alice","CreateDate":1700000000}}""");
        var xml = XDocument.Parse(QueryProtocol.ToXml(Iam, "CreateUser", response, "req-1"));
        XNamespace ns = "https://iam.amazonaws.com/doc/2010-05-08/";
        var user = xml.Root!.Element(ns + "CreateUserResult")!.Element(ns + "User")!;
        Assert.Equal("alice", user.Element(ns + "UserName")!.Value);
        Assert.Equal("2023-11-14T22:13:20Z", user.Element(ns + "CreateDate")!.Value);
        Assert.Equal("req-1", xml.Root!.Element(ns + "ResponseMetadata")!.Element(ns + "RequestId")!.Value);
    }

    [Fact]
    public void CharactersXmlCannotCarryAreReplacedSoTheDocumentParses()
    {
        // Found by the protocol fuzz: ValidationError quoted a NUL from the request into its message.
        var xml = XDocument.Parse(QueryProtocol.ErrorXml(Iam, "ValidationError", "Value 'a\0b\u0001\ud800\uffff\t\ud83d\ude00' is bad", true, "req-3"));
        XNamespace ns = "https://iam.amazonaws.com/doc/2010-05-08/";
        Assert.Equal("Value 'a\ufffdb\ufffd\ufffd\ufffd\t\ud83d\ude00' is bad", xml.Root!.Element(ns + "Error")!.Element(ns + "Message")!.Value);
        var response = JsonNode.Parse("""{"User":{"Path":"/","UserName":"a\u0000","UserId":"x","Arn":"arn","CreateDate":1700000000}}""");
        Assert.Equal("a\ufffd", XDocument.Parse(QueryProtocol.ToXml(Iam, "CreateUser", response, "req-4")).Descendants(ns + "UserName").Single().Value);
    }

    [Fact]
    public void ErrorsAreXmlWithTheModelsCodeAndStatus()
    {
        Assert.Equal(("NoSuchEntity", 404, true), Iam.ErrorOf("NoSuchEntityException"));
        var xml = XDocument.Parse(QueryProtocol.ErrorXml(Iam, "NoSuchEntity", "The user <x> cannot be found.", true, "req-2"));
        XNamespace ns = "https://iam.amazonaws.com/doc/2010-05-08/";
        Assert.Equal("Sender", xml.Root!.Element(ns + "Error")!.Element(ns + "Type")!.Value);
        Assert.Equal("The user <x> cannot be found.", xml.Root!.Element(ns + "Error")!.Element(ns + "Message")!.Value);
        Assert.Equal((403, "SignatureDoesNotMatch"), QueryErrors.Translate(new ServiceError(400, "InvalidSignatureException", "m")));
    }
}
