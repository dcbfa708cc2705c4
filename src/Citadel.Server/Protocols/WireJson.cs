using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Citadel.Server.Protocols;

/// <summary>JSON conventions of the awsJson protocols: PascalCase members, base64 blobs, epoch-second timestamps.</summary>
public static class WireJson
{
    /// <summary>Serializer options for requests and responses.</summary>
    public static readonly JsonSerializerOptions Options = new()
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        PropertyNameCaseInsensitive = false,
        Converters = { new EpochSecondsConverter() },
    };

    /// <summary>
    /// Members never written to audit records: plaintexts, ciphertexts, key material, secrets, and grant tokens
    /// (CloudTrail shows a grant by its id; a token is a bearer value that names it).
    /// </summary>
    private static readonly HashSet<string> Sensitive = new(StringComparer.Ordinal)
    {
        "Plaintext", "CiphertextBlob", "PrivateKeyPlaintext", "PrivateKeyCiphertextBlob", "Message", "Signature", "Mac",
        "EncryptedKeyMaterial", "ImportToken", "PublicKey", "CiphertextForRecipient", "SecretAccessKey", "SessionToken",
        "Password", "GrantTokens", "GrantToken",
    };

    /// <summary>Map members whose keys are user data and keep their case.</summary>
    private static readonly HashSet<string> UserMaps = new(StringComparer.Ordinal)
    {
        "EncryptionContext", "SourceEncryptionContext", "DestinationEncryptionContext", "EncryptionContextEquals", "EncryptionContextSubset",
    };

    /// <summary>A DTO as CloudTrail shows it: camelCase members, sensitive members removed.</summary>
    public static JsonNode? ForAudit(object? dto)
    {
        if (dto is null) return null;
        var node = JsonSerializer.SerializeToNode(dto, dto.GetType(), Options);
        return Sanitize(node);
    }

    /// <summary>
    /// Binds the request parameters of an audit record back to an operation's request type, leniently: member names
    /// in any case, and members the audit copy left out (plaintexts, ciphertexts, tokens) simply absent, even where
    /// the operation requires them. For re-evaluating a logged request, never for serving one.
    /// </summary>
    public static object? FromAudit(JsonNode? requestParameters, Type requestType)
        => (requestParameters ?? new JsonObject()).Deserialize(requestType, Lenient);

    private static readonly JsonSerializerOptions Lenient = new(Options)
    {
        PropertyNameCaseInsensitive = true,
        TypeInfoResolver = new System.Text.Json.Serialization.Metadata.DefaultJsonTypeInfoResolver
        {
            Modifiers = { info => { foreach (var property in info.Properties) property.IsRequired = false; } },
        },
    };

    private static JsonNode? Sanitize(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
                var result = new JsonObject();
                foreach (var (name, value) in obj)
                {
                    if (Sensitive.Contains(name)) continue;
                    var camel = char.ToLowerInvariant(name[0]) + name[1..];
                    result[camel] = UserMaps.Contains(name) ? value?.DeepClone() : Sanitize(value);
                }
                return result;
            case JsonArray array:
                return new JsonArray(array.Select(Sanitize).ToArray());
            default:
                return node?.DeepClone();
        }
    }

    private sealed class EpochSecondsConverter : JsonConverter<DateTimeOffset>
    {
        public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            if (reader.TokenType == JsonTokenType.Number)
                return DateTimeOffset.FromUnixTimeMilliseconds((long)Math.Round(reader.GetDouble() * 1000));
            if (reader.TokenType == JsonTokenType.String && DateTimeOffset.TryParse(reader.GetString(), System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var parsed))
                return parsed;
            throw new JsonException("Timestamp expected.");
        }

        public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options)
            => writer.WriteNumberValue(Math.Round(value.ToUnixTimeMilliseconds() / 1000.0, 3));
    }
}
