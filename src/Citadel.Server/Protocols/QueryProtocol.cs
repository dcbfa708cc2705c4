using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace Citadel.Server.Protocols;

/// <summary>
/// The AWS <c>query</c> protocol (IAM, STS): form-encoded parameters in, XML out. Parameters are turned
/// into the same JSON shape the JSON protocol binds, driven by the service model, so validation and the
/// operations are shared; responses go back from JSON to XML by the output shape.
/// </summary>
public static class QueryProtocol
{
    /// <summary>The parameters of a query request: the form body and the URL query together.</summary>
    public static Dictionary<string, string> Parameters(string rawQuery, byte[] body, string? contentType)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        void Add(string text)
        {
            foreach (var pair in text.Split('&', StringSplitOptions.RemoveEmptyEntries))
            {
                var eq = pair.IndexOf('=', StringComparison.Ordinal);
                var key = Uri.UnescapeDataString((eq < 0 ? pair : pair[..eq]).Replace('+', ' '));
                result[key] = eq < 0 ? "" : Uri.UnescapeDataString(pair[(eq + 1)..].Replace('+', ' '));
            }
        }
        Add(rawQuery);
        if (body.Length > 0 && (contentType is null || contentType.StartsWith("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase)))
            Add(Encoding.UTF8.GetString(body));
        return result;
    }

    /// <summary>Builds the JSON request of an operation from query parameters (<c>Name</c>, <c>List.member.N</c>, <c>Map.entry.N.key</c>).</summary>
    public static JsonObject ToJson(ServiceModel model, string? inputShape, IReadOnlyDictionary<string, string> parameters)
        => inputShape is null ? [] : (JsonObject)Structure(model, inputShape, parameters, "")!;

    private static JsonNode? Structure(ServiceModel model, string shape, IReadOnlyDictionary<string, string> parameters, string prefix)
    {
        var result = new JsonObject();
        foreach (var (name, memberShape) in model.MembersOf(shape))
        {
            var value = Value(model, memberShape, parameters, prefix + name);
            if (value is not null) result[name] = value;
        }
        return result.Count == 0 && prefix.Length > 0 ? null : result;
    }

    private static JsonNode? Value(ServiceModel model, string shape, IReadOnlyDictionary<string, string> parameters, string key)
    {
        switch (model.ShapeType(shape))
        {
            case "structure":
                return Structure(model, shape, parameters, key + ".");
            case "list":
                var items = new JsonArray();
                for (var i = 1; ; i++)
                {
                    var item = Value(model, model.ListMember(shape), parameters, $"{key}.member.{i}");
                    if (item is null) break;
                    items.Add(item);
                }
                // "List=" with no members is how the query protocol sends an empty list.
                return items.Count > 0 || parameters.ContainsKey(key) ? items : null;
            case "map":
                var map = new JsonObject();
                var (_, valueShape) = model.MapEntry(shape);
                for (var i = 1; parameters.TryGetValue($"{key}.entry.{i}.key", out var entryKey); i++)
                    map[entryKey] = Value(model, valueShape, parameters, $"{key}.entry.{i}.value");
                return map.Count > 0 ? map : null;
            default:
                if (!parameters.TryGetValue(key, out var text)) return null;
                return model.ShapeType(shape) switch
                {
                    "integer" or "long" => long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? JsonValue.Create(n) : JsonValue.Create(text),
                    "boolean" => text.Equals("true", StringComparison.OrdinalIgnoreCase) ? JsonValue.Create(true) : text.Equals("false", StringComparison.OrdinalIgnoreCase) ? JsonValue.Create(false) : JsonValue.Create(text),
                    "timestamp" => DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t) ? JsonValue.Create(t.ToUnixTimeMilliseconds() / 1000.0) : JsonValue.Create(text),
                    _ => JsonValue.Create(text),
                };
        }
    }

    /// <summary>The XML response of an operation: <c>&lt;OpResponse&gt;&lt;OpResult&gt;...&lt;/OpResult&gt;&lt;ResponseMetadata/&gt;&lt;/OpResponse&gt;</c>.</summary>
    public static string ToXml(ServiceModel model, string operation, JsonNode? response, string requestId)
    {
        var xml = new StringBuilder();
        xml.Append(CultureInfo.InvariantCulture, $"<{operation}Response xmlns=\"{model.XmlNamespace}\">");
        var (shape, wrapper) = model.Output(operation);
        if (shape is not null && response is JsonObject body)
        {
            xml.Append(CultureInfo.InvariantCulture, $"<{wrapper ?? operation + "Result"}>");
            WriteMembers(model, shape, body, xml);
            xml.Append(CultureInfo.InvariantCulture, $"</{wrapper ?? operation + "Result"}>");
        }
        xml.Append(CultureInfo.InvariantCulture, $"<ResponseMetadata><RequestId>{requestId}</RequestId></ResponseMetadata></{operation}Response>");
        return xml.ToString();
    }

    /// <summary>The XML error of the query protocol.</summary>
    public static string ErrorXml(ServiceModel? model, string code, string message, bool senderFault, string requestId)
        => $"<ErrorResponse xmlns=\"{model?.XmlNamespace}\"><Error><Type>{(senderFault ? "Sender" : "Receiver")}</Type><Code>{Escape(code)}</Code><Message>{Escape(message)}</Message></Error><RequestId>{requestId}</RequestId></ErrorResponse>";

    private static void WriteMembers(ServiceModel model, string shape, JsonObject value, StringBuilder xml)
    {
        foreach (var (name, memberShape) in model.MembersOf(shape))
        {
            if (!value.TryGetPropertyValue(name, out var member) || member is null) continue;
            xml.Append('<').Append(name).Append('>');
            WriteValue(model, memberShape, member, xml);
            xml.Append("</").Append(name).Append('>');
        }
    }

    private static void WriteValue(ServiceModel model, string shape, JsonNode value, StringBuilder xml)
    {
        switch (model.ShapeType(shape))
        {
            case "structure":
                WriteMembers(model, shape, (JsonObject)value, xml);
                break;
            case "list":
                foreach (var item in (JsonArray)value)
                {
                    if (item is null) continue;
                    xml.Append("<member>");
                    WriteValue(model, model.ListMember(shape), item, xml);
                    xml.Append("</member>");
                }
                break;
            case "map":
                var (_, valueShape) = model.MapEntry(shape);
                foreach (var (key, entry) in (JsonObject)value)
                {
                    xml.Append("<entry><key>").Append(Escape(key)).Append("</key><value>");
                    if (entry is not null) WriteValue(model, valueShape, entry, xml);
                    xml.Append("</value></entry>");
                }
                break;
            case "timestamp":
                var seconds = value.GetValue<double>();
                xml.Append(DateTimeOffset.FromUnixTimeMilliseconds((long)Math.Round(seconds * 1000)).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
                break;
            case "boolean":
                xml.Append(value.GetValue<bool>() ? "true" : "false");
                break;
            default:
                xml.Append(Escape(value.ToString()));
                break;
        }
    }

    /// <summary>
    /// Text as XML character data, as S3's is (<see cref="XmlEscaping"/>: markup escaped, a carriage return as a reference
    /// so it survives), except that the characters XML 1.0 excludes become U+FFFD, so the document stays well-formed when
    /// a message echoes such a value back (ValidationError does).
    /// </summary>
    internal static string Escape(string text) => XmlEscaping.Escape(text, replaceExcluded: true);
}
