using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace Citadel.Server.Tests.Fuzzing;

/// <summary>
/// Query-protocol cases (IAM, STS): a valid request of one operation, flattened to form parameters as the SDKs do
/// (<c>Name</c>, <c>List.member.N</c>, <c>Map.entry.N.key</c>), then broken: hostile values (bytes that are not
/// UTF-8 behind percent escapes, broken escapes, 1e300 where a number goes, bad timestamps), odd parameter names and
/// list indexes, Action and Version missing or repeated, parameters in the URL instead of the body, other content types.
/// </summary>
internal static class QueryCases
{
    public static FuzzRequest Generate(string service, IReadOnlyList<string> served, FuzzFixtures fixtures, Random random)
    {
        var model = FuzzModel.Load(service);
        var operations = random.Next(25) == 0 ? model.Operations.Keys.Order(StringComparer.Ordinal).ToList() : served;
        var operation = model.Operations[Nasty.Pick(random, operations)];
        var input = new ValueGenerator(model, fixtures, random).Input(operation.Input);
        var parameters = new List<(string Name, string Value)> { ("Action", operation.Name), ("Version", model.ApiVersion) };
        if (operation.Input is not null) Flatten(model, operation.Input, input, "", parameters);
        var request = new FuzzRequest { Generator = $"{service}.{operation.Name}", Service = service, ExpectedShapeName = "query" };
        var inUrl = false;
        var contentType = "application/x-www-form-urlencoded; charset=utf-8";
        var encoded = parameters.Select(p => (Name: Encode(p.Name), Value: Encode(p.Value))).ToList();
        var roll = random.Next(100);
        if (roll < 8) request.Mutated("none");
        else if (roll < 55) MutateValue(model, operation.Input, encoded, random, request.Mutations);
        else if (roll < 75) MutateNames(encoded, random, request.Mutations);
        else if (roll < 85)
        {
            switch (random.Next(4))
            {
                case 0:
                    inUrl = true;
                    request.Method = random.Next(2) == 0 ? "GET" : "POST";
                    request.Mutated("parameters in the URL, " + request.Method);
                    break;
                case 1:
                    contentType = Nasty.Pick(random, new[] { "", "text/plain", "application/json", "application/x-www-form-urlencoded; charset=latin1", "multipart/form-data; boundary=x", "APPLICATION/X-WWW-FORM-URLENCODED" });
                    request.Mutated($"content-type '{contentType}'");
                    break;
                case 2:
                    request.Query = string.Join('&', encoded.Take(2).Select(p => p.Name + "=" + (random.Next(2) == 0 ? p.Value : "Other")));
                    request.Mutated("Action and Version in the URL too");
                    break;
                default:
                    request.Method = Nasty.Pick(random, new[] { "PUT", "DELETE", "PATCH" });
                    request.Mutated("method " + request.Method);
                    break;
            }
        }
        var form = string.Join('&', encoded.Select(p => p.Value is null ? p.Name : p.Name + "=" + p.Value));
        var body = Encoding.UTF8.GetBytes(form);
        if (roll >= 85 && roll < 93)
        {
            body = random.Next(2) == 0 ? JsonMutator.CorruptBytes(body, random, request.Mutations) : Encoding.UTF8.GetBytes(form + "&" + new string('a', 1 << 20));
            if (request.Mutations.Count == 0) request.Mutated("body over 1 MiB");
        }
        else if (roll >= 93)
        {
            request.Mutated("whole body");
            body = Encoding.UTF8.GetBytes(Nasty.Pick(random, new[] { "", "&", "=", "&&&=&", "Action", "Action=", "{\"Action\":\"ListUsers\"}", "<Action>ListUsers</Action>", new string('&', 100_000) }));
        }
        if (inUrl)
        {
            request.Query = form;
            body = [];
        }
        request.Body = body;
        if (contentType.Length > 0) request.Headers.Add(new("Content-Type", contentType));
        if (random.Next(12) == 0)
        {
            request.Framing = BodyFraming.Chunked;
            request.Mutated("transfer-encoding chunked");
        }
        return request;
    }

    private static string Encode(string text) => Nasty.PercentEncode(text);

