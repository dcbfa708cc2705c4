using Citadel.Kms.Keys;
using Citadel.Kms.Model;

namespace Citadel.Kms.Grants;

/// <summary>
/// The operations a grant can allow (the GrantOperation enum of the KMS model), which of them a key supports,
/// and which take an encryption context (the only ones grant constraints can govern).
/// </summary>
public static class GrantOperations
{
    /// <summary>Every GrantOperation value.</summary>
    public static readonly IReadOnlySet<string> All = new HashSet<string>(StringComparer.Ordinal)
    {
        "Decrypt", "Encrypt", "GenerateDataKey", "GenerateDataKeyWithoutPlaintext", "ReEncryptFrom", "ReEncryptTo", "Sign", "Verify",
        "GetPublicKey", "CreateGrant", "RetireGrant", "DescribeKey", "GenerateDataKeyPair", "GenerateDataKeyPairWithoutPlaintext",
        "GenerateMac", "VerifyMac", "DeriveSharedSecret",
    };

    /// <summary>Cryptographic operations with an EncryptionContext parameter: grant constraints apply to them.</summary>
    public static readonly IReadOnlySet<string> TakingEncryptionContext = new HashSet<string>(StringComparer.Ordinal)
    {
        "Decrypt", "Encrypt", "GenerateDataKey", "GenerateDataKeyWithoutPlaintext", "ReEncryptFrom", "ReEncryptTo",
        "GenerateDataKeyPair", "GenerateDataKeyPairWithoutPlaintext",
    };

    /// <summary>
    /// Operations a constrained grant may also include, though the constraint does not govern them as it does the
    /// cryptographic ones (for CreateGrant it bounds the grants created instead).
    /// </summary>
    public static readonly IReadOnlySet<string> AllowedBesideConstraints = new HashSet<string>(StringComparer.Ordinal) { "DescribeKey", "RetireGrant", "CreateGrant" };

    private static readonly string[] Common = ["CreateGrant", "RetireGrant", "DescribeKey"];

    /// <summary>The grant operations a key supports, by its spec and usage (what CreateGrant accepts for it).</summary>
    public static IReadOnlySet<string> SupportedBy(KeyRecord key)
    {
        string[] own = key.KeyUsage switch
        {
            "ENCRYPT_DECRYPT" when key.KeySpec == "SYMMETRIC_DEFAULT" =>
                ["Encrypt", "Decrypt", "GenerateDataKey", "GenerateDataKeyWithoutPlaintext", "GenerateDataKeyPair", "GenerateDataKeyPairWithoutPlaintext", "ReEncryptFrom", "ReEncryptTo"],
            "ENCRYPT_DECRYPT" => ["Encrypt", "Decrypt", "ReEncryptFrom", "ReEncryptTo", "GetPublicKey"],
            "SIGN_VERIFY" => ["Sign", "Verify", "GetPublicKey"],
            "GENERATE_VERIFY_MAC" => ["GenerateMac", "VerifyMac"],
            "KEY_AGREEMENT" => ["DeriveSharedSecret", "GetPublicKey"],
            _ => [],
        };
        return new HashSet<string>(own.Concat(Common), StringComparer.Ordinal);
    }

    /// <summary>
    /// Checks what CreateGrant asks for, with AWS's rule set: at least one operation, each a GrantOperation the key
    /// supports; constraints only on symmetric encryption keys and only beside operations that take an encryption
    /// context (or DescribeKey, RetireGrant, CreateGrant); at most 8 pairs and 384 characters per constraint.
    /// Throws ValidationException.
    /// </summary>
    public static void Validate(KeyRecord key, IReadOnlyList<string> operations, GrantConstraints? constraints)
    {
        if (operations.Count == 0)
            throw Invalid("A grant must allow at least one operation.");
        var unknown = operations.Where(o => !All.Contains(o)).ToList();
        if (unknown.Count > 0)
            throw Invalid($"[{string.Join(", ", unknown)}] are not grant operations.");
        var supported = SupportedBy(key);
        var unsupported = operations.Where(o => !supported.Contains(o)).Distinct(StringComparer.Ordinal).ToList();
        if (unsupported.Count > 0)
            throw Invalid($"Grant operations [{string.Join(", ", unsupported)}] are not valid for {key.Arn}: its key spec is {key.KeySpec} and its key usage {key.KeyUsage}.");
        if (constraints is null || (constraints.EncryptionContextEquals is null && constraints.EncryptionContextSubset is null)) return;
        if (key.KeySpec != "SYMMETRIC_DEFAULT")
            throw Invalid($"Encryption context grant constraints are not supported for {key.KeySpec} keys: their operations do not take an encryption context.");
        var ungoverned = operations.Where(o => !TakingEncryptionContext.Contains(o) && !AllowedBesideConstraints.Contains(o)).Distinct(StringComparer.Ordinal).ToList();
        if (ungoverned.Count > 0)
            throw Invalid($"Grant constraints apply only to operations that take an encryption context; [{string.Join(", ", ungoverned)}] do not.");
        foreach (var (name, pairs) in new[] { ("EncryptionContextEquals", constraints.EncryptionContextEquals), ("EncryptionContextSubset", constraints.EncryptionContextSubset) })
        {
            if (pairs is null) continue;
            if (pairs.Count > MaxPairs)
                throw Invalid($"{name} has {pairs.Count} encryption context pairs; a grant constraint can have at most {MaxPairs}.");
            var characters = pairs.Sum(p => p.Key.Length + p.Value.Length);
            if (characters > MaxCharacters)
                throw Invalid($"{name} has {characters} characters; a grant constraint can have at most {MaxCharacters}.");
        }
    }

    /// <summary>The most encryption context pairs one constraint may have.</summary>
    public const int MaxPairs = 8;

    /// <summary>The most characters (keys and values) one constraint may have.</summary>
    public const int MaxCharacters = 384;

    private static KmsException Invalid(string message) => new(KmsErrorCode.Validation, message);

    /// <summary>Whether <paramref name="grantId"/> is the form of a grant id: 64 lower-case hex characters.</summary>
    public static bool IsGrantId(string grantId) => grantId.Length == 64 && grantId.All(c => c is (>= '0' and <= '9') or (>= 'a' and <= 'f'));

    /// <summary>Throws InvalidGrantIdException unless <paramref name="grantId"/> has the form of a grant id.</summary>
    public static void RequireGrantId(string grantId)
    {
        if (!IsGrantId(grantId))
            throw new KmsException(KmsErrorCode.InvalidGrantId, $"Invalid grant id {grantId}: a grant id is 64 hexadecimal characters.");
    }

    /// <summary>
    /// A key gets grants only while it is enabled, as AWS's key state table has it for CreateGrant (the same row as
    /// Decrypt): DisabledException when disabled, KMSInvalidStateException when pending deletion or import.
    /// </summary>
    public static void RequireGrantable(KeyRecord key) => KeyGuards.RequireEnabled(key);
}
