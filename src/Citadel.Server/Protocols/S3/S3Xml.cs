using System.Globalization;
using System.Text;
using System.Xml;
using System.Xml.Linq;
using Citadel.ObjectStore;

namespace Citadel.Server.Protocols.S3;

/// <summary>S3's XML: the namespace, dates, error bodies, and parsing of request bodies with MalformedXML on any defect.</summary>
public static class S3Xml
{
    /// <summary>The S3 namespace of response documents.</summary>
    public static readonly XNamespace Ns = "http://s3.amazonaws.com/doc/2006-03-01/";

    /// <summary>An element in the S3 namespace.</summary>
    public static XElement E(string name, params object?[] content) => new(Ns + name, content);

    /// <summary>S3's timestamp form in XML (ISO 8601 with milliseconds).</summary>
    public static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    /// <summary>HTTP date (Last-Modified).</summary>
    public static string HttpDate(DateTimeOffset time) => time.UtcDateTime.ToString("r", CultureInfo.InvariantCulture);

    /// <summary>Serializes a document with the XML declaration.</summary>
    public static byte[] Serialize(XElement root)
    {
        var builder = new StringBuilder();
        using (var writer = XmlWriter.Create(builder, new XmlWriterSettings { Encoding = Encoding.UTF8, OmitXmlDeclaration = true }))
            root.WriteTo(writer);
        return Encoding.UTF8.GetBytes("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + builder);
    }

    /// <summary>The error body.</summary>
    public static byte[] Error(S3Error error, string requestId, string? bucket, string? key)
    {
        var root = new XElement("Error", new XElement("Code", error.Code), new XElement("Message", error.Message));
        foreach (var (name, value) in error.Details) root.Add(new XElement(name, value));
        if (error.Code == "NoSuchBucket" && bucket is not null) root.Add(new XElement("BucketName", bucket));
        if (error.Code == "NoSuchKey" && key is not null) root.Add(new XElement("Key", key));
        root.Add(new XElement("RequestId", requestId), new XElement("HostId", requestId));
        return Serialize(root);
    }

    /// <summary>Parses a request body; MalformedXML when it is not well-formed or not the expected root element.</summary>
    public static XElement Parse(byte[] body, string rootName)
    {
        try
        {
            var settings = new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null };
            using var reader = XmlReader.Create(new MemoryStream(body), settings);
            var root = XElement.Load(reader);
            if (root.Name.LocalName != rootName) throw Malformed();
            return root;
        }
        catch (XmlException)
        {
            throw Malformed();
        }
    }

    /// <summary>A child element by local name (any namespace), or null.</summary>
    public static XElement? Child(this XElement element, string name) => element.Elements().FirstOrDefault(e => e.Name.LocalName == name);

    /// <summary>Child elements by local name (any namespace).</summary>
    public static IEnumerable<XElement> Children(this XElement element, string name) => element.Elements().Where(e => e.Name.LocalName == name);

    /// <summary>The MalformedXML error.</summary>
    public static ObjectStoreException Malformed() => new(ObjectStoreError.MalformedXml,
        "The XML you provided was not well-formed or did not validate against our published schema");
}
