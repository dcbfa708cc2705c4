namespace Citadel.Kms.Operations;

// The members of KMS requests that authorization and the shared operation stages read, as interfaces the request
// types implement: the compiler checks them, where reading them by name would silently skip a renamed member (and
// so widen a check). A test checks that every request type with such a member implements its interface.

/// <summary>A request that names one key (optional for Decrypt, ListAliases and RetireGrant).</summary>
public interface IKeyRequest
{
    /// <summary>Any key identifier form: key id, key ARN, alias name or alias ARN.</summary>
    string? KeyId { get; }
}

/// <summary>A request with an encryption context (kms:EncryptionContext:*, grant constraints).</summary>
public interface IEncryptionContextRequest
{
    /// <summary>The encryption context.</summary>
    Dictionary<string, string>? EncryptionContext { get; }
}

/// <summary>A request that may carry grant tokens (each must be one Citadel issued).</summary>
public interface IGrantTokensRequest
{
    /// <summary>Grant tokens.</summary>
    List<string>? GrantTokens { get; }
}

/// <summary>A request that may be a dry run (checks permission only).</summary>
public interface IDryRunRequest
{
    /// <summary>Whether the request is a dry run.</summary>
    bool? DryRun { get; }
}
