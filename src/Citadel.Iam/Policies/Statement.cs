namespace Citadel.Iam.Policies;

/// <summary>Whether a statement allows or denies.</summary>
public enum Effect
{
    /// <summary>The statement allows the matching requests.</summary>
    Allow,
    /// <summary>The statement explicitly denies the matching requests; this overrides any allow.</summary>
    Deny,
}

/// <summary>One statement of a policy document. Exactly one of each Action/NotAction pair is set; the other is null.</summary>
public sealed record Statement
{
    /// <summary>The optional statement id.</summary>
    public string? Sid { get; init; }

    /// <summary>Allow or Deny.</summary>
    public required Effect Effect { get; init; }

    /// <summary>The <c>Principal</c> element, or null.</summary>
    public PolicyPrincipal? Principal { get; init; }

    /// <summary>The <c>NotPrincipal</c> element, or null.</summary>
    public PolicyPrincipal? NotPrincipal { get; init; }

    /// <summary>The <c>Action</c> patterns, or null when the statement uses <c>NotAction</c>.</summary>
    public IReadOnlyList<string>? Actions { get; init; }

    /// <summary>The <c>NotAction</c> patterns, or null.</summary>
    public IReadOnlyList<string>? NotActions { get; init; }

    /// <summary>The <c>Resource</c> patterns, or null when absent or the statement uses <c>NotResource</c>.</summary>
    public IReadOnlyList<string>? Resources { get; init; }

    /// <summary>The <c>NotResource</c> patterns, or null.</summary>
    public IReadOnlyList<string>? NotResources { get; init; }

    /// <summary>The condition clauses, all of which must hold (AND); empty when there is no <c>Condition</c>.</summary>
    public IReadOnlyList<Condition> Conditions { get; init; } = [];
}
