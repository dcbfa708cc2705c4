namespace Citadel.Kms.Operations;

/// <summary>
/// The Nitro Enclaves recipient of Decrypt, GenerateDataKey, GenerateDataKeyPair and GenerateRandom (not supported: any
/// recipient is refused). Typed like every other request member, so that only the model's members are bound and
/// audited; as a free-form object it carried whatever a client nested in it into the audit record, deeper than the
/// audit index reads.
/// </summary>
public sealed class RecipientInfo
{
    /// <summary>RSAES_OAEP_SHA_256.</summary>
    public string? KeyEncryptionAlgorithm { get; init; }
    /// <summary>The enclave's attestation document.</summary>
    public byte[]? AttestationDocument { get; init; }
}
