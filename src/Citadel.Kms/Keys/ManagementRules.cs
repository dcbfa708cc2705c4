using System.Globalization;
using Citadel.Kms.Model;

namespace Citadel.Kms.Keys;

/// <summary>Checks shared by the key management operations (state, aliases, tags, rotation, paging).</summary>
public static class ManagementRules
{
    /// <summary>The most on-demand rotations a key can have.</summary>
    public const int MaxOnDemandRotations = 25;

    /// <summary>The rotation period when none is given.</summary>
    public const int DefaultRotationPeriodInDays = 365;

    /// <summary>A management change to a key: refused on AWS-managed keys and on keys pending deletion.</summary>
    public static void RequireManageable(KeyRecord key, string operation)
    {
        KeyGuards.RequireCustomerManaged(key, operation);
        KeyGuards.RequireNotPendingDeletion(key);
    }

    /// <summary>The key must not be waiting for imported key material.</summary>
    public static void RequireNotPendingImport(KeyRecord key)
    {
        if (key.KeyState == "PendingImport")
            throw new KmsException(KmsErrorCode.InvalidState, $"{key.Arn} is pending import.");
    }

    /// <summary>Rotation is only for symmetric encryption keys with KMS-generated material.</summary>
    public static void RequireRotatable(KeyRecord key)
    {
        if (key.KeySpec != "SYMMETRIC_DEFAULT")
            throw new KmsException(KmsErrorCode.UnsupportedOperation, $"{key.Arn} key spec {key.KeySpec} is not valid for this operation.");
        if (key.Origin != "AWS_KMS")
            throw new KmsException(KmsErrorCode.UnsupportedOperation, $"{key.Arn} origin is {key.Origin} which is not valid for this operation.");
    }

    /// <summary>Whether automatic rotation is in effect (a key pending deletion reports false but keeps its setting).</summary>
    public static bool RotationInEffect(KeyRecord key) => key.RotationEnabled && key.KeyState != "PendingDeletion";

    /// <summary>The page size of a List operation: the default when absent, at most <paramref name="max"/>.</summary>
    public static int PageSize(int? limit, int defaultValue, int max)
    {
        if (limit is null) return defaultValue;
        if (limit > max)
            throw new KmsException(KmsErrorCode.Validation,
                $"1 validation error detected: Value '{limit.Value.ToString(CultureInfo.InvariantCulture)}' at 'limit' failed to satisfy constraint: Member must have value less than or equal to {max.ToString(CultureInfo.InvariantCulture)}");
        if (limit < 1)
            throw new KmsException(KmsErrorCode.Validation,
                $"1 validation error detected: Value '{limit.Value.ToString(CultureInfo.InvariantCulture)}' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1");
        return limit.Value;
    }

    /// <summary>The class of a key for UpdateAlias: symmetric, asymmetric or HMAC.</summary>
    public static string KeyClass(string keySpec) => keySpec == "SYMMETRIC_DEFAULT" ? "SYMMETRIC" : KeySpecs.IsHmac(keySpec) ? "HMAC" : "ASYMMETRIC";

    /// <summary>Checks an alias name a customer creates, updates or deletes.</summary>
    public static void ValidateAliasName(string aliasName)
    {
        if (!aliasName.StartsWith("alias/", StringComparison.Ordinal))
            throw new KmsException(KmsErrorCode.Validation,
                "Alias must start with the prefix \"alias/\". Please see https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html");
        if (aliasName.Length == "alias/".Length)
            throw new KmsException(KmsErrorCode.InvalidAliasName, "Alias name must contain a name after the prefix \"alias/\".");
        if (aliasName.StartsWith("alias/aws/", StringComparison.Ordinal))
            throw new KmsException(KmsErrorCode.InvalidAliasName, "The alias/aws/ prefix is reserved for AWS managed keys.");
        if (aliasName.Contains(':', StringComparison.Ordinal))
            throw new KmsException(KmsErrorCode.Validation, $"{aliasName} contains invalid characters for an alias");
    }

    /// <summary>Resolves the target of CreateAlias/UpdateAlias: a key id or key ARN, never an alias.</summary>
    public static async Task<KeyRecord> ResolveAliasTargetAsync(KmsContext context, KmsCall call, string targetKeyId, CancellationToken cancellationToken)
    {
        if (targetKeyId.StartsWith("alias/", StringComparison.Ordinal)
            || (targetKeyId.StartsWith("arn:", StringComparison.Ordinal) && targetKeyId.Contains(":alias/", StringComparison.Ordinal)))
            throw new KmsException(KmsErrorCode.Validation, "Aliases must refer to keys. Not aliases");
        return await call.KeyAsync(context, targetKeyId, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The NotFoundException AWS gives for a missing alias.</summary>
    public static KmsException AliasNotFound(KmsContext context, string aliasName)
        => new(KmsErrorCode.NotFound, $"Alias {context.Settings.AliasArn(aliasName)} is not found.");

    /// <summary>Throws NotFoundException unless the policy name is absent or "default", the only key policy name.</summary>
    public static void RequirePolicyName(string? policyName)
    {
        if (policyName is not null && policyName != KeyPolicies.DefaultName)
            throw new KmsException(KmsErrorCode.NotFound, $"No such policy exists: {policyName}. The only key policy name is {KeyPolicies.DefaultName}.");
    }
}
