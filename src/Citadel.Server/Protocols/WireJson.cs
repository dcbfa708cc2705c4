using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Citadel.Audit;

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

    /// <summary>
    /// A DTO as CloudTrail shows it: members named with a lower-case first letter (map keys too, except the
    /// encryption-context maps, whose keys are user data), sensitive members removed. It is written straight into the
    /// audit record by <see cref="AuditOptions"/>' contract, without a node tree (this runs for every call).
    /// </summary>
    public static AuditJson? ForAudit(object? dto) => dto is null ? null : new AuditDto(dto);

    private sealed class AuditDto(object dto) : AuditJson
    {
        public override void WriteTo(Utf8JsonWriter writer) => JsonSerializer.Serialize(writer, dto, dto.GetType(), AuditOptions);
    }

    /// <summary>The wire options with the audit record's contract: see <see cref="ForAudit"/>.</summary>
    internal static readonly JsonSerializerOptions AuditOptions = new(Options)
    {
        DictionaryKeyPolicy = new FirstLetterLower(),
        TypeInfoResolver = new System.Text.Json.Serialization.Metadata.DefaultJsonTypeInfoResolver { Modifiers = { AuditContract } },
    };

    private static void AuditContract(System.Text.Json.Serialization.Metadata.JsonTypeInfo info)
    {
        if (info.Kind != System.Text.Json.Serialization.Metadata.JsonTypeInfoKind.Object) return;
        for (var i = info.Properties.Count - 1; i >= 0; i--)
        {
            var property = info.Properties[i];
            if (Sensitive.Contains(property.Name))
            {
                info.Properties.RemoveAt(i);
                continue;
            }
            if (UserMaps.Contains(property.Name) && property.PropertyType == typeof(Dictionary<string, string>))
                property.CustomConverter = VerbatimKeys.Instance;
            property.Name = FirstLetterLower.Apply(property.Name);
        }
    }

    private sealed class FirstLetterLower : JsonNamingPolicy
    {
        public static string Apply(string name) => name.Length == 0 || !char.IsUpper(name[0]) ? name : char.ToLowerInvariant(name[0]) + name[1..];

        public override string ConvertName(string name) => Apply(name);
    }

    /// <summary>A string map written with its keys as they are (the dictionary key policy lower-cases the others).</summary>
    private sealed class VerbatimKeys : JsonConverter<Dictionary<string, string>>
    {
        public static readonly VerbatimKeys Instance = new();

        public override Dictionary<string, string> Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
            => throw new NotSupportedException("Audit copies are only written.");

        public override void Write(Utf8JsonWriter writer, Dictionary<string, string> value, JsonSerializerOptions options)
        {
            writer.WriteStartObject();
            foreach (var (key, item) in value) writer.WriteString(key, item);
            writer.WriteEndObject();
        }
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

    private sealed class EpochSecondsConverter : JsonConverter<DateTimeOffset>
    {
        private const double MinSeconds = -62135596800, MaxSeconds = 253402300799;

        public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            if (reader.TokenType == JsonTokenType.Number)
            {
                // Years 1 to 9999 only (what DateTimeOffset holds); 1e300 is a client's error, not an overflow of ours.
                var seconds = reader.GetDouble();
                if (!(seconds >= MinSeconds && seconds <= MaxSeconds)) throw new JsonException("Timestamp out of range.");
                return DateTimeOffset.FromUnixTimeMilliseconds((long)Math.Round(seconds * 1000));
            }
            if (reader.TokenType == JsonTokenType.String && DateTimeOffset.TryParse(reader.GetString(), System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var parsed))
                return parsed;
            throw new JsonException("Timestamp expected.");
        }

        public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options)
            => writer.WriteNumberValue(Math.Round(value.ToUnixTimeMilliseconds() / 1000.0, 3));
    }
}
