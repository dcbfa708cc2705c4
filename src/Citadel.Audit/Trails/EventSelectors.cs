using System.Text.Json.Serialization;

namespace Citadel.Audit.Trails;

/// <summary>A classic (basic) event selector, as CloudTrail's <c>EventSelector</c>.</summary>
public sealed class EventSelector
{
    /// <summary>ReadOnly, WriteOnly or All (the default).</summary>
    public string? ReadWriteType { get; set; }
    /// <summary>Whether management events are selected (default true).</summary>
    public bool? IncludeManagementEvents { get; set; }
    /// <summary>Data events to select, by resource type and ARN (prefix).</summary>
    public List<DataResource>? DataResources { get; set; }
    /// <summary>Event sources whose management events are not selected (kms.amazonaws.com, rdsdata.amazonaws.com).</summary>
    public List<string>? ExcludeManagementEventSources { get; set; }
}

/// <summary>A data resource of an event selector.</summary>
public sealed class DataResource
{
    /// <summary>AWS::S3::Object, AWS::Lambda::Function or AWS::DynamoDB::Table.</summary>
    public string? Type { get; set; }
    /// <summary>ARNs or ARN prefixes.</summary>
    public List<string>? Values { get; set; }
}

/// <summary>An advanced event selector: every field selector must match.</summary>
public sealed class AdvancedEventSelector
{
    /// <summary>A descriptive name.</summary>
    public string? Name { get; set; }
    /// <summary>The conditions.</summary>
    public List<AdvancedFieldSelector> FieldSelectors { get; set; } = [];
}

/// <summary>Conditions on one field of an event record; every operator given must hold.</summary>
public sealed class AdvancedFieldSelector
{
    /// <summary>The field: eventCategory, readOnly, eventSource, eventName, eventType, resources.type, resources.ARN, errorCode, userIdentity.arn.</summary>
    public required string Field { get; set; }
    /// <summary>The value is one of these (wire name <c>Equals</c>, which a C# member cannot be named).</summary>
    [JsonPropertyName("Equals")]
    public List<string>? EqualTo { get; set; }
    /// <summary>The value starts with one of these.</summary>
    public List<string>? StartsWith { get; set; }
    /// <summary>The value ends with one of these.</summary>
    public List<string>? EndsWith { get; set; }
    /// <summary>The value is none of these.</summary>
    public List<string>? NotEquals { get; set; }
    /// <summary>The value starts with none of these.</summary>
    public List<string>? NotStartsWith { get; set; }
    /// <summary>The value ends with none of these.</summary>
    public List<string>? NotEndsWith { get; set; }
}
