using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Citadel.Server.Protocols;

/// <summary>
/// A botocore service model (embedded), used to validate requests exactly as AWS does: required
/// members, string and blob lengths, numeric ranges, list sizes, enums and patterns, with AWS's
/// ValidationException message form. Type mismatches are SerializationException.
/// </summary>
public sealed class ServiceModel
{
    private readonly Dictionary<string, Shape> _shapes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string?> _inputs = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (string? Shape, string? Wrapper)> _outputs = new(StringComparer.Ordinal);

    /// <summary>A shape compiled from the model once, so validation does no JSON lookups.</summary>
    private sealed class Shape
    {
        public required string Type { get; init; }
        public List<(string Name, string Path, string Shape)> Members { get; } = [];
        public HashSet<string> Required { get; } = new(StringComparer.Ordinal);
        public long? Min { get; init; }
        public long? Max { get; init; }
        public HashSet<string>? Enum { get; init; }
        public string? EnumText { get; init; }
        public string? PatternText { get; init; }
        public Lazy<Regex?>? Pattern { get; init; }
        public string? Member { get; init; }
        public string? Key { get; init; }
        public string? Value { get; init; }
        public (string Code, int Status, bool Sender)? Error { get; init; }
    }

    private ServiceModel(JsonDocument document)
    {
        var root = document.RootElement;
        var metadata = root.GetProperty("metadata");
        TargetPrefix = metadata.TryGetProperty("targetPrefix", out var prefix) ? prefix.GetString() ?? "" : "";
        Protocol = metadata.GetProperty("protocol").GetString() ?? "json";
        XmlNamespace = metadata.TryGetProperty("xmlNamespace", out var ns) ? ns.GetString() : null;
        foreach (var operation in root.GetProperty("operations").EnumerateObject())
        {
            _inputs[operation.Name] = operation.Value.TryGetProperty("input", out var input) ? input.GetProperty("shape").GetString() : null;
            _outputs[operation.Name] = operation.Value.TryGetProperty("output", out var output)
                ? (output.GetProperty("shape").GetString(), output.TryGetProperty("resultWrapper", out var wrapper) ? wrapper.GetString() : null)
                : (null, null);
        }
        foreach (var entry in root.GetProperty("shapes").EnumerateObject())
        {
            var s = entry.Value;
            var enumValues = s.TryGetProperty("enum", out var e) ? e.EnumerateArray().Select(v => v.GetString()!).ToList() : null;
            var pattern = s.TryGetProperty("pattern", out var p) ? p.GetString() : null;
            var shape = new Shape
            {
                Type = s.GetProperty("type").GetString()!,
                Min = s.TryGetProperty("min", out var min) ? min.GetInt64() : null,
                Max = s.TryGetProperty("max", out var max) ? max.GetInt64() : null,
                Enum = enumValues?.ToHashSet(StringComparer.Ordinal),
                EnumText = enumValues is null ? null : string.Join(", ", enumValues),
                PatternText = pattern,
                Pattern = pattern is null ? null : new Lazy<Regex?>(() => CompilePattern(pattern)),
                Member = s.TryGetProperty("member", out var m) ? m.GetProperty("shape").GetString() : null,
                Key = s.TryGetProperty("key", out var k) ? k.GetProperty("shape").GetString() : null,
                Value = s.TryGetProperty("value", out var v) ? v.GetProperty("shape").GetString() : null,
                Error = s.TryGetProperty("error", out var error) && error.TryGetProperty("code", out var code)
                    ? (code.GetString()!, error.TryGetProperty("httpStatusCode", out var status) ? status.GetInt32() : 400, error.TryGetProperty("senderFault", out var sender) && sender.GetBoolean())
                    : null,
            };
            if (s.TryGetProperty("members", out var members))
                foreach (var member in members.EnumerateObject())
                    shape.Members.Add((member.Name, char.ToLowerInvariant(member.Name[0]) + member.Name[1..], member.Value.GetProperty("shape").GetString()!));
            if (s.TryGetProperty("required", out var required))
                foreach (var name in required.EnumerateArray()) shape.Required.Add(name.GetString()!);
            _shapes[entry.Name] = shape;
        }
    }

    /// <summary>The X-Amz-Target prefix of the JSON protocol.</summary>
    public string TargetPrefix { get; }

    /// <summary>Loads an embedded model (Models/&lt;name&gt;.json.gz).</summary>
    public static ServiceModel Load(string name)
    {
        var assembly = typeof(ServiceModel).Assembly;
        using var stream = assembly.GetManifestResourceStream($"Citadel.Server.Models.{name}.json.gz")
            ?? throw new InvalidOperationException($"Service model {name} is not embedded.");
        using var gzip = new GZipStream(stream, CompressionMode.Decompress);
        return new ServiceModel(JsonDocument.Parse(gzip));
    }

