using System.Text;
using System.Text.Json.Nodes;

namespace Citadel.Server.Tests.Fuzzing;

/// <summary>
/// Breaks a valid JSON body in one or a few ways: a value replaced by a hostile fragment (wrong type, 1e300, lone
/// surrogate, bytes that are not UTF-8, deep nesting, a long string), members removed, added, renamed or repeated, or
/// the whole body replaced (empty, truncated, not JSON, another encoding). Fragments that no JSON tree can hold are
/// spliced into the serialized text at placeholders.
/// </summary>
internal static class JsonMutator
{
    private const string SlotMark = "__fuzz_slot_";

    public static byte[] Mutate(JsonObject input, IReadOnlyList<string> memberNames, Random random, List<string> mutations)
    {
        var kind = random.Next(100);
        if (kind < 50) return ReplaceValues(input, memberNames, random, mutations, random.Next(4) == 0 ? 2 : 1);
        if (kind < 70) return Structural(input, memberNames, random, mutations);
        if (kind < 90) return WholeBody(input, random, mutations);
        // Several at once.
        var once = ReplaceValues(input, memberNames, random, mutations, 1);
        return random.Next(2) == 0 ? CorruptBytes(once, random, mutations) : once;
    }

    /// <summary>Every place a value sits: object members, array items, plus a missing member of the top level.</summary>
    private static List<(JsonNode Parent, object Key)> Slots(JsonNode node)
    {
        var slots = new List<(JsonNode, object)>();
        void Walk(JsonNode current)
        {
            switch (current)
            {
                case JsonObject obj:
                    foreach (var (name, value) in obj.ToList())
                    {
                        slots.Add((obj, name));
                        if (value is not null) Walk(value);
                    }
                    break;
                case JsonArray array:
                    for (var i = 0; i < array.Count; i++)
                    {
                        slots.Add((array, i));
                        if (array[i] is { } item) Walk(item);
                    }
                    break;
            }
        }
        Walk(node);
        return slots;
    }

    private static byte[] ReplaceValues(JsonObject input, IReadOnlyList<string> memberNames, Random random, List<string> mutations, int count)
    {
        var fragments = new List<byte[]>();
        for (var n = 0; n < count; n++)
        {
            var slots = Slots(input);
            var fragment = Nasty.JsonFragment(random);
            var placeholder = JsonValue.Create(SlotMark + fragments.Count);
            fragments.Add(fragment);
            var preview = Preview(fragment);
            if (slots.Count == 0 || random.Next(5) == 0)
            {
                var name = memberNames.Count > 0 ? Nasty.Pick(random, memberNames) : "Fuzz";
                input[name] = placeholder;
                mutations.Add($"member {name} = {preview}");
            }
            else
            {
                var (parent, key) = Nasty.Pick(random, slots);
                if (parent is JsonObject obj && random.Next(8) == 0)
                {
                    // The member's name, not its value: a hostile key.
                    var value = obj[(string)key]?.DeepClone();
                    obj.Remove((string)key);
                    var keyFragment = random.Next(2) == 0 ? Nasty.InvalidUtf8JsonString(random) : Encoding.UTF8.GetBytes(Nasty.Pick(random, Nasty.JsonStrings));
                    fragments[^1] = keyFragment;
                    obj[SlotMark + (fragments.Count - 1)] = value;
                    mutations.Add($"name of {key} = {Preview(keyFragment)}");
                }
                else
                {
                    if (parent is JsonObject o) o[(string)key] = placeholder;
                    else ((JsonArray)parent)[(int)key] = placeholder;
                    mutations.Add($"{key} = {preview}");
                }
            }
        }
        return Splice(Encoding.UTF8.GetBytes(input.ToJsonString()), fragments);
    }

    private static string Preview(byte[] fragment)
        => fragment.Length > 40 ? $"{FuzzRequest.Escape(fragment, 24)} ({fragment.Length} bytes)" : FuzzRequest.Escape(fragment, 40);

    private static byte[] Splice(byte[] text, List<byte[]> fragments)
    {
        for (var i = fragments.Count - 1; i >= 0; i--)
        {
            var mark = Encoding.UTF8.GetBytes($"\"{SlotMark}{i}\"");
            var at = text.AsSpan().IndexOf(mark);
            if (at < 0) continue;
            text = [.. text.AsSpan(0, at), .. fragments[i], .. text.AsSpan(at + mark.Length)];
        }
        return text;
    }

