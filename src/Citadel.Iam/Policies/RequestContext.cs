namespace Citadel.Iam.Policies;

/// <summary>
/// What a request asks to do, and by whom, for policy evaluation: the action, the resource ARN, the principal,
/// and the condition keys (case-insensitive names, each with a list of string values).
/// </summary>
public sealed class RequestContext
{
    private readonly Dictionary<string, IReadOnlyList<string>> _keys = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Creates a context. <c>aws:PrincipalArn</c> and <c>aws:PrincipalAccount</c> are set from the principal
    /// unless <paramref name="keys"/> gives them.</summary>
    /// <param name="action">The action, e.g. <c>kms:Encrypt</c>.</param>
    /// <param name="resource">The resource ARN, or <c>*</c> for actions without a resource.</param>
    /// <param name="principalArn">The calling principal's ARN.</param>
    /// <param name="principalAccount">The calling principal's account id.</param>
    /// <param name="keys">The condition keys and their values.</param>
    public RequestContext(string action, string resource, string principalArn, string principalAccount,
        IEnumerable<KeyValuePair<string, IReadOnlyList<string>>>? keys = null)
    {
        Action = action;
        Resource = resource;
        PrincipalArn = principalArn;
        PrincipalAccount = principalAccount;
        foreach (var (key, values) in keys ?? [])
        {
            _keys[key] = values;
        }
        _keys.TryAdd("aws:PrincipalArn", [principalArn]);
        _keys.TryAdd("aws:PrincipalAccount", [principalAccount]);
    }

    /// <summary>The action, e.g. <c>kms:Encrypt</c>.</summary>
    public string Action { get; }

    /// <summary>The resource ARN.</summary>
    public string Resource { get; }

    /// <summary>The calling principal's ARN.</summary>
    public string PrincipalArn { get; }

    /// <summary>The calling principal's account id.</summary>
    public string PrincipalAccount { get; }

    /// <summary>The condition keys (case-insensitive) and their values.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> Keys => _keys;

    /// <summary>Sets a condition key's values (replacing any) and returns this context, for fluent set-up.</summary>
    public RequestContext With(string key, params string[] values)
    {
        _keys[key] = values;
        return this;
    }

    /// <summary>Gets a condition key's values; false when the key is absent.</summary>
    public bool TryGetValues(string key, out IReadOnlyList<string> values)
    {
        if (_keys.TryGetValue(key, out var found))
        {
            values = found;
            return true;
        }
        values = [];
        return false;
    }
}