    /// <summary>The protocol: json, query, rest-xml, rest-json, ec2.</summary>
    public string Protocol { get; }

    /// <summary>The XML namespace of query-protocol responses.</summary>
    public string? XmlNamespace { get; }

    /// <summary>The output shape and result wrapper element of an operation.</summary>
    public (string? Shape, string? Wrapper) Output(string operation) => _outputs.GetValueOrDefault(operation);

    /// <summary>The wire code, HTTP status and fault side of an error shape, when the model declares them.</summary>
    public (string Code, int Status, bool Sender)? ErrorOf(string shapeName) => _shapes.TryGetValue(shapeName, out var shape) ? shape.Error : null;

    /// <summary>A shape's type (structure, list, map, string, ...).</summary>
    internal string ShapeType(string shapeName) => _shapes[shapeName].Type;

    /// <summary>A structure's members: wire name and shape.</summary>
    internal IEnumerable<(string Name, string Shape)> MembersOf(string shapeName) => _shapes[shapeName].Members.Select(m => (m.Name, m.Shape));

    /// <summary>A list's member shape.</summary>
    internal string ListMember(string shapeName) => _shapes[shapeName].Member!;

    /// <summary>A map's key and value shapes.</summary>
    internal (string Key, string Value) MapEntry(string shapeName) => (_shapes[shapeName].Key!, _shapes[shapeName].Value!);

    /// <summary>Whether the model has the operation.</summary>
    public bool HasOperation(string name) => _inputs.ContainsKey(name);

    /// <summary>The input shape name of an operation, or null when it has none.</summary>
    public string? InputShape(string operation) => _inputs.GetValueOrDefault(operation);

    /// <summary>Validates a request body; returns null when valid, else the error type and message.</summary>
    public (string Type, string Message)? Validate(string operation, JsonElement body)
    {
        var shape = InputShape(operation);
        if (shape is null) return null;
        if (body.ValueKind != JsonValueKind.Object)
            return ("SerializationException", "Start of structure or map found where not expected.");
        var errors = new List<string>();
        try
        {
            ValidateStructure(shape, body, "", errors);
        }
        catch (SerializationError e)
        {
            return ("SerializationException", e.Message);
        }
        if (errors.Count == 0) return null;
        var count = errors.Count == 1 ? "1 validation error detected: " : $"{errors.Count} validation errors detected: ";
        return ("ValidationException", count + string.Join("; ", errors));
    }

    private sealed class SerializationError(string message) : Exception(message);

    private void ValidateStructure(string shapeName, JsonElement value, string path, List<string> errors)
    {
        var shape = _shapes[shapeName];
        foreach (var name in shape.Required)
        {
            if (!value.TryGetProperty(name, out var present) || present.ValueKind == JsonValueKind.Null)
                errors.Add($"Value null at '{Join(path, char.ToLowerInvariant(name[0]) + name[1..])}' failed to satisfy constraint: Member must not be null");
        }
        foreach (var (name, camel, memberShape) in shape.Members)
        {
            if (!value.TryGetProperty(name, out var memberValue) || memberValue.ValueKind == JsonValueKind.Null) continue;
            ValidateValue(memberShape, memberValue, Join(path, camel), errors);
        }
    }