    private static byte[] Structural(JsonObject input, IReadOnlyList<string> memberNames, Random random, List<string> mutations)
    {
        var names = input.Select(p => p.Key).ToList();
        switch (random.Next(5))
        {
            case 0 when names.Count > 0:
                var removed = Nasty.Pick(random, names);
                input.Remove(removed);
                mutations.Add("without " + removed);
                break;
            case 1:
                input["Fuzz" + random.Next(3)] = random.Next(2) == 0 ? "x" : new JsonObject { ["a"] = 1 };
                mutations.Add("unknown member");
                break;
            case 2 when names.Count > 0:
                var renamed = Nasty.Pick(random, names);
                var value = input[renamed]?.DeepClone();
                input.Remove(renamed);
                input[random.Next(2) == 0 ? renamed.ToLowerInvariant() : renamed.ToUpperInvariant()] = value;
                mutations.Add("case of " + renamed);
                break;
            case 3 when names.Count > 0:
                // A member given twice, the second time with another value.
                var twice = Nasty.Pick(random, names);
                var text = input.ToJsonString();
                mutations.Add("duplicate " + twice);
                return Encoding.UTF8.GetBytes(text[..^1] + (input.Count > 0 ? "," : "") + $"\"{twice}\":{Encoding.UTF8.GetString(Nasty.JsonFragment(random))}}}");
            default:
                foreach (var name in memberNames.Where(n => !input.ContainsKey(n)).Take(random.Next(1, 4)))
                    input[name] = null;
                mutations.Add("nulls for absent members");
                break;
        }
        return Encoding.UTF8.GetBytes(input.ToJsonString());
    }

    public static byte[] WholeBody(JsonObject input, Random random, List<string> mutations)
    {
        var valid = Encoding.UTF8.GetBytes(input.ToJsonString());
        var choice = random.Next(16);
        mutations.Add("whole body #" + choice);
        return choice switch
        {
            0 => [],
            1 => "null"u8.ToArray(),
            2 => Encoding.UTF8.GetBytes(Nasty.Pick(random, new[] { "[]", "\"x\"", "123", "true", "1e300", "[{}]", " ", "\n", "{}{}", "{}x" })),
            3 => valid[..random.Next(valid.Length)],
            4 => [0xEF, 0xBB, 0xBF, .. valid],
            5 => Encoding.Unicode.GetBytes(input.ToJsonString()),
            6 => Encoding.UTF32.GetBytes(input.ToJsonString()),
            7 => Encoding.UTF8.GetBytes("/* c */" + input.ToJsonString()),
            8 => Encoding.UTF8.GetBytes(input.ToJsonString().Replace('"', '\'')),
            9 => Encoding.UTF8.GetBytes(Nasty.DeepJson(random)),
            10 => Encoding.UTF8.GetBytes("{\"a\":NaN,\"b\":Infinity,\"c\":-Infinity}"),
            11 => Encoding.UTF8.GetBytes("{\"KeyId\":\"a\u0001b\"}"), // an unescaped control character inside a string
            12 => CorruptBytes(valid, random, mutations),
            13 => Encoding.UTF8.GetBytes("{" + string.Join(',', Enumerable.Range(0, 5000).Select(i => $"\"m{i}\":{i}")) + "}"),
            14 => Encoding.UTF8.GetBytes("Action=ListKeys&Version=2014-11-01"),
            _ => Encoding.UTF8.GetBytes("<?xml version=\"1.0\"?><x/>"),
        };
    }

    /// <summary>Replaces a few bytes of a body with bytes that are not UTF-8.</summary>
    public static byte[] CorruptBytes(byte[] body, Random random, List<string> mutations)
    {
        if (body.Length == 0) return [.. Nasty.Pick(random, Nasty.InvalidUtf8)];
        var at = random.Next(body.Length);
        var bad = Nasty.Pick(random, Nasty.InvalidUtf8);
        mutations.Add($"bytes {Convert.ToHexString(bad)} at {at}");
        return [.. body.AsSpan(0, at), .. bad, .. body.AsSpan(Math.Min(body.Length, at + 1))];
    }
}
