using System.Collections;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using Citadel.Audit;
using Citadel.Server.Protocols;

namespace Citadel.Server.Tests;

public sealed class WireJsonTests
{
    private sealed class Sample
    {
        public string? KeyId { get; init; }
        public byte[]? Plaintext { get; init; }
        public byte[]? CiphertextBlob { get; init; }
        public Dictionary<string, string>? EncryptionContext { get; init; }
        public DateTimeOffset? CreationDate { get; init; }
    }

    [Fact]
    public void AuditCopyDropsSecretsCamelCasesMembersAndKeepsContextKeys()
    {
        var node = Node(WireJson.ForAudit(new Sample
        {
            KeyId = "alias/a",
            Plaintext = [1, 2, 3],
            CiphertextBlob = [4, 5],
            EncryptionContext = new() { ["Department"] = "Finance" },
        }))!.AsObject();
        Assert.Equal("alias/a", node["keyId"]!.GetValue<string>());
        Assert.False(node.ContainsKey("plaintext"));
        Assert.False(node.ContainsKey("ciphertextBlob"));
        Assert.Equal("Finance", node["encryptionContext"]!["Department"]!.GetValue<string>());
    }

    [Fact]
    public void AuditCopyOfGrantsKeepsTheGrantIdAndConstraintKeysButNoToken()
    {
        var request = Node(WireJson.ForAudit(new Citadel.Kms.Operations.CreateGrantRequest
        {
            KeyId = "k",
            GranteePrincipal = "arn:aws:iam::111122223333:user/bob",
            Operations = ["Decrypt"],
            Constraints = new Citadel.Kms.Model.GrantConstraints { EncryptionContextSubset = new() { ["Department"] = "IT" } },
            GrantTokens = ["secret-token"],
        }))!.AsObject();
        Assert.Equal("IT", request["constraints"]!["encryptionContextSubset"]!["Department"]!.GetValue<string>());
        Assert.False(request.ContainsKey("grantTokens"));
        var response = Node(WireJson.ForAudit(new Citadel.Kms.Operations.CreateGrantResponse { GrantId = "g1", GrantToken = "secret-token" }))!.AsObject();
        Assert.Equal("g1", response["grantId"]!.GetValue<string>());
        Assert.False(response.ContainsKey("grantToken"));
        var retire = Node(WireJson.ForAudit(new Citadel.Kms.Operations.RetireGrantRequest { GrantToken = "secret-token" }))!.ToJsonString();
        Assert.DoesNotContain("secret-token", retire, StringComparison.Ordinal);
    }

