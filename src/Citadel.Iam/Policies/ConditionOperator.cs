namespace Citadel.Iam.Policies;

/// <summary>The base comparison of a condition operator, without <c>IfExists</c> or a set qualifier.</summary>
public enum ConditionOperatorKind
{
    /// <summary><c>StringEquals</c>: exact, case-sensitive.</summary>
    StringEquals,
    /// <summary><c>StringNotEquals</c>.</summary>
    StringNotEquals,
    /// <summary><c>StringEqualsIgnoreCase</c>.</summary>
    StringEqualsIgnoreCase,
    /// <summary><c>StringNotEqualsIgnoreCase</c>.</summary>
    StringNotEqualsIgnoreCase,
    /// <summary><c>StringLike</c>: case-sensitive with <c>*</c> and <c>?</c>.</summary>
    StringLike,
    /// <summary><c>StringNotLike</c>.</summary>
    StringNotLike,
    /// <summary><c>NumericEquals</c>.</summary>
    NumericEquals,
    /// <summary><c>NumericNotEquals</c>.</summary>
    NumericNotEquals,
    /// <summary><c>NumericLessThan</c>.</summary>
    NumericLessThan,
    /// <summary><c>NumericLessThanEquals</c>.</summary>
    NumericLessThanEquals,
    /// <summary><c>NumericGreaterThan</c>.</summary>
    NumericGreaterThan,
    /// <summary><c>NumericGreaterThanEquals</c>.</summary>
    NumericGreaterThanEquals,
    /// <summary><c>DateEquals</c>: ISO 8601 or epoch seconds.</summary>
    DateEquals,
    /// <summary><c>DateNotEquals</c>.</summary>
    DateNotEquals,
    /// <summary><c>DateLessThan</c>.</summary>
    DateLessThan,
    /// <summary><c>DateLessThanEquals</c>.</summary>
    DateLessThanEquals,
    /// <summary><c>DateGreaterThan</c>.</summary>
    DateGreaterThan,
    /// <summary><c>DateGreaterThanEquals</c>.</summary>
    DateGreaterThanEquals,
    /// <summary><c>Bool</c>: <c>true</c> or <c>false</c>, case-insensitive.</summary>
    Bool,
    /// <summary><c>BinaryEquals</c>: base64 values compared as bytes.</summary>
    BinaryEquals,
    /// <summary><c>IpAddress</c>: the request address is in one of the CIDR ranges (IPv4 or IPv6).</summary>
    IpAddress,
    /// <summary><c>NotIpAddress</c>.</summary>
    NotIpAddress,
    /// <summary><c>ArnEquals</c>: per ARN component, case-sensitive, with wildcards (same as <c>ArnLike</c>, as AWS).</summary>
    ArnEquals,
    /// <summary><c>ArnLike</c>.</summary>
    ArnLike,
    /// <summary><c>ArnNotEquals</c>.</summary>
    ArnNotEquals,
    /// <summary><c>ArnNotLike</c>.</summary>
    ArnNotLike,
    /// <summary><c>Null</c>: <c>true</c> matches an absent key, <c>false</c> a present one.</summary>
    Null,
}

/// <summary>How a condition treats a multivalued request key.</summary>
public enum SetQualifier
{
    /// <summary>No qualifier: the key is treated as single-valued (any request value may match).</summary>
    None,
    /// <summary><c>ForAnyValue:</c> at least one request value must match; an absent or empty key does not.</summary>
    ForAnyValue,
    /// <summary><c>ForAllValues:</c> every request value must match; an absent or empty key does.</summary>
    ForAllValues,
}

/// <summary>A parsed condition operator such as <c>ForAnyValue:StringLikeIfExists</c>.</summary>
/// <param name="Name">The operator as written in the policy.</param>
/// <param name="Kind">The base comparison.</param>
/// <param name="IfExists">True for the <c>...IfExists</c> suffix: an absent key matches.</param>
/// <param name="Qualifier">The set qualifier prefix.</param>
public sealed record ConditionOperator(string Name, ConditionOperatorKind Kind, bool IfExists, SetQualifier Qualifier)
{
    /// <summary>True for the negated operators (<c>StringNotEquals</c>, <c>NotIpAddress</c>, ...).</summary>
    public bool IsNegated => Kind is ConditionOperatorKind.StringNotEquals or ConditionOperatorKind.StringNotEqualsIgnoreCase
        or ConditionOperatorKind.StringNotLike or ConditionOperatorKind.NumericNotEquals or ConditionOperatorKind.DateNotEquals
        or ConditionOperatorKind.NotIpAddress or ConditionOperatorKind.ArnNotEquals or ConditionOperatorKind.ArnNotLike;

    /// <summary>True when policy variables are substituted in the values (String and Arn operators).</summary>
    public bool AllowsVariables => Kind is <= ConditionOperatorKind.StringNotLike
        or ConditionOperatorKind.ArnEquals or ConditionOperatorKind.ArnLike
        or ConditionOperatorKind.ArnNotEquals or ConditionOperatorKind.ArnNotLike;

    /// <summary>Parses an operator name (case-insensitive), or returns null when it is not a known operator.</summary>
    public static ConditionOperator? TryParse(string name)
    {
        var rest = name;
        var qualifier = SetQualifier.None;
        if (rest.StartsWith("ForAnyValue:", StringComparison.OrdinalIgnoreCase))
        {
            qualifier = SetQualifier.ForAnyValue;
            rest = rest["ForAnyValue:".Length..];
        }
        else if (rest.StartsWith("ForAllValues:", StringComparison.OrdinalIgnoreCase))
        {
            qualifier = SetQualifier.ForAllValues;
            rest = rest["ForAllValues:".Length..];
        }
        var ifExists = false;
        if (rest.EndsWith("IfExists", StringComparison.OrdinalIgnoreCase))
        {
            ifExists = true;
            rest = rest[..^"IfExists".Length];
        }
        if (rest.Length == 0 || !rest.All(char.IsAsciiLetter) || !Enum.TryParse<ConditionOperatorKind>(rest, true, out var kind))
        {
            return null;
        }
        if (kind == ConditionOperatorKind.Null && (ifExists || qualifier != SetQualifier.None))
        {
            return null;
        }
        return new ConditionOperator(name, kind, ifExists, qualifier);
    }
}