    private void ValidateValue(string shapeName, JsonElement value, string path, List<string> errors)
    {
        var shape = _shapes[shapeName];
        switch (shape.Type)
        {
            case "structure":
                Expect(value, JsonValueKind.Object, "Start of structure or map found where not expected.");
                ValidateStructure(shapeName, value, path, errors);
                break;
            case "list":
                Expect(value, JsonValueKind.Array, "Start of list found where not expected");
                CheckLength(shape, value.GetArrayLength(), value, path, errors);
                var index = 1;
                foreach (var item in value.EnumerateArray())
                {
                    // A null item would reach the operation as a null element: refused, as a missing required member is.
                    if (item.ValueKind == JsonValueKind.Null) errors.Add($"Value null at '{path}.{index}.member' failed to satisfy constraint: Member must not be null");
                    else ValidateValue(shape.Member!, item, $"{path}.{index}.member", errors);
                    index++;
                }
                break;
            case "map":
                Expect(value, JsonValueKind.Object, "Start of structure or map found where not expected.");
                var count = 0;
                foreach (var entry in value.EnumerateObject())
                {
                    count++;
                    ValidateString(_shapes[shape.Key!], entry.Name, path, errors);
                    if (entry.Value.ValueKind == JsonValueKind.Null)
                    {
                        errors.Add($"Value null at '{path}' failed to satisfy constraint: Map value must not be null");
                        continue;
                    }
                    ValidateValue(shape.Value!, entry.Value, path, errors);
                }
                CheckLength(shape, count, value, path, errors);
                break;
            case "string":
                if (value.ValueKind != JsonValueKind.String)
                    throw new SerializationError($"{Describe(value)} can not be converted to a String");
                ValidateString(shape, value.GetString()!, path, errors);
                break;
            case "blob":
                if (value.ValueKind != JsonValueKind.String)
                    throw new SerializationError($"{Describe(value)} can not be converted to a Blob");
                if (!value.TryGetBytesFromBase64(out var bytes))
                    throw new SerializationError("Base64 encoded value is not valid.");
                CheckLength(shape, bytes.Length, value, path, errors, blob: true);
                break;
            case "integer" or "long":
                if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt64(out var number))
                    throw new SerializationError($"{Describe(value)} can not be converted to an Integer");
                if (shape.Min is { } min && number < min)
                    errors.Add($"Value '{number}' at '{path}' failed to satisfy constraint: Member must have value greater than or equal to {min}");
                if (shape.Max is { } max && number > max)
                    errors.Add($"Value '{number}' at '{path}' failed to satisfy constraint: Member must have value less than or equal to {max}");
                break;
            case "boolean":
                if (value.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
                    throw new SerializationError($"{Describe(value)} can not be converted to a Boolean");
                break;
            case "timestamp":
                if (value.ValueKind != JsonValueKind.Number)
                    throw new SerializationError($"{Describe(value)} can not be converted to a Timestamp");
                break;
            default:
                break;
        }
    }

    private static void ValidateString(Shape shape, string text, string path, List<string> errors)
    {
        if (shape.Min is not null || shape.Max is not null)
        {
            // Text elements (a surrogate pair or "\r\n" counts once); ASCII without CR has one per char, and counting
            // them the long way is a measurable share of a small request.
            var length = Ascii.IsValid(text) && !text.Contains('\r', StringComparison.Ordinal) ? text.Length : new StringInfo(text).LengthInTextElements;
            if (shape.Min is { } min && length < min)
                errors.Add($"Value '{Truncate(text)}' at '{path}' failed to satisfy constraint: Member must have length greater than or equal to {min}");
            if (shape.Max is { } max && length > max)
                errors.Add($"Value '{Truncate(text)}' at '{path}' failed to satisfy constraint: Member must have length less than or equal to {max}");
        }
        if (shape.Enum is not null && !shape.Enum.Contains(text))
            errors.Add($"Value '{text}' at '{path}' failed to satisfy constraint: Member must satisfy enum value set: [{shape.EnumText}]");
        else if (shape.Pattern?.Value is { } regex && !regex.IsMatch(text))
            errors.Add($"Value '{Truncate(text)}' at '{path}' failed to satisfy constraint: Member must satisfy regular expression pattern: {shape.PatternText}");
    }

    // Some model patterns use Java's surrogate-pair syntax that .NET cannot express; those are not enforced
    // (they only admit every valid Unicode character, which a .NET string already is).
    private static Regex? CompilePattern(string pattern)
    {
        try
        {
            // AWS matches model patterns against the whole value (Java's matches()), anchored or not.
            return new Regex(@"\A(?:" + pattern + @")\z", RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(100));
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    private static void CheckLength(Shape shape, int length, JsonElement value, string path, List<string> errors, bool blob = false)
    {
        // AWS names the value for lists and maps, and leaves it out for blobs.
        var shown = blob ? "" : value.ValueKind == JsonValueKind.Array ? "'[...]' " : "'{...}' ";
        if (shape.Min is { } min && length < min)
            errors.Add($"Value {shown}at '{path}' failed to satisfy constraint: Member must have length greater than or equal to {min}");
        if (shape.Max is { } max && length > max)
            errors.Add($"Value {shown}at '{path}' failed to satisfy constraint: Member must have length less than or equal to {max}");
    }

    private static string Truncate(string text) => text.Length > 64 ? text[..61] + "..." : text;

    private static void Expect(JsonElement value, JsonValueKind kind, string message)
    {
        if (value.ValueKind != kind) throw new SerializationError(message);
    }

    private static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => "STRING_VALUE",
        JsonValueKind.Number => "NUMBER_VALUE",
        JsonValueKind.True or JsonValueKind.False => "BOOLEAN_VALUE",
        JsonValueKind.Array => "START_ARRAY",
        JsonValueKind.Object => "START_OBJECT",
        _ => "VALUE",
    };

    private static string Join(string path, string camel) => path.Length == 0 ? camel : path + "." + camel;
}
