using System.Text;
using System.Text.Json.Nodes;
using System.Xml;
using System.Xml.Linq;
using Citadel.Server.Protocols;
using Citadel.Server.Protocols.S3;

namespace Citadel.Server.Tests;

/// <summary>
/// The XML Citadel writes never fails on a value and never alters one: characters XML 1.0 cannot carry are numeric
/// character references (as S3 writes them), a carriage return too, so that a reader gets every character back.
/// </summary>
public sealed class XmlEscapingTests
{
    private const string ControlKey = "ctl\u0001\u001f\u007f";
    private const string Awkward = "a\u0000b\u0001c\u0008d\u000be\u000cf\u001fg\rh\r\ni\tj\nk<&>\"'\ufffe\uffff\ud800z\ud83d\ude00";

    [Fact]
    public void S3_documents_carry_control_characters_as_references_and_read_back_unaltered()
    {
        var xml = S3Xml.Serialize(S3Xml.E("ListBucketResult", S3Xml.E("Contents", S3Xml.E("Key", ControlKey)), S3Xml.E("Prefix", Awkward)));
        var text = Encoding.UTF8.GetString(xml);
        Assert.Contains("<Key>ctl&#1;&#31;\u007f</Key>", text, StringComparison.Ordinal);
        Assert.Contains("g&#13;h&#13;\ni", text, StringComparison.Ordinal);
        Assert.Contains("&#0;", text, StringComparison.Ordinal);
        Assert.Contains("&#55296;z\ud83d\ude00", text, StringComparison.Ordinal); // a lone surrogate by its code; a pair as it is

        var root = Lenient(xml);
        XNamespace ns = S3Xml.Ns;
        Assert.Equal(ControlKey, root.Element(ns + "Contents")!.Element(ns + "Key")!.Value);
        // Everything but the lone surrogate, which a .NET reader cannot hold in a string, comes back as it was.
        Assert.Equal(Awkward.Replace("\ud800", "", StringComparison.Ordinal), root.Element(ns + "Prefix")!.Value.Replace("\ud800", "", StringComparison.Ordinal));
    }

    [Fact]
    public void A_carriage_return_survives_a_strict_parser()
    {
        var xml = S3Xml.Serialize(S3Xml.E("CopyObjectResult", S3Xml.E("ETag", "line\rline\r\n")));
        var root = XElement.Load(XmlReader.Create(new MemoryStream(xml)));
        Assert.Equal("line\rline\r\n", root.Value);
    }

    [Fact]
    public void S3_errors_carry_the_key_they_are_about_whatever_it_holds()
    {
        var xml = S3Xml.Error(new S3Error(404, "NoSuchKey", "The specified key does not exist."), "req-1", "bucket", "missing\u0001key");
        var root = Lenient(xml);
        Assert.Equal("NoSuchKey", root.Element("Code")!.Value);
        Assert.Equal("missing\u0001key", root.Element("Key")!.Value);
    }

    [Fact]
    public void S3_documents_keep_their_shape()
    {
        var xml = Encoding.UTF8.GetString(S3Xml.Serialize(S3Xml.E("ListBucketResult", S3Xml.E("Name", "b"), S3Xml.E("Prefix", ""), S3Xml.E("Marker"),
            new XElement("Plain", "x"))));
        Assert.Equal("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
            + "<Name>b</Name><Prefix></Prefix><Marker /><Plain xmlns=\"\">x</Plain></ListBucketResult>", xml);
    }

    [Fact]
    public void Query_protocol_answers_keep_carriage_returns_and_stay_well_formed()
    {
        // As S3's, except that what XML 1.0 excludes becomes U+FFFD: botocore's strict parser must read every IAM/STS answer.
        var iam = ServiceModel.Load("iam");
        var response = JsonNode.Parse("""{"Role":{"Path":"/","RoleName":"r","RoleId":"AROAEXAMPLE","Arn":"arn:aws:iam::1:role/r","CreateDate":1700000000,"Description":"one\r\ntwo\u0001"}}""");
        var xml = QueryProtocol.ToXml(iam, "GetRole", response, "req-1");
        Assert.Contains("one&#13;\ntwo\uFFFD", xml, StringComparison.Ordinal);
        XNamespace ns = iam.XmlNamespace!;
        Assert.Equal("one\r\ntwo\uFFFD", XElement.Parse(xml).Descendants(ns + "Description").Single().Value);

        var error = QueryProtocol.ErrorXml(iam, "ValidationError", "Value 'a\rb' at 'description'", true, "req-2");
        Assert.Equal("Value 'a\rb' at 'description'", XElement.Parse(error).Descendants().Single(e => e.Name.LocalName == "Message").Value);
    }

    [Fact]
    public void Ordinary_text_is_left_alone()
    {
        const string text = "photos/2024/ünïcödé 😀 tab\there \"quoted\" 'and' line\nfeed";
        Assert.Contains($"<Key>{text}</Key>", Encoding.UTF8.GetString(S3Xml.Serialize(S3Xml.E("Contents", S3Xml.E("Key", text)))), StringComparison.Ordinal);
    }

    /// <summary>A reader that accepts references to characters XML 1.0 excludes, as lenient S3 clients do.</summary>
    private static XElement Lenient(byte[] xml)
        => XElement.Load(XmlReader.Create(new MemoryStream(xml), new XmlReaderSettings { CheckCharacters = false }));
}
