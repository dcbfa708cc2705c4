namespace Citadel.Audit.Trails;

/// <summary>
/// Which events a trail delivers, as CloudTrail decides it: an event is delivered when any selector selects it.
/// A classic selector selects management events (unless excluded, or of the wrong read/write type) and data events
/// on its data resources; an advanced selector selects events for which every field condition holds. Events of
/// global services (IAM, STS) are left out when IncludeGlobalServiceEvents is false.
/// </summary>
internal static class EventSelection
{
    private static readonly HashSet<string> GlobalServiceSources = new(StringComparer.Ordinal) { "iam.amazonaws.com", "sts.amazonaws.com" };

    /// <summary>The selectors of a trail that has none of its own: every management event.</summary>
    public static List<EventSelector> Default() =>
    [
        new EventSelector { ReadWriteType = "All", IncludeManagementEvents = true, DataResources = [], ExcludeManagementEventSources = [] },
    ];

    /// <summary>Whether the selection selects the event.</summary>
    public static bool Selects(SelectionPeriod period, EventFacts e)
    {
        if (!period.IncludeGlobalServiceEvents && GlobalServiceSources.Contains(e.EventSource)) return false;
        if (period.AdvancedEventSelectors is { Count: > 0 } advanced)
            return advanced.Any(selector => selector.FieldSelectors.All(field => Matches(field, e)));
        return (period.EventSelectors ?? Default()).Any(selector => Selects(selector, e));
    }

    private static bool Selects(EventSelector selector, EventFacts e)
    {
        switch (selector.ReadWriteType ?? "All")
        {
            case "ReadOnly" when !e.ReadOnly:
            case "WriteOnly" when e.ReadOnly:
                return false;
        }
        if (e.IsManagement)
            return (selector.IncludeManagementEvents ?? true) && !(selector.ExcludeManagementEventSources?.Contains(e.EventSource) ?? false);
        if (e.EventCategory != "Data") return false;
        return (selector.DataResources ?? []).Any(resource => e.Resources.Any(r => r.Type == resource.Type
            && (resource.Values ?? []).Any(value => DataValueMatches(resource.Type!, value, r.Arn))));
    }

    /// <summary>
    /// A data resource value selects: every resource of the service when it is only <c>arn:partition:service</c>;
    /// S3 objects by ARN prefix (bucket or bucket/prefix); other resources by exact ARN.
    /// </summary>
    private static bool DataValueMatches(string type, string value, string arn)
    {
        if (value.Count(c => c == ':') <= 2) return arn.StartsWith(value + ":", StringComparison.Ordinal);
        return type == "AWS::S3::Object" ? arn.StartsWith(value, StringComparison.Ordinal) : arn == value;
    }

    private static bool Matches(AdvancedFieldSelector field, EventFacts e)
    {
        var values = FieldValues(field.Field, e);
        return values.Count == 0 ? Holds(field, null) : values.Any(v => Holds(field, v));
    }

    private static List<string> FieldValues(string field, EventFacts e) => field switch
    {
        "eventCategory" => [e.EventCategory],
        "readOnly" => [e.ReadOnly ? "true" : "false"],
        "eventSource" => [e.EventSource],
        "eventName" => e.EventName is { } name ? [name] : [],
        "eventType" => e.EventType is { } type ? [type] : [],
        "errorCode" => e.ErrorCode is { } code ? [code] : [],
        "userIdentity.arn" => e.UserIdentityArn is { } arn ? [arn] : [],
        "resources.type" => e.Resources.Select(r => r.Type).ToList(),
        "resources.ARN" => e.Resources.Select(r => r.Arn).ToList(),
        _ => [],
    };

    private static bool Holds(AdvancedFieldSelector field, string? value)
    {
        if (field.EqualTo is { } equal && (value is null || !equal.Contains(value))) return false;
        if (field.StartsWith is { } starts && (value is null || !starts.Any(p => value.StartsWith(p, StringComparison.Ordinal)))) return false;
        if (field.EndsWith is { } ends && (value is null || !ends.Any(s => value.EndsWith(s, StringComparison.Ordinal)))) return false;
        if (field.NotEquals is { } notEqual && value is not null && notEqual.Contains(value)) return false;
        if (field.NotStartsWith is { } notStarts && value is not null && notStarts.Any(p => value.StartsWith(p, StringComparison.Ordinal))) return false;
        if (field.NotEndsWith is { } notEnds && value is not null && notEnds.Any(s => value.EndsWith(s, StringComparison.Ordinal))) return false;
        return true;
    }
}
