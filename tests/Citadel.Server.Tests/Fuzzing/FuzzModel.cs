using System.IO.Compression;
using System.Text.Json;
using Citadel.Server.Protocols;

namespace Citadel.Server.Tests.Fuzzing;

/// <summary>A member of a structure shape: its shape and, for rest-xml, where it travels.</summary>
internal sealed record FuzzMember(string Name, string Shape, string? Location, string? LocationName, bool Flattened, string? XmlNamespace);

/// <summary>One shape of a botocore model, with the constraints the generators respect (or break on purpose).</summary>
internal sealed class FuzzShape
{
    public required string Name { get; init; }
    public required string Type { get; init; }
    public List<FuzzMember> Members { get; } = [];
    public HashSet<string> Required { get; } = new(StringComparer.Ordinal);
    public long? Min { get; init; }
    public long? Max { get; init; }
    public List<string>? Enum { get; init; }
    public string? Pattern { get; init; }
    public FuzzMember? Member { get; init; }
    public FuzzMember? Key { get; init; }
    public FuzzMember? Value { get; init; }
    public bool Flattened { get; init; }
    public string? Payload { get; init; }
    public string? LocationName { get; init; }
    public string? XmlNamespace { get; init; }
    public bool Streaming { get; init; }
}

/// <summary>An operation of a model: its HTTP binding (rest-xml) and input shape.</summary>
internal sealed record FuzzOperation(string Name, string Method, string RequestUri, string? Input, string? InputLocationName, string? InputXmlNamespace);

/// <summary>
/// The botocore service models the generators build requests from: the server's own embedded copies (kms, cloudtrail,
/// iam, sts) and, for S3, the subset of botocore's model this test project carries (S3Model.json, see extract-s3-model.py).
/// </summary>
internal sealed class FuzzModel
{
    public required string Service { get; init; }
    public required string Protocol { get; init; }
    public string TargetPrefix { get; init; } = "";
    public string ApiVersion { get; init; } = "";
    public Dictionary<string, FuzzShape> Shapes { get; } = new(StringComparer.Ordinal);
    public Dictionary<string, FuzzOperation> Operations { get; } = new(StringComparer.Ordinal);

    public FuzzShape Shape(string name) => Shapes[name];

    private static readonly Dictionary<string, FuzzModel> Loaded = [];

    public static FuzzModel Load(string service)
    {
        lock (Loaded)
        {
            if (Loaded.TryGetValue(service, out var known)) return known;
            var model = service == "s3" ? LoadS3() : LoadEmbedded(service);
            Loaded[service] = model;
            return model;
        }
    }

    private static FuzzModel LoadEmbedded(string service)
    {
        using var stream = typeof(ServiceModel).Assembly.GetManifestResourceStream($"Citadel.Server.Models.{service}.json.gz")
            ?? throw new InvalidOperationException($"The server embeds no model for {service}.");
        using var gzip = new GZipStream(stream, CompressionMode.Decompress);
        using var document = JsonDocument.Parse(gzip);
        var root = document.RootElement;
        var metadata = root.GetProperty("metadata");
        var model = new FuzzModel
        {
            Service = service,
            Protocol = metadata.GetProperty("protocol").GetString()!,
            TargetPrefix = metadata.TryGetProperty("targetPrefix", out var prefix) ? prefix.GetString()! : "",
            ApiVersion = metadata.GetProperty("apiVersion").GetString()!,
        };
        foreach (var operation in root.GetProperty("operations").EnumerateObject())
        {
            var http = operation.Value.GetProperty("http");
            model.Operations[operation.Name] = new FuzzOperation(operation.Name, http.GetProperty("method").GetString()!, http.GetProperty("requestUri").GetString()!,
                operation.Value.TryGetProperty("input", out var input) ? input.GetProperty("shape").GetString() : null, null, null);
        }
        ReadShapes(model, root.GetProperty("shapes"));
        return model;
    }

    private static FuzzModel LoadS3()
    {
        using var stream = typeof(FuzzModel).Assembly.GetManifestResourceStream("Citadel.Server.Tests.Fuzzing.S3Model.json")
            ?? throw new InvalidOperationException("S3Model.json is not embedded.");
        using var document = JsonDocument.Parse(stream);
        var root = document.RootElement;
        var model = new FuzzModel { Service = "s3", Protocol = "rest-xml", ApiVersion = "2006-03-01" };
        foreach (var operation in root.GetProperty("operations").EnumerateObject())
        {
            var o = operation.Value;
            model.Operations[operation.Name] = new FuzzOperation(operation.Name, o.GetProperty("method").GetString()!, o.GetProperty("requestUri").GetString()!,
                o.TryGetProperty("input", out var input) ? input.GetString() : null,
                o.TryGetProperty("inputLocationName", out var location) ? location.GetString() : null,
                o.TryGetProperty("inputXmlNamespace", out var ns) ? ns.GetString() : null);
        }
        ReadShapes(model, root.GetProperty("shapes"));
        return model;
    }

    private static void ReadShapes(FuzzModel model, JsonElement shapes)
    {
        foreach (var entry in shapes.EnumerateObject())
        {
            var s = entry.Value;
            var shape = new FuzzShape
            {
                Name = entry.Name,
                Type = s.GetProperty("type").GetString()!,
                Min = s.TryGetProperty("min", out var min) ? (long)min.GetDouble() : null,
                Max = s.TryGetProperty("max", out var max) ? (long)Math.Min(max.GetDouble(), long.MaxValue / 2.0) : null,
                Enum = s.TryGetProperty("enum", out var e) ? e.EnumerateArray().Select(v => v.GetString()!).ToList() : null,
                Pattern = s.TryGetProperty("pattern", out var p) ? p.GetString() : null,
                Member = s.TryGetProperty("member", out var m) ? ReadMember("member", m) : null,
                Key = s.TryGetProperty("key", out var k) ? ReadMember("key", k) : null,
                Value = s.TryGetProperty("value", out var v) ? ReadMember("value", v) : null,
                Flattened = s.TryGetProperty("flattened", out var flat) && flat.GetBoolean(),
                Payload = s.TryGetProperty("payload", out var payload) ? payload.GetString() : null,
                LocationName = s.TryGetProperty("locationName", out var ln) ? ln.GetString() : null,
                XmlNamespace = s.TryGetProperty("xmlNamespace", out var xn) ? (xn.ValueKind == JsonValueKind.String ? xn.GetString() : xn.GetProperty("uri").GetString()) : null,
                Streaming = s.TryGetProperty("streaming", out var streaming) && streaming.GetBoolean(),
            };
            if (s.TryGetProperty("members", out var members))
                foreach (var member in members.EnumerateObject()) shape.Members.Add(ReadMember(member.Name, member.Value));
            if (s.TryGetProperty("required", out var required))
                foreach (var name in required.EnumerateArray()) shape.Required.Add(name.GetString()!);
            model.Shapes[entry.Name] = shape;
        }
    }

    private static FuzzMember ReadMember(string name, JsonElement spec) => new(
        name,
        spec.GetProperty("shape").GetString()!,
        spec.TryGetProperty("location", out var location) ? location.GetString() : null,
        spec.TryGetProperty("locationName", out var locationName) ? locationName.GetString() : null,
        spec.TryGetProperty("flattened", out var flattened) && flattened.GetBoolean(),
        spec.TryGetProperty("xmlNamespace", out var ns) ? (ns.ValueKind == JsonValueKind.String ? ns.GetString() : ns.GetProperty("uri").GetString()) : null);
}
