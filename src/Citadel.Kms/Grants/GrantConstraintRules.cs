using Citadel.Kms.Model;

namespace Citadel.Kms.Grants;

/// <summary>How grant constraints decide: a request's encryption context against a grant, and a new grant against the grant that lets its creator create it.</summary>
public static class GrantConstraintRules
{
    /// <summary>Whether a grant has any constraint.</summary>
    public static bool IsConstrained(GrantConstraints? constraints)
        => constraints is not null && (constraints.EncryptionContextEquals is not null || constraints.EncryptionContextSubset is not null);

    /// <summary>
    /// Whether a request's encryption context satisfies the constraints: exactly the Equals pairs (no more, no
    /// fewer), and every Subset pair (others may be present). No constraint is always satisfied.
    /// </summary>
    public static bool Satisfies(GrantConstraints? constraints, IReadOnlyDictionary<string, string>? context)
    {
        if (constraints is null) return true;
        context ??= new Dictionary<string, string>();
        if (constraints.EncryptionContextEquals is { } equals && !(equals.Count == context.Count && Includes(context, equals)))
            return false;
        return constraints.EncryptionContextSubset is not { } subset || Includes(context, subset);
    }

    /// <summary>
    /// Whether every encryption context that satisfies <paramref name="child"/> also satisfies <paramref name="parent"/>:
    /// a grantee who got CreateGrant from a constrained grant may only create grants equally or more strictly constrained.
    /// </summary>
    public static bool AtLeastAsStrict(GrantConstraints? child, GrantConstraints? parent)
    {
        if (!IsConstrained(parent)) return true;
        if (!IsConstrained(child)) return false;
        if (parent!.EncryptionContextEquals is { } equals
            && !(child!.EncryptionContextEquals is { } childEquals && childEquals.Count == equals.Count && Includes(childEquals, equals)))
            return false;
        if (parent.EncryptionContextSubset is { } subset
            && !(child!.EncryptionContextEquals is { } exact && Includes(exact, subset))
            && !(child.EncryptionContextSubset is { } childSubset && Includes(childSubset, subset)))
            return false;
        return true;
    }

    /// <summary>Whether two constraint sets are the same (for CreateGrant retries with a Name).</summary>
    public static bool Same(GrantConstraints? a, GrantConstraints? b)
        => SameMap(a?.EncryptionContextEquals, b?.EncryptionContextEquals) && SameMap(a?.EncryptionContextSubset, b?.EncryptionContextSubset);

    private static bool SameMap(Dictionary<string, string>? a, Dictionary<string, string>? b)
        => a is null ? b is null : b is not null && a.Count == b.Count && Includes(a, b);

    // Case-sensitive, as KMS compares encryption contexts.
    private static bool Includes(IReadOnlyDictionary<string, string> whole, IReadOnlyDictionary<string, string> part)
        => part.All(p => whole.TryGetValue(p.Key, out var value) && string.Equals(value, p.Value, StringComparison.Ordinal));
}
