namespace Citadel.Kms.Model;

/// <summary>
/// A grant on a KMS key, stored as its own document (<c>kms-grants/&lt;key id&gt;/&lt;grant id&gt;</c>) so that
/// reading a key for a cryptographic operation never reads its grants; the key's destruction deletes them in the
/// same atomic write.
/// </summary>
public sealed class GrantRecord
{
    /// <summary>64 lower-case hex characters, random.</summary>
    public required string GrantId { get; init; }
    /// <summary>The key id.</summary>
    public required string KeyId { get; init; }
    /// <summary>The key ARN (ListGrants shows it as KeyId).</summary>
    public required string KeyArn { get; init; }
    /// <summary>The name given at creation; a retry with the same name and parameters returns this grant.</summary>
    public string? Name { get; init; }
    /// <summary>When the grant was created.</summary>
    public required DateTimeOffset CreationDate { get; init; }
    /// <summary>The principal the grant gives permissions to (an ARN).</summary>
    public required string GranteePrincipal { get; init; }
    /// <summary>The principal that may retire the grant, if any.</summary>
    public string? RetiringPrincipal { get; init; }
    /// <summary>The account root ARN that issued the grant.</summary>
    public required string IssuingAccount { get; init; }
    /// <summary>The grant operations (GrantOperation names), without duplicates, in the order given.</summary>
    public required List<string> Operations { get; init; }
    /// <summary>Encryption context constraints, if any.</summary>
    public GrantConstraints? Constraints { get; init; }
}

/// <summary>
/// The GrantConstraints structure (wire and storage): the grant allows its cryptographic operations only when
/// the request's encryption context equals <see cref="EncryptionContextEquals"/> and includes every pair of
/// <see cref="EncryptionContextSubset"/>. Keys and values are compared case-sensitively.
/// </summary>
public sealed class GrantConstraints
{
    /// <summary>Pairs the request's encryption context must include (it may have more).</summary>
    public Dictionary<string, string>? EncryptionContextSubset { get; init; }
    /// <summary>The exact encryption context the request must have.</summary>
    public Dictionary<string, string>? EncryptionContextEquals { get; init; }
}
