using System.Text;

namespace Citadel.Iam.Policies;

/// <summary>
/// Substitutes IAM policy variables: <c>${aws:username}</c> and any other single-valued request key,
/// <c>${key, 'default'}</c>, and the escapes <c>${*}</c>, <c>${?}</c>, <c>${$}</c> (literal characters).
/// </summary>
public static class PolicyVariables
{
    /// <summary>Substitutes the variables of <paramref name="text"/> from the request context.</summary>
    /// <param name="text">A resource or condition value from the policy.</param>
    /// <param name="context">The request context supplying the values.</param>
    /// <param name="result">The substituted text.</param>
    /// <param name="literal">Per character of <paramref name="result"/>: true when it came from a variable, so a <c>*</c>
    /// or <c>?</c> there is not a wildcard.</param>
    /// <returns>False when a variable has no value (absent or multivalued key and no default): the value cannot match.</returns>
    public static bool TrySubstitute(string text, RequestContext context, out string result, out bool[] literal)
    {
        if (!text.Contains("${", StringComparison.Ordinal))
        {
            result = text;
            literal = new bool[text.Length];
            return true;
        }
        var builder = new StringBuilder(text.Length);
        var flags = new List<bool>(text.Length);
        var index = 0;
        while (index < text.Length)
        {
            var start = text.IndexOf("${", index, StringComparison.Ordinal);
            var end = start < 0 ? -1 : text.IndexOf('}', start + 2);
            if (start < 0 || end < 0)
            {
                Append(builder, flags, text[index..], false);
                break;
            }
            Append(builder, flags, text[index..start], false);
            var value = Resolve(text[(start + 2)..end], context);
            if (value is null)
            {
                result = string.Empty;
                literal = [];
                return false;
            }
            Append(builder, flags, value, true);
            index = end + 1;
        }
        result = builder.ToString();
        literal = [.. flags];
        return true;
    }

    private static string? Resolve(string inner, RequestContext context)
    {
        var name = inner.Trim();
        string? fallback = null;
        var comma = name.IndexOf(',', StringComparison.Ordinal);
        if (comma >= 0)
        {
            fallback = name[(comma + 1)..].Trim();
            if (fallback.Length >= 2 && fallback[0] == '\'' && fallback[^1] == '\'')
            {
                fallback = fallback[1..^1];
            }
            name = name[..comma].Trim();
        }
        if (name is "*" or "?" or "$")
        {
            return name;
        }
        return context.TryGetValues(name, out var values) && values.Count == 1 ? values[0] : fallback;
    }

    private static void Append(StringBuilder builder, List<bool> flags, string part, bool isLiteral)
    {
        builder.Append(part);
        for (var i = 0; i < part.Length; i++)
        {
            flags.Add(isLiteral);
        }
    }
}
