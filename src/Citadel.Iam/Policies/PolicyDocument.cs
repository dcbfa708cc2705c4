namespace Citadel.Iam.Policies;

/// <summary>Which kind of policy a document is, for the checks that differ between kinds.</summary>
public enum PolicyKind
{
    /// <summary>No kind-specific checks: Principal optional, Resource optional (e.g. trust policies).</summary>
    Any,
    /// <summary>An identity policy: no Principal/NotPrincipal, Resource or NotResource required.</summary>
    Identity,
    /// <summary>A resource policy (e.g. a key policy): Principal or NotPrincipal and Resource or NotResource required.</summary>
    Resource,
}

/// <summary>A parsed IAM policy document (policy language version 2012-10-17 or 2008-10-17).</summary>
public sealed record PolicyDocument
{
    /// <summary>The current policy language version; enables policy variables.</summary>
    public const string Version2012 = "2012-10-17";

    /// <summary>The legacy policy language version; <c>${...}</c> is literal text.</summary>
    public const string Version2008 = "2008-10-17";

    /// <summary>The maximum length in characters of a managed identity policy; callers check it.</summary>
    public const int MaxManagedPolicyLength = 6144;

    /// <summary>The language version; <see cref="Version2008"/> when the document omits it, as AWS.</summary>
    public required string Version { get; init; }

    /// <summary>The optional policy <c>Id</c>; callers may replace it (e.g. with the policy ARN or name) to label decisions.</summary>
    public string? Id { get; init; }

    /// <summary>The statements, in document order.</summary>
    public required IReadOnlyList<Statement> Statements { get; init; }

    /// <summary>True when policy variables (<c>${...}</c>) are substituted, i.e. version 2012-10-17.</summary>
    public bool SupportsVariables => Version == Version2012;

    /// <summary>Parses and validates a policy document.</summary>
    /// <exception cref="MalformedPolicyDocumentException">The document is not valid; the message says why.</exception>
    public static PolicyDocument Parse(string json, PolicyKind kind = PolicyKind.Any) => PolicyParser.Parse(json, kind);
}
