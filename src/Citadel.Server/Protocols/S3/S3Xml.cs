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

    /// <summary>
    /// Serializes a document with the XML declaration. Every S3 response body goes through here, so that no value
    /// (an object key, a prefix, a tag) can make an answer fail: text is escaped by <see cref="XmlEscaping"/>, which writes
    /// the characters XML 1.0 cannot carry as numeric character references, as S3 does, where an XmlWriter would throw.
    /// </summary>
    public static byte[] Serialize(XElement root)
    {
        var xml = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        Write(xml, root, XNamespace.None);
        return Encoding.UTF8.GetBytes(xml.ToString());
    }

    private static void Write(StringBuilder xml, XElement element, XNamespace inherited)
    {
        // S3's documents are elements and text only; an attribute, comment or instruction here is a programming error.
        if (element.HasAttributes) throw new InvalidOperationException($"S3 response elements carry no attributes ({element.Name.LocalName}).");
        var name = element.Name.LocalName;
        xml.Append('<').Append(name);
        var ns = element.Name.Namespace;
        if (ns != inherited) XmlEscaping.Append(xml.Append(" xmlns=\""), ns.NamespaceName).Append('"');
        if (element.IsEmpty)
        {
            xml.Append(" />");
            return;
        }
        xml.Append('>');
        foreach (var node in element.Nodes())
        {
            switch (node)
            {
                case XElement child: Write(xml, child, ns); break;
                case XText text: XmlEscaping.Append(xml, text.Value); break;
                default: throw new InvalidOperationException($"S3 response documents hold elements and text only, not {node.NodeType}.");
            }
        }
        xml.Append("</").Append(name).Append('>');
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
