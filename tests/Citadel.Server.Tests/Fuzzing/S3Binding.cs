using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using System.Xml;
using System.Xml.Linq;

namespace Citadel.Server.Tests.Fuzzing;

/// <summary>An S3 request laid out by the rest-xml binding of its operation, before signing and mutation.</summary>
internal sealed class S3Draft
{
    public required string Method { get; set; }
    public required string Bucket { get; set; }
    public string? Key { get; set; }
    public List<(string Name, string? Value)> Query { get; } = [];
    public List<KeyValuePair<string, string>> Headers { get; } = [];
    public byte[] Body { get; set; } = [];
    /// <summary>The XML payload, when the operation's body is an XML document.</summary>
    public XElement? Xml { get; set; }
    /// <summary>A raw path that replaces the one made of bucket and key (bad escapes no key string can make).</summary>
    public string? PathOverride { get; set; }
    /// <summary>The body is the object's bytes (PutObject, UploadPart).</summary>
    public bool BlobBody { get; set; }
}

/// <summary>
/// The rest-xml binding of botocore's S3 model: members into the URI (<c>{Bucket}</c>, <c>{Key+}</c>), the query
/// string, headers (and <c>x-amz-meta-*</c> maps), and the payload (the object's bytes or an XML document in the S3
/// namespace), with the values the SDKs would send (RFC 1123 dates in headers, comma-joined lists).
/// </summary>
internal static class S3Binding
{
    public static readonly XNamespace Ns = "http://s3.amazonaws.com/doc/2006-03-01/";

    public static S3Draft Bind(FuzzModel model, FuzzOperation operation, JsonObject input, Random random)
    {
        var uri = operation.RequestUri;
        var queryStart = uri.IndexOf('?', StringComparison.Ordinal);
        var draft = new S3Draft
        {
            Method = operation.Method,
            Bucket = input["Bucket"]?.GetValue<string>() ?? FuzzFixtures.Bucket,
            Key = uri.Contains("{Key+}", StringComparison.Ordinal) ? input["Key"]?.GetValue<string>() ?? FuzzFixtures.ObjectKey : null,
        };
        if (queryStart >= 0)
        {
            foreach (var part in uri[(queryStart + 1)..].Split('&'))
            {
                var eq = part.IndexOf('=', StringComparison.Ordinal);
                draft.Query.Add(eq < 0 ? (part, null) : (part[..eq], part[(eq + 1)..]));
            }
        }
        if (operation.Input is null) return draft;
        var shape = model.Shape(operation.Input);
        foreach (var member in shape.Members)
        {
            if (!input.TryGetPropertyValue(member.Name, out var value) || value is null) continue;
            var memberShape = model.Shape(member.Shape);
            switch (member.Location)
            {
                case "uri":
                    break;
                case "querystring":
                    draft.Query.Add((member.LocationName ?? member.Name, Scalar(memberShape, value, header: false)));
                    break;
                case "header":
                    if (member.LocationName is "Content-Length" or "Expect") break;
                    draft.Headers.Add(new(member.LocationName ?? member.Name, Scalar(memberShape, value, header: true)));
                    break;
                case "headers":
                    foreach (var (key, entry) in (JsonObject)value)
                        draft.Headers.Add(new((member.LocationName ?? "x-amz-meta-") + key, entry?.ToString() ?? ""));
                    break;
                default:
                    if (shape.Payload != member.Name) break;
                    if (memberShape.Type == "blob")
                    {
                        draft.BlobBody = true;
                        var bytes = new byte[random.Next(0, 3000)];
                        random.NextBytes(bytes);
                        draft.Body = bytes;
                    }
                    else if (memberShape.Type == "string")
                    {
                        draft.Body = Encoding.UTF8.GetBytes(value.GetValue<string>());
                    }
                    else
                    {
                        var name = member.LocationName ?? memberShape.LocationName ?? member.Shape;
                        XNamespace ns = member.XmlNamespace ?? memberShape.XmlNamespace ?? Ns.NamespaceName;
                        draft.Xml = Element(model, ns, name, member.Shape, value);
                    }
                    break;
            }
        }
        if (draft.Xml is not null) draft.Body = Serialize(draft.Xml);
        return draft;
    }

