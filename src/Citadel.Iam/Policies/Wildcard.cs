namespace Citadel.Iam.Policies;

/// <summary>IAM wildcard matching: <c>*</c> matches any run of characters (including none), <c>?</c> exactly one.</summary>
public static class Wildcard
{
    /// <summary>Whether <paramref name="value"/> matches the whole <paramref name="pattern"/>.</summary>
    /// <param name="pattern">The pattern.</param>
    /// <param name="value">The text to match.</param>
    /// <param name="ignoreCase">True to compare characters ignoring case (actions), false for ordinal (resources).</param>
    /// <param name="literal">Optional per-character flags of the pattern: true marks a <c>*</c> or <c>?</c> that is literal
    /// (it came from a policy variable such as <c>${*}</c>).</param>
    public static bool Match(string pattern, string value, bool ignoreCase, IReadOnlyList<bool>? literal = null)
    {
        int p = 0, v = 0, starP = -1, starV = 0;
        while (v < value.Length)
        {
            if (p < pattern.Length && IsMeta(pattern, literal, p, '*'))
            {
                starP = p++;
                starV = v;
            }
            else if (p < pattern.Length && (IsMeta(pattern, literal, p, '?') || Same(pattern[p], value[v], ignoreCase)))
            {
                p++;
                v++;
            }
            else if (starP >= 0)
            {
                p = starP + 1;
                v = ++starV;
            }
            else
            {
                return false;
            }
        }
        while (p < pattern.Length && IsMeta(pattern, literal, p, '*'))
        {
            p++;
        }
        return p == pattern.Length;
    }

    /// <summary>
    /// ARN matching as IAM does it for <c>Resource</c> and <c>ArnLike</c>: the first five colon-separated components
    /// (arn, partition, service, region, account) and the rest (the resource, which may contain colons) are matched
    /// separately, case-sensitively, with wildcards. A pattern with fewer components is matched against the whole value.
    /// </summary>
    public static bool MatchArn(string pattern, string value, IReadOnlyList<bool>? literal = null)
    {
        var patternStarts = ComponentStarts(pattern);
        var valueStarts = ComponentStarts(value);
        if (patternStarts is null || valueStarts is null)
        {
            return Match(pattern, value, false, literal);
        }
        for (var i = 0; i < 6; i++)
        {
            var pEnd = i < 5 ? patternStarts[i + 1] - 1 : pattern.Length;
            var vEnd = i < 5 ? valueStarts[i + 1] - 1 : value.Length;
            var pStart = patternStarts[i];
            var part = pattern[pStart..pEnd];
            var mask = literal is null ? null : literal.Skip(pStart).Take(pEnd - pStart).ToArray();
            if (!Match(part, value[valueStarts[i]..vEnd], false, mask))
            {
                return false;
            }
        }
        return true;
    }

    private static int[]? ComponentStarts(string arn)
    {
        var starts = new int[6];
        var index = 0;
        for (var i = 1; i < 6; i++)
        {
            var colon = arn.IndexOf(':', index);
            if (colon < 0)
            {
                return null;
            }
            index = colon + 1;
            starts[i] = index;
        }
        return starts;
    }

    private static bool IsMeta(string pattern, IReadOnlyList<bool>? literal, int index, char meta) =>
        pattern[index] == meta && (literal is null || !literal[index]);

    private static bool Same(char a, char b, bool ignoreCase) =>
        a == b || (ignoreCase && char.ToUpperInvariant(a) == char.ToUpperInvariant(b));
}
