namespace Citadel.Kms;

/// <summary>KMS error types; the JSON adapter writes each as <c>__type</c> = name + "Exception" where AWS does.</summary>
public enum KmsErrorCode
{
    /// <summary>NotFoundException.</summary>
    NotFound,
    /// <summary>DisabledException.</summary>
    Disabled,
    /// <summary>KMSInvalidStateException.</summary>
    InvalidState,
    /// <summary>InvalidKeyUsageException.</summary>
    InvalidKeyUsage,
    /// <summary>InvalidCiphertextException.</summary>
    InvalidCiphertext,
    /// <summary>IncorrectKeyException.</summary>
    IncorrectKey,
    /// <summary>InvalidArnException.</summary>
    InvalidArn,
    /// <summary>AlreadyExistsException.</summary>
    AlreadyExists,
    /// <summary>InvalidAliasNameException.</summary>
    InvalidAliasName,
    /// <summary>InvalidMarkerException.</summary>
    InvalidMarker,
    /// <summary>ValidationException.</summary>
    Validation,
    /// <summary>UnsupportedOperationException.</summary>
    UnsupportedOperation,
    /// <summary>MalformedPolicyDocumentException.</summary>
    MalformedPolicyDocument,
    /// <summary>TagException.</summary>
    Tag,
    /// <summary>LimitExceededException.</summary>
    LimitExceeded,
    /// <summary>KMSInvalidSignatureException.</summary>
    InvalidSignature,
    /// <summary>KMSInvalidMacException.</summary>
    InvalidMac,
    /// <summary>InvalidImportTokenException.</summary>
    InvalidImportToken,
    /// <summary>ExpiredImportTokenException.</summary>
    ExpiredImportToken,
    /// <summary>IncorrectKeyMaterialException.</summary>
    IncorrectKeyMaterial,
    /// <summary>ConflictException.</summary>
    Conflict,
    /// <summary>DryRunOperationException.</summary>
    DryRunOperation,
    /// <summary>InvalidGrantTokenException.</summary>
    InvalidGrantToken,
    /// <summary>InvalidGrantIdException.</summary>
    InvalidGrantId,
    /// <summary>KMSInternalException.</summary>
    Internal,
    /// <summary>The server is sealed: no key material is available.</summary>
    Sealed,
}

/// <summary>A KMS domain error, translated to the protocol's error shape at the edge.</summary>
public sealed class KmsException(KmsErrorCode code, string message) : Exception(message)
{
    /// <summary>The error type.</summary>
    public KmsErrorCode Code { get; } = code;

    /// <summary>The AWS error type name.</summary>
    public string AwsType => Code switch
    {
        KmsErrorCode.InvalidState => "KMSInvalidStateException",
        KmsErrorCode.InvalidSignature => "KMSInvalidSignatureException",
        KmsErrorCode.InvalidMac => "KMSInvalidMacException",
        KmsErrorCode.Internal => "KMSInternalException",
        KmsErrorCode.Sealed => "KMSInternalException",
        _ => Code + "Exception",
    };
}