    private static string Scalar(FuzzShape shape, JsonNode value, bool header) => shape.Type switch
    {
        "timestamp" => header
            ? DateTimeOffset.FromUnixTimeMilliseconds((long)(value.GetValue<double>() * 1000)).ToString("r", CultureInfo.InvariantCulture)
            : DateTimeOffset.FromUnixTimeMilliseconds((long)(value.GetValue<double>() * 1000)).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
        "boolean" => value.GetValue<bool>() ? "true" : "false",
        "list" => string.Join(",", ((JsonArray)value).Select(v => v?.ToString() ?? "")),
        _ => value is JsonValue v && v.TryGetValue<string>(out var s) ? s : value.ToJsonString(),
    };

    /// <summary>An XML element of a shape: structure members as children (lists flattened or wrapped), scalars as text.</summary>
    private static XElement Element(FuzzModel model, XNamespace ns, string name, string shapeName, JsonNode value)
    {
        var shape = model.Shape(shapeName);
        var element = new XElement(ns + name);
        switch (shape.Type)
        {
            case "structure":
                foreach (var member in shape.Members)
                {
                    if (member.Location is not null || !((JsonObject)value).TryGetPropertyValue(member.Name, out var child) || child is null) continue;
                    var childShape = model.Shape(member.Shape);
                    var childName = member.LocationName ?? member.Name;
                    if (childName.Contains(':', StringComparison.Ordinal)) continue; // an XML attribute (xsi:type), not an element
                    if (childShape.Type == "list")
                    {
                        var itemName = childShape.Member!.LocationName ?? "member";
                        if (member.Flattened || childShape.Flattened)
                        {
                            foreach (var item in (JsonArray)child)
                                if (item is not null) element.Add(Element(model, ns, childShape.Member.LocationName ?? childName, childShape.Member.Shape, item));
                        }
                        else
                        {
                            var wrapper = new XElement(ns + childName);
                            foreach (var item in (JsonArray)child)
                                if (item is not null) wrapper.Add(Element(model, ns, itemName, childShape.Member.Shape, item));
                            element.Add(wrapper);
                        }
                    }
                    else
                    {
                        element.Add(Element(model, ns, childName, member.Shape, child));
                    }
                }
                break;
            case "timestamp":
                element.Value = DateTimeOffset.FromUnixTimeMilliseconds((long)(value.GetValue<double>() * 1000)).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
                break;
            case "boolean":
                element.Value = value.GetValue<bool>() ? "true" : "false";
                break;
            default:
                element.Value = value is JsonValue v && v.TryGetValue<string>(out var s) ? s : value.ToJsonString();
                break;
        }
        return element;
    }

    /// <summary>The document as an SDK sends it (UTF-8, no declaration); characters XML cannot hold are written as they are.</summary>
    public static byte[] Serialize(XElement root)
    {
        var text = new StringBuilder();
        using (var writer = XmlWriter.Create(text, new XmlWriterSettings { OmitXmlDeclaration = true, CheckCharacters = false, Encoding = Encoding.UTF8 }))
            root.WriteTo(writer);
        return Encoding.UTF8.GetBytes(text.ToString());
    }

    /// <summary>The request's path: <c>/bucket/key</c> with the key's slashes kept, each part percent-encoded.</summary>
    public static string Path(string bucket, string? key)
        => "/" + Nasty.PercentEncode(bucket) + (key is null ? "" : "/" + Nasty.PercentEncode(key, keepSlash: true));

    public static string Md5(byte[] body) => Convert.ToBase64String(MD5.HashData(body));
}
