namespace Citadel.Iam.Policies;

/// <summary>One condition clause: an operator applied to one condition key and its policy values (OR'd).</summary>
public sealed record Condition
{
    /// <summary>The parsed operator.</summary>
    public required ConditionOperator Operator { get; init; }

    /// <summary>The condition key as written (e.g. <c>aws:SourceIp</c>); looked up case-insensitively.</summary>
    public required string Key { get; init; }

    /// <summary>The policy values as strings (JSON numbers and booleans in their JSON text form).</summary>
    public required IReadOnlyList<string> Values { get; init; }
}
