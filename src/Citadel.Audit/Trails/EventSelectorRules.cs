namespace Citadel.Audit.Trails;

/// <summary>
/// CloudTrail's limits on event selectors (PutEventSelectors): at most five classic selectors and 250 data
/// resources of the three basic types; management event sources that may be excluded are KMS and the RDS Data
/// API; advanced selectors need an <c>eventCategory</c> condition and at most 500 values in all.
/// </summary>
public static class EventSelectorRules
{
    /// <summary>The most classic selectors of a trail.</summary>
    public const int MaxSelectors = 5;
    /// <summary>The most data resources (ARN values) over all classic selectors.</summary>
    public const int MaxDataResources = 250;
    /// <summary>The most condition values over all advanced selectors.</summary>
    public const int MaxAdvancedValues = 500;

    private static readonly HashSet<string> DataResourceTypes = new(StringComparer.Ordinal) { "AWS::S3::Object", "AWS::Lambda::Function", "AWS::DynamoDB::Table" };
    private static readonly HashSet<string> ExcludableSources = new(StringComparer.Ordinal) { "kms.amazonaws.com", "rdsdata.amazonaws.com" };
    private static readonly HashSet<string> AdvancedFields = new(StringComparer.Ordinal)
    {
        "eventCategory", "readOnly", "eventSource", "eventName", "eventType", "errorCode", "userIdentity.arn", "resources.type", "resources.ARN",
    };
    private static readonly HashSet<string> Categories = new(StringComparer.Ordinal) { "Management", "Data", "NetworkActivity" };

    /// <summary>Checks classic selectors and returns them with CloudTrail's defaults filled in.</summary>
    public static List<EventSelector> Normalize(List<EventSelector> selectors, string partition)
    {
        if (selectors.Count is 0 or > MaxSelectors)
            throw Invalid($"A trail has 1 to {MaxSelectors} event selectors; {selectors.Count} were given.");
        var dataResources = 0;
        foreach (var selector in selectors)
        {
            foreach (var resource in selector.DataResources ?? [])
            {
                // The quota counts resources (ARN values), not DataResource entries.
                dataResources += resource.Values?.Count ?? 0;
                if (resource.Type is null || !DataResourceTypes.Contains(resource.Type))
                    throw Invalid($"Value {resource.Type} for DataResources.Type is invalid: event selectors support AWS::S3::Object, AWS::Lambda::Function and AWS::DynamoDB::Table; use advanced event selectors for other types.");
                if (resource.Values is not { Count: > 0 })
                    throw Invalid($"DataResources of type {resource.Type} need at least one value.");
                var service = resource.Type switch { "AWS::S3::Object" => "s3", "AWS::Lambda::Function" => "lambda", _ => "dynamodb" };
                foreach (var value in resource.Values)
                {
                    if (!value.StartsWith($"arn:{partition}:{service}", StringComparison.Ordinal))
                        throw Invalid($"Value {value} for DataResources.Values is invalid for type {resource.Type}.");
                }
            }
            foreach (var source in selector.ExcludeManagementEventSources ?? [])
            {
                if (!ExcludableSources.Contains(source))
                    throw Invalid($"Value {source} for ExcludeManagementEventSources is invalid: only kms.amazonaws.com and rdsdata.amazonaws.com can be excluded.");
            }
        }
        if (dataResources > MaxDataResources)
            throw Invalid($"A trail has at most {MaxDataResources} data resources over all event selectors; {dataResources} were given.");
        return selectors.Select(s => new EventSelector
        {
            ReadWriteType = s.ReadWriteType ?? "All",
            IncludeManagementEvents = s.IncludeManagementEvents ?? true,
            DataResources = s.DataResources ?? [],
            ExcludeManagementEventSources = s.ExcludeManagementEventSources ?? [],
        }).ToList();
    }

    /// <summary>Checks advanced selectors.</summary>
    public static List<AdvancedEventSelector> Validate(List<AdvancedEventSelector> selectors)
    {
        if (selectors.Count == 0) throw Invalid("At least one advanced event selector is needed.");
        var values = 0;
        foreach (var selector in selectors)
        {
            var category = selector.FieldSelectors.FirstOrDefault(f => f.Field == "eventCategory");
            if (category?.EqualTo is not { Count: > 0 } categories || category.StartsWith is not null || category.EndsWith is not null
                || category.NotEquals is not null || category.NotStartsWith is not null || category.NotEndsWith is not null)
                throw Invalid($"Advanced event selector {selector.Name} must have an eventCategory field selector that uses only Equals.");
            if (categories.Any(c => !Categories.Contains(c)))
                throw Invalid($"Value {string.Join(",", categories)} for eventCategory is invalid: use Management, Data or NetworkActivity.");
            if (categories.Contains("Data") && !selector.FieldSelectors.Any(f => f.Field == "resources.type" && f.EqualTo is { Count: > 0 }))
                throw Invalid($"Advanced event selector {selector.Name} for data events must have a resources.type field selector that uses Equals.");
            foreach (var field in selector.FieldSelectors)
            {
                if (!AdvancedFields.Contains(field.Field))
                    throw Invalid($"Field {field.Field} is not valid in an advanced event selector.");
                var conditions = new[] { field.EqualTo, field.StartsWith, field.EndsWith, field.NotEquals, field.NotStartsWith, field.NotEndsWith }.Where(c => c is not null).ToList();
                if (conditions.Count == 0) throw Invalid($"Field selector {field.Field} has no condition.");
                values += conditions.Sum(c => c!.Count);
                if (field.Field == "readOnly" && conditions.Any(c => c!.Any(v => v is not ("true" or "false"))))
                    throw Invalid("Values of readOnly are true or false.");
            }
        }
        if (values > MaxAdvancedValues)
            throw Invalid($"Advanced event selectors have at most {MaxAdvancedValues} condition values in all; {values} were given.");
        return selectors;
    }

    private static TrailException Invalid(string message) => new(TrailErrorCode.InvalidEventSelectorsException, message);
}
