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
    private readonly JsonElement _shapes;
    private readonly JsonElement _operations;
    private readonly Dictionary<string, Regex> _patterns = new(StringComparer.Ordinal);

    private ServiceModel(JsonDocument document)
    {
        _shapes = document.RootElement.GetProperty("shapes");
        _operations = document.RootElement.GetProperty("operations");
        TargetPrefix = document.RootElement.GetProperty("metadata").GetProperty("targetPrefix").GetString() ?? "";
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

    /// <summary>Whether the model has the operation.</summary>
    public bool HasOperation(string name) => _operations.TryGetProperty(name, out _);

    /// <summary>The input shape name of an operation, or null when it has none.</summary>
    public string? InputShape(string operation)
        => _operations.GetProperty(operation).TryGetProperty("input", out var input) ? input.GetProperty("shape").GetString() : null;

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
        var shape = _shapes.GetProperty(shapeName);
        var members = shape.GetProperty("members");
        if (shape.TryGetProperty("required", out var required))
        {
            foreach (var name in required.EnumerateArray().Select(r => r.GetString()!))
            {
                if (!value.TryGetProperty(name, out var present) || present.ValueKind == JsonValueKind.Null)
                    errors.Add($"Value null at '{Join(path, name)}' failed to satisfy constraint: Member must not be null");
            }
        }
        foreach (var member in members.EnumerateObject())
        {
            if (!value.TryGetProperty(member.Name, out var memberValue) || memberValue.ValueKind == JsonValueKind.Null) continue;
            ValidateValue(member.Value.GetProperty("shape").GetString()!, memberValue, Join(path, member.Name), errors);
        }
    }

    private void ValidateValue(string shapeName, JsonElement value, string path, List<string> errors)
    {
        var shape = _shapes.GetProperty(shapeName);
        var type = shape.GetProperty("type").GetString();
        switch (type)
        {
            case "structure":
                Expect(value, JsonValueKind.Object, "Start of structure or map found where not expected.");
                ValidateStructure(shapeName, value, path, errors);
                break;
            case "list":
                Expect(value, JsonValueKind.Array, "Start of list found where not expected");
                CheckLength(shape, value.GetArrayLength(), value, path, errors);
                var memberShape = shape.GetProperty("member").GetProperty("shape").GetString()!;
                var index = 1;
                foreach (var item in value.EnumerateArray())
                {
                    if (item.ValueKind != JsonValueKind.Null) ValidateValue(memberShape, item, $"{path}.{index}.member", errors);
                    index++;
                }
                break;
            case "map":
                Expect(value, JsonValueKind.Object, "Start of structure or map found where not expected.");
                CheckLength(shape, value.EnumerateObject().Count(), value, path, errors);
                var keyShape = shape.GetProperty("key").GetProperty("shape").GetString()!;
                var valueShape = shape.GetProperty("value").GetProperty("shape").GetString()!;
                foreach (var entry in value.EnumerateObject())
                {
                    using var keyDoc = JsonDocument.Parse(JsonSerializer.Serialize(entry.Name));
                    ValidateValue(keyShape, keyDoc.RootElement, path, errors);
                    if (entry.Value.ValueKind == JsonValueKind.Null) continue;
                    ValidateValue(valueShape, entry.Value, path, errors);
                }
                break;
            case "string":
                if (value.ValueKind != JsonValueKind.String)
                    throw new SerializationError($"{Describe(value)} can not be converted to a String");
                var text = value.GetString()!;
                CheckLength(shape, new StringInfo(text).LengthInTextElements, value, path, errors);
                if (shape.TryGetProperty("enum", out var values) && !values.EnumerateArray().Any(v => v.GetString() == text))
                    errors.Add($"Value '{text}' at '{path}' failed to satisfy constraint: Member must satisfy enum value set: [{string.Join(", ", values.EnumerateArray().Select(v => v.GetString()))}]");
                else if (shape.TryGetProperty("pattern", out var pattern) && !Pattern(pattern.GetString()!).IsMatch(text))
                    errors.Add($"Value '{text}' at '{path}' failed to satisfy constraint: Member must satisfy regular expression pattern: {pattern.GetString()}");
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
                if (shape.TryGetProperty("min", out var min) && number < min.GetInt64())
                    errors.Add($"Value '{number}' at '{path}' failed to satisfy constraint: Member must have value greater than or equal to {min.GetInt64()}");
                if (shape.TryGetProperty("max", out var max) && number > max.GetInt64())
                    errors.Add($"Value '{number}' at '{path}' failed to satisfy constraint: Member must have value less than or equal to {max.GetInt64()}");
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

    private static void CheckLength(JsonElement shape, int length, JsonElement value, string path, List<string> errors, bool blob = false)
    {
        // AWS names the value for strings and lists, and leaves it out for blobs.
        var shown = blob ? "" : value.ValueKind == JsonValueKind.String ? $"'{Truncate(value.GetString()!)}' " : "'[...]' ";
        if (shape.TryGetProperty("min", out var min) && length < min.GetInt64())
            errors.Add($"Value {shown}at '{path}' failed to satisfy constraint: Member must have length greater than or equal to {min.GetInt64()}");
        if (shape.TryGetProperty("max", out var max) && length > max.GetInt64())
            errors.Add($"Value {shown}at '{path}' failed to satisfy constraint: Member must have length less than or equal to {max.GetInt64()}");
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

    private Regex Pattern(string pattern)
    {
        lock (_patterns)
        {
            if (!_patterns.TryGetValue(pattern, out var regex))
            {
                regex = new Regex(pattern, RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(100));
                _patterns[pattern] = regex;
            }
            return regex;
        }
    }

    private static string Join(string path, string member)
    {
        var camel = new StringBuilder(member);
        camel[0] = char.ToLowerInvariant(camel[0]);
        return path.Length == 0 ? camel.ToString() : path + "." + camel;
    }
}
