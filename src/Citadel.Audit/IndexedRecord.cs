using System.Text.Json;

namespace Citadel.Audit;

/// <summary>
/// What the lookup index knows of one journal record: the LookupEvents attributes, read from the record's JSON in one
/// pass of <see cref="Utf8JsonReader"/> (no document is built: indexing reads every record the server writes).
/// </summary>
internal sealed class IndexedRecord
{
    public string EventId { get; private set; } = "";
    public long TimeMs { get; private set; }
    public string EventName { get; private set; } = "";
    public string EventSource { get; private set; } = "";
    /// <summary>LookupEvents' Username: "root" for the root user, else the record's userName.</summary>
    public string? Username { get; private set; }
    public string? AccessKeyId { get; private set; }
    public bool ReadOnly { get; private set; }
    public string? RequestId { get; private set; }
    public List<AuditResource> Resources { get; } = [];

    /// <summary>Reads the attributes of a record (UTF-8 CloudTrail JSON).</summary>
    public static IndexedRecord Parse(ReadOnlySpan<byte> json)
    {
        var record = new IndexedRecord();
        var reader = new Utf8JsonReader(json);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) throw new InvalidDataException("An audit record is not a JSON object.");
        string? identityType = null, userName = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("userIdentity"u8))
            {
                reader.Read();
                if (reader.TokenType != JsonTokenType.StartObject) { reader.Skip(); continue; }
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    if (reader.ValueTextEquals("type"u8)) { reader.Read(); identityType = reader.TokenType == JsonTokenType.String ? reader.GetString() : null; }
                    else if (reader.ValueTextEquals("userName"u8)) { reader.Read(); userName = reader.TokenType == JsonTokenType.String ? reader.GetString() : null; }
                    else if (reader.ValueTextEquals("accessKeyId"u8)) { reader.Read(); record.AccessKeyId = reader.TokenType == JsonTokenType.String ? reader.GetString() : null; }
                    else { reader.Read(); reader.Skip(); }
                }
            }
            else if (reader.ValueTextEquals("eventTime"u8)) { reader.Read(); record.TimeMs = reader.GetDateTimeOffset().ToUnixTimeMilliseconds(); }
            else if (reader.ValueTextEquals("eventID"u8)) { reader.Read(); record.EventId = reader.GetString() ?? ""; }
            else if (reader.ValueTextEquals("eventName"u8)) { reader.Read(); record.EventName = reader.GetString() ?? ""; }
            else if (reader.ValueTextEquals("eventSource"u8)) { reader.Read(); record.EventSource = reader.GetString() ?? ""; }
            else if (reader.ValueTextEquals("readOnly"u8)) { reader.Read(); record.ReadOnly = reader.TokenType == JsonTokenType.True; }
            else if (reader.ValueTextEquals("requestID"u8)) { reader.Read(); record.RequestId = reader.TokenType == JsonTokenType.String ? reader.GetString() : null; }
            else if (reader.ValueTextEquals("resources"u8))
            {
                reader.Read();
                if (reader.TokenType != JsonTokenType.StartArray) { reader.Skip(); continue; }
                while (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
                {
                    string type = "", arn = "", account = "";
                    while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                    {
                        if (reader.ValueTextEquals("type"u8)) { reader.Read(); type = reader.GetString() ?? ""; }
                        else if (reader.ValueTextEquals("ARN"u8)) { reader.Read(); arn = reader.GetString() ?? ""; }
                        else if (reader.ValueTextEquals("accountId"u8)) { reader.Read(); account = reader.TokenType == JsonTokenType.String ? reader.GetString() ?? "" : ""; }
                        else { reader.Read(); reader.Skip(); }
                    }
                    record.Resources.Add(new AuditResource(type, arn, account));
                }
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }
        record.Username = identityType == "Root" ? "root" : userName;
        return record;
    }

    /// <summary>Whether the record has <paramref name="value"/> for <paramref name="attribute"/>, as LookupEvents compares them.</summary>
    public bool Matches(LookupAttribute attribute, string value) => attribute switch
    {
        LookupAttribute.EventId => EventId == value,
        LookupAttribute.EventName => EventName == value,
        LookupAttribute.ReadOnly => ReadOnly == IsTrue(value),
        LookupAttribute.Username => Username == value,
        LookupAttribute.EventSource => EventSource == value,
        LookupAttribute.AccessKeyId => AccessKeyId == value,
        LookupAttribute.ResourceType => Resources.Exists(r => r.Type == value),
        LookupAttribute.ResourceName => Resources.Exists(r => r.Arn == value),
        _ => throw new ArgumentOutOfRangeException(nameof(attribute)),
    };

    /// <summary>The ReadOnly attribute's value: "true" in any case is true, anything else false.</summary>
    public static bool IsTrue(string value) => value.Equals("true", StringComparison.OrdinalIgnoreCase);
}