    [Fact]
    public void TimestampsAreEpochSeconds()
    {
        var json = System.Text.Json.JsonSerializer.Serialize(new Sample { CreationDate = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_500) }, WireJson.Options);
        Assert.Contains("\"CreationDate\":1700000000.5", json, StringComparison.Ordinal);
    }

    private static JsonNode? Node(AuditJson? value)
    {
        if (value is null) return null;
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer)) value.WriteTo(writer);
        return JsonNode.Parse(buffer.WrittenSpan);
    }

    /// <summary>
    /// Every request and response type of every API: the audit copy written straight from the object is the same JSON
    /// as the first implementation made (serialize to a node tree, then copy it without the sensitive members and with
    /// member names and non-context map keys lower-cased first), with every member filled in, sensitive or not.
    /// </summary>
    [Fact]
    public void The_audit_copy_of_every_api_type_is_what_the_node_tree_copy_was()
    {
        var types = new[] { typeof(Citadel.Kms.KmsContext).Assembly, typeof(Citadel.Iam.Principal).Assembly, typeof(AuditEvent).Assembly, typeof(WireJson).Assembly }
            .SelectMany(a => a.GetTypes())
            .Where(t => t.Namespace?.Contains(".S3", StringComparison.Ordinal) != true) // the S3 path records its own parameters
            .Where(t => t.IsPublic && t.IsClass && !t.IsAbstract && !t.IsGenericTypeDefinition && t.GetConstructor(Type.EmptyTypes) is not null
                && (t.Name.EndsWith("Request", StringComparison.Ordinal) || t.Name.EndsWith("Response", StringComparison.Ordinal)))
            .ToList();
        Assert.True(types.Count > 100, $"only {types.Count} API types found");
        foreach (var type in types)
        {
            var dto = Fill(type, 0)!;
            string? expected;
            try { expected = NodeTreeCopy(JsonSerializer.SerializeToNode(dto, type, WireJson.Options))?.ToJsonString(); }
            catch (Exception e) { throw new InvalidOperationException(type.FullName, e); }
            Assert.True(expected == Node(WireJson.ForAudit(dto))?.ToJsonString(), $"{type.FullName}: expected {expected}, got {Node(WireJson.ForAudit(dto))?.ToJsonString()}");
        }
    }

    private static readonly HashSet<string> Sensitive = ["Plaintext", "CiphertextBlob", "PrivateKeyPlaintext", "PrivateKeyCiphertextBlob", "Message", "Signature", "Mac",
        "EncryptedKeyMaterial", "ImportToken", "PublicKey", "CiphertextForRecipient", "SecretAccessKey", "SessionToken", "Password", "GrantTokens", "GrantToken"];

    private static readonly HashSet<string> ContextMaps = ["EncryptionContext", "SourceEncryptionContext", "DestinationEncryptionContext", "EncryptionContextEquals", "EncryptionContextSubset"];

    /// <summary>The first implementation of the audit copy, kept as the reference.</summary>
    private static JsonNode? NodeTreeCopy(JsonNode? node) => node switch
    {
        JsonObject obj => new JsonObject(obj.Where(p => !Sensitive.Contains(p.Key)).Select(p => KeyValuePair.Create(
            char.ToLowerInvariant(p.Key[0]) + p.Key[1..], ContextMaps.Contains(p.Key) ? p.Value?.DeepClone() : NodeTreeCopy(p.Value)))),
        JsonArray array => new JsonArray(array.Select(NodeTreeCopy).ToArray()),
        _ => node?.DeepClone(),
    };

    /// <summary>An instance with every settable member filled (maps hold a sensitive-named key and a context-like one).</summary>
    private static object? Fill(Type type, int depth)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type == typeof(string)) return "s";
        if (type == typeof(bool)) return true;
        if (type == typeof(int) || type == typeof(long) || type == typeof(double)) return Convert.ChangeType(7, type, System.Globalization.CultureInfo.InvariantCulture);
        if (type == typeof(DateTimeOffset)) return DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_500);
        if (type == typeof(byte[])) return new byte[] { 1, 2, 3 };
        if (type == typeof(MemoryStream)) return new MemoryStream([1, 2, 3]);
        if (type.IsEnum) return Enum.GetValues(type).GetValue(0);
        if (depth > 4) return null;
        if (type.IsArray) return ListOf(type.GetElementType()!, depth, array: true);
        if (type.IsGenericType && type.GetGenericArguments() is [var keyType, var valueType] && keyType == typeof(string)
            && typeof(IEnumerable).IsAssignableFrom(type))
        {
            var map = (IDictionary)Activator.CreateInstance(typeof(Dictionary<,>).MakeGenericType(keyType, valueType))!;
            map["Plaintext"] = Fill(valueType, depth + 1);
            map["Department"] = Fill(valueType, depth + 1);
            return type.IsInterface || type.IsAssignableFrom(map.GetType()) ? map : Activator.CreateInstance(type, map);
        }
        if (type.IsGenericType && type.GetGenericArguments() is [var elementType] && typeof(IEnumerable).IsAssignableFrom(type))
            return ListOf(elementType, depth, array: false);
        if (type == typeof(object) || type.IsInterface || type.IsAbstract || type.GetConstructor(Type.EmptyTypes) is null) return null;
        var value = Activator.CreateInstance(type)!;
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite && p.GetIndexParameters().Length == 0))
            property.SetValue(value, Fill(property.PropertyType, depth + 1));
        return value;
    }

    private static object ListOf(Type elementType, int depth, bool array)
    {
        var list = (IList)Activator.CreateInstance(typeof(List<>).MakeGenericType(elementType))!;
        list.Add(Fill(elementType, depth + 1));
        if (!array) return list;
        var result = Array.CreateInstance(elementType, 1);
        list.CopyTo(result, 0);
        return result;
    }
}