    /// <summary>The query protocol's flattening of a JSON input (what the server's QueryProtocol.ToJson reverses).</summary>
    public static void Flatten(FuzzModel model, string shapeName, JsonNode? node, string prefix, List<(string, string)> parameters)
    {
        if (node is null) return;
        var shape = model.Shape(shapeName);
        switch (shape.Type)
        {
            case "structure":
                foreach (var member in shape.Members)
                    if (((JsonObject)node).TryGetPropertyValue(member.Name, out var value))
                        Flatten(model, member.Shape, value, prefix.Length == 0 ? member.Name : prefix + "." + member.Name, parameters);
                break;
            case "list":
                var items = (JsonArray)node;
                if (items.Count == 0) parameters.Add((prefix, ""));
                for (var i = 0; i < items.Count; i++) Flatten(model, shape.Member!.Shape, items[i], $"{prefix}.member.{i + 1}", parameters);
                break;
            case "map":
                var n = 1;
                foreach (var (key, value) in (JsonObject)node)
                {
                    parameters.Add(($"{prefix}.entry.{n}.key", key));
                    Flatten(model, shape.Value!.Shape, value, $"{prefix}.entry.{n}.value", parameters);
                    n++;
                }
                break;
            case "timestamp":
                parameters.Add((prefix, DateTimeOffset.FromUnixTimeMilliseconds((long)(node.GetValue<double>() * 1000)).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)));
                break;
            case "boolean":
                parameters.Add((prefix, node.GetValue<bool>() ? "true" : "false"));
                break;
            default:
                parameters.Add((prefix, node is JsonValue v && v.TryGetValue<string>(out var s) ? s : node.ToJsonString()));
                break;
        }
    }

    private static void MutateValue(FuzzModel model, string? input, List<(string Name, string Value)> parameters, Random random, List<string> mutations)
    {
        // Prefer a parameter of the input, sometimes Action or Version, sometimes a member not sent yet.
        var index = parameters.Count > 2 && random.Next(6) != 0 ? random.Next(2, parameters.Count) : random.Next(parameters.Count);
        if (input is not null && random.Next(5) == 0)
        {
            var members = model.Shape(input).Members;
            if (members.Count > 0)
            {
                parameters.Add((Encode(Nasty.Pick(random, members).Name), ""));
                index = parameters.Count - 1;
            }
        }
        var value = random.Next(7) switch
        {
            0 => Nasty.BadPercent(random),
            1 => Encode(Nasty.Pick(random, Nasty.Numbers)),
            2 => Encode(Nasty.Pick(random, new[] { "garbage", "9999-99-99T99:99:99Z", "0001-01-01T00:00:00Z", "10000-01-01T00:00:00Z", "1e300", "-62135596801", "2024-02-30", "T", "yes", "TRUE", "1" })),
            3 => Encode(Nasty.Long(random)),
            4 => Nasty.Pick(random, new[] { "+", "%2B", "a+b%20c", "%25", "%", "%C3%A9" }),
            _ => Encode(Nasty.String(random)),
        };
        mutations.Add($"{Uri.UnescapeDataString(parameters[index].Name)} = {(value.Length > 40 ? value[..40] + "..." : value)}");
        parameters[index] = (parameters[index].Name, value);
    }

    private static void MutateNames(List<(string Name, string Value)> parameters, Random random, List<string> mutations)
    {
        switch (random.Next(9))
        {
            case 0:
                parameters.RemoveAt(random.Next(2));
                mutations.Add("without Action or Version");
                break;
            case 1:
                parameters.Add(("Action", Nasty.Pick(random, new[] { "ListUsers", "", "AssumeRole", "listusers", "Encrypt", "%00" })));
                mutations.Add("second Action");
                break;
            case 2:
                parameters[0] = ("action", parameters[0].Value);
                mutations.Add("action in lower case");
                break;
            case 3:
                // List indexes: zero, negative, huge, a gap, nested members.
                var member = parameters.FindIndex(p => p.Name.Contains(".member.", StringComparison.Ordinal));
                var suffix = Nasty.Pick(random, new[] { "0", "-1", "99999999999999999999", "2147483648", "1.member.1", "a", "", "1e3" });
                if (member >= 0)
                {
                    var name = parameters[member].Name;
                    parameters[member] = (name[..(name.LastIndexOf(".member.", StringComparison.Ordinal) + 8)] + suffix, parameters[member].Value);
                }
                else
                {
                    parameters.Add(("Tags.member." + suffix + ".Key", "k"));
                }
                mutations.Add("list index " + suffix);
                break;
            case 4:
                parameters.Add(("Tags.member.5000.Key", "k"));
                parameters.AddRange(Enumerable.Range(1, 3000).Select(i => ($"Tags.member.{i}.Key", "k" + i)));
                mutations.Add("3000 list members");
                break;
            case 5:
                parameters.Add(("Map.entry.1.value", "v"));
                parameters.Add(("Tags.entry.1.key", Nasty.BadPercent(random)));
                mutations.Add("map entries without keys");
                break;
            case 6:
                parameters.Add((Nasty.Pick(random, new[] { "", ".", "..", "a.b.c.d.e.f.g", new string('N', 70_000), "%ED%A0%80", "%00", "Policy.member.1" }), "x"));
                mutations.Add("odd parameter name");
                break;
            case 7:
                parameters.Add(("Flag", null!));
                parameters.Add(("=", "="));
                mutations.Add("parameter without '='");
                break;
            default:
                for (var i = 0; i < 3; i++) parameters.Add(parameters[random.Next(parameters.Count)]);
                mutations.Add("parameters repeated");
                break;
        }
    }
}
