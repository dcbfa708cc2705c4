using System.Globalization;
using System.Text.Json;

namespace Citadel.Audit.Trails;

/// <summary>The fields of a CloudTrail record that event selection and log files need, read once per record.</summary>
internal sealed record EventFacts(string EventSource, string? EventName, string? EventType, string EventCategory, bool ReadOnly,
    string? ErrorCode, string? UserIdentityArn, IReadOnlyList<(string Type, string Arn)> Resources, DateTimeOffset EventTime)
{
    /// <summary>Whether this is a management event (every API call Citadel records; data events come from data planes).</summary>
    public bool IsManagement => EventCategory == "Management";

    /// <summary>Reads the facts of a record.</summary>
    public static EventFacts Of(string record)
    {
        using var document = JsonDocument.Parse(record);
        var e = document.RootElement;
        var category = Text(e, "eventCategory") ?? (e.TryGetProperty("managementEvent", out var m) && m.ValueKind == JsonValueKind.False ? "Data" : "Management");
        var resources = new List<(string, string)>();
        if (e.TryGetProperty("resources", out var list) && list.ValueKind == JsonValueKind.Array)
            foreach (var r in list.EnumerateArray())
                resources.Add((Text(r, "type") ?? "", Text(r, "ARN") ?? ""));
        var identityArn = e.TryGetProperty("userIdentity", out var identity) ? Text(identity, "arn") : null;
        return new EventFacts(Text(e, "eventSource") ?? "", Text(e, "eventName"), Text(e, "eventType"), category,
            e.TryGetProperty("readOnly", out var ro) && ro.ValueKind == JsonValueKind.True, Text(e, "errorCode"), identityArn, resources,
            DateTimeOffset.Parse(Text(e, "eventTime") ?? throw new InvalidDataException("A journal record has no eventTime."), CultureInfo.InvariantCulture));
    }

    private static string? Text(JsonElement element, string name)
        => element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
