using Citadel.Kms.Model;

namespace Citadel.Kms.Keys;

/// <summary>Key state and key usage checks, with the error types and messages AWS gives.</summary>
public static class KeyGuards
{
    /// <summary>The key must be usable for cryptography: enabled, not pending deletion or import.</summary>
    public static void RequireEnabled(KeyRecord key)
    {
        switch (key.KeyState)
        {
            case "Enabled": return;
            case "Disabled": throw new KmsException(KmsErrorCode.Disabled, $"{key.Arn} is disabled.");
            case "PendingDeletion": throw new KmsException(KmsErrorCode.InvalidState, $"{key.Arn} is pending deletion.");
            case "PendingImport": throw new KmsException(KmsErrorCode.InvalidState, $"{key.Arn} is pending import.");
            default: throw new KmsException(KmsErrorCode.InvalidState, $"{key.Arn} is in state {key.KeyState}.");
        }
    }

    /// <summary>The key must not be pending deletion (for management operations).</summary>
    public static void RequireNotPendingDeletion(KeyRecord key)
    {
        if (key.KeyState == "PendingDeletion")
            throw new KmsException(KmsErrorCode.InvalidState, $"{key.Arn} is pending deletion.");
    }

    /// <summary>The key must have the usage the operation needs.</summary>
    public static void RequireUsage(KeyRecord key, string usage, string operation)
    {
        if (key.KeyUsage != usage)
            throw new KmsException(KmsErrorCode.InvalidKeyUsage, $"{key.Arn} key usage is {key.KeyUsage} which is not valid for {operation}.");
    }

    /// <summary>The key must be a symmetric encryption key (data keys, Encrypt with SYMMETRIC_DEFAULT).</summary>
    public static void RequireSymmetric(KeyRecord key, string operation)
    {
        RequireUsage(key, "ENCRYPT_DECRYPT", operation);
        if (key.KeySpec != "SYMMETRIC_DEFAULT")
            throw new KmsException(KmsErrorCode.InvalidKeyUsage, $"{key.Arn} key spec {key.KeySpec} is not valid for {operation}; it requires a SYMMETRIC_DEFAULT key.");
    }

    /// <summary>Customer operations on AWS-managed keys are refused, as AWS does.</summary>
    public static void RequireCustomerManaged(KeyRecord key, string operation)
    {
        if (key.KeyManager == "AWS")
            throw new KmsException(KmsErrorCode.UnsupportedOperation, $"{key.Arn} is an AWS managed key; {operation} is not supported on it.");
    }
}
