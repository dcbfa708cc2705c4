using System.Globalization;
using System.Net;
using K = Citadel.Iam.Policies.ConditionOperatorKind;

namespace Citadel.Iam.Policies;

/// <summary>
/// Evaluates condition clauses as AWS documents: the policy values of one key are OR'd; a negated operator is the
/// negation of its positive form (so it matches an absent key); <c>IfExists</c> makes an absent key match;
/// <c>ForAnyValue</c> needs one matching request value (absent: false), <c>ForAllValues</c> needs all (absent: true).
/// </summary>
public static class ConditionOperators
{
    /// <summary>Whether a policy value is well-formed for the operator (numbers, dates, booleans, base64, CIDRs).</summary>
    public static bool IsValidPolicyValue(ConditionOperatorKind kind, string value) => kind switch
    {
        >= K.NumericEquals and <= K.NumericGreaterThanEquals => ParseNumber(value) is not null,
        >= K.DateEquals and <= K.DateGreaterThanEquals => ParseDate(value) is not null,
        K.Bool or K.Null => bool.TryParse(value, out _),
        K.BinaryEquals => ParseBase64(value) is not null,
        K.IpAddress or K.NotIpAddress => ParseCidr(value) is not null,
        _ => true,
    };

    /// <summary>Evaluates one condition clause against the request.</summary>
    /// <param name="condition">The clause.</param>
    /// <param name="context">The request.</param>
    /// <param name="substituteVariables">True to substitute policy variables in String and Arn values (version 2012-10-17).</param>
    public static bool Evaluate(Condition condition, RequestContext context, bool substituteVariables)
    {
        var op = condition.Operator;
        var present = context.TryGetValues(condition.Key, out var requestValues) && requestValues.Count > 0;
        if (op.Kind == K.Null)
        {
            return condition.Values.Any(v => bool.Parse(v) != present);
        }
        if (!present && op.IfExists)
        {
            return true;
        }
        List<(string Text, bool[]? Literal)> policyValues = [];
        foreach (var value in condition.Values)
        {
            if (substituteVariables && op.AllowsVariables)
            {
                if (!PolicyVariables.TrySubstitute(value, context, out var substituted, out var literal))
                {
                    return false; // an unresolvable variable: the condition, hence the statement, does not match
                }
                policyValues.Add((substituted, literal));
            }
            else
            {
                policyValues.Add((value, null));
            }
        }
        bool Satisfies(string requestValue) =>
            op.IsNegated != policyValues.Any(p => Compare(op.Kind, requestValue, p.Text, p.Literal));
        return op.Qualifier switch
        {
            SetQualifier.ForAnyValue => present && requestValues.Any(Satisfies),
            SetQualifier.ForAllValues => !present || requestValues.All(Satisfies),
            _ => op.IsNegated != requestValues.Any(v => policyValues.Any(p => Compare(op.Kind, v, p.Text, p.Literal))),
        };
    }

    /// <summary>The positive comparison of one request value with one policy value (negated kinds compare positively).</summary>
    private static bool Compare(K kind, string request, string policy, bool[]? literal)
    {
        switch (kind)
        {
            case K.StringEquals or K.StringNotEquals:
                return string.Equals(request, policy, StringComparison.Ordinal);
            case K.StringEqualsIgnoreCase or K.StringNotEqualsIgnoreCase:
                return string.Equals(request, policy, StringComparison.OrdinalIgnoreCase);
            case K.StringLike or K.StringNotLike:
                return Wildcard.Match(policy, request, false, literal);
            case K.ArnEquals or K.ArnNotEquals or K.ArnLike or K.ArnNotLike:
                return Wildcard.MatchArn(policy, request, literal);
            case K.Bool:
                return bool.TryParse(request, out var b) && b == bool.Parse(policy);
            case K.BinaryEquals:
                return ParseBase64(request) is { } bytes ? bytes.AsSpan().SequenceEqual(ParseBase64(policy)) : request == policy;
            case K.IpAddress or K.NotIpAddress:
                return IPAddress.TryParse(request, out var address) && ParseCidr(policy) is { } cidr && InRange(address, cidr);
            case >= K.NumericEquals and <= K.NumericGreaterThanEquals:
                return ParseNumber(request) is { } n && Order(kind - K.NumericEquals, n.CompareTo(ParseNumber(policy)!.Value));
            case >= K.DateEquals and <= K.DateGreaterThanEquals:
                return ParseDate(request) is { } d && Order(kind - K.DateEquals, d.CompareTo(ParseDate(policy)!.Value));
            default:
                return false;
        }
    }

    /// <summary>Applies Equals/NotEquals(compared as Equals)/LessThan/LessThanEquals/GreaterThan/GreaterThanEquals by offset.</summary>
    private static bool Order(int offset, int comparison) => offset switch
    {
        0 or 1 => comparison == 0,
        2 => comparison < 0,
        3 => comparison <= 0,
        4 => comparison > 0,
        _ => comparison >= 0,
    };

    private static decimal? ParseNumber(string value) =>
        decimal.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) ? number : null;

    private static DateTimeOffset? ParseDate(string value)
    {
        if (long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var epoch))
        {
            return epoch is >= -62135596800 and <= 253402300799 ? DateTimeOffset.FromUnixTimeSeconds(epoch) : null;
        }
        return DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var date) ? date : null;
    }

    private static byte[]? ParseBase64(string value)
    {
        var buffer = new byte[value.Length];
        return Convert.TryFromBase64String(value, buffer, out var written) ? buffer[..written] : null;
    }

    private static (byte[] Network, int Prefix)? ParseCidr(string value)
    {
        var slash = value.IndexOf('/', StringComparison.Ordinal);
        if (!IPAddress.TryParse(slash < 0 ? value : value[..slash], out var address))
        {
            return null;
        }
        var bytes = address.GetAddressBytes();
        var prefix = bytes.Length * 8;
        if (slash >= 0 && (!int.TryParse(value[(slash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out prefix)
            || prefix > bytes.Length * 8))
        {
            return null;
        }
        return (bytes, prefix);
    }

    private static bool InRange(IPAddress address, (byte[] Network, int Prefix) cidr)
    {
        if (address.IsIPv4MappedToIPv6 && cidr.Network.Length == 4)
        {
            address = address.MapToIPv4();
        }
        var bytes = address.GetAddressBytes();
        if (bytes.Length != cidr.Network.Length)
        {
            return false;
        }
        for (var bit = 0; bit < cidr.Prefix; bit++)
        {
            var mask = 0x80 >> (bit % 8);
            if ((bytes[bit / 8] & mask) != (cidr.Network[bit / 8] & mask))
            {
                return false;
            }
        }
        return true;
    }
}
