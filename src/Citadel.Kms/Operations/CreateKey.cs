using Citadel.Kms.Keys;
using Citadel.Kms.Model;

namespace Citadel.Kms.Operations;

/// <summary>CreateKey request.</summary>
public sealed class CreateKeyRequest
{
    /// <summary>Key policy; the default policy when absent.</summary>
    public string? Policy { get; init; }
    /// <summary>Description.</summary>
    public string? Description { get; init; }
    /// <summary>KeyUsage.</summary>
    public string? KeyUsage { get; init; }
    /// <summary>Deprecated twin of KeySpec.</summary>
    public string? CustomerMasterKeySpec { get; init; }
    /// <summary>KeySpec.</summary>
    public string? KeySpec { get; init; }
    /// <summary>AWS_KMS or EXTERNAL.</summary>
    public string? Origin { get; init; }
    /// <summary>Custom key store (not supported yet).</summary>
    public string? CustomKeyStoreId { get; init; }
    /// <summary>Skips the lockout check.</summary>
    public bool? BypassPolicyLockoutSafetyCheck { get; init; }
    /// <summary>Tags.</summary>
    public List<Tag>? Tags { get; init; }
    /// <summary>Multi-Region keys are not supported; only false.</summary>
    public bool? MultiRegion { get; init; }
    /// <summary>External key store key (not supported).</summary>
    public string? XksKeyId { get; init; }
}

/// <summary>CreateKey response.</summary>
public sealed class CreateKeyResponse
{
    /// <summary>The new key.</summary>
    public required KeyMetadata KeyMetadata { get; init; }
}

/// <summary>Creates a KMS key of any supported spec, with fresh material wrapped under the root key.</summary>
public sealed class CreateKey : KmsOperation<CreateKeyRequest, CreateKeyResponse>
{
    /// <inheritdoc />
    public override async Task<CreateKeyResponse> ExecuteAsync(KmsContext context, KmsCall call, CreateKeyRequest request, CancellationToken cancellationToken)
    {
        if (request.KeySpec is not null && request.CustomerMasterKeySpec is not null)
            throw new KmsException(KmsErrorCode.Validation, "You cannot specify KeySpec and CustomerMasterKeySpec in the same request. CustomerMasterKeySpec is deprecated.");
        var spec = request.KeySpec ?? request.CustomerMasterKeySpec ?? "SYMMETRIC_DEFAULT";
        if (!KeySpecs.Supported.Contains(spec))
            throw new KmsException(KmsErrorCode.UnsupportedOperation, $"KeySpec {spec} is not supported by Citadel.");
        var usage = request.KeyUsage ?? KeySpecs.DefaultUsage(spec);
        if (!KeySpecs.AllowedUsages(spec).Contains(usage))
            throw new KmsException(KmsErrorCode.Validation, $"KeyUsage {usage} is not compatible with KeySpec {spec}");
        var origin = request.Origin ?? "AWS_KMS";
        if (origin is not ("AWS_KMS" or "EXTERNAL"))
            throw new KmsException(KmsErrorCode.UnsupportedOperation, $"Origin {origin} is not supported by Citadel.");
        if (origin == "EXTERNAL" && spec != "SYMMETRIC_DEFAULT" && !KeySpecs.IsHmac(spec))
            throw new KmsException(KmsErrorCode.UnsupportedOperation, $"Citadel imports key material only for SYMMETRIC_DEFAULT and HMAC keys, not {spec}.");
        if (request.MultiRegion == true)
            throw new KmsException(KmsErrorCode.UnsupportedOperation, "Multi-Region keys are not supported by Citadel.");
        if (request.CustomKeyStoreId is not null || request.XksKeyId is not null)
            throw new KmsException(KmsErrorCode.UnsupportedOperation, "Custom key stores are not supported yet.");
        var policy = request.Policy ?? KeyPolicies.Default(context.Settings);
        if (request.Policy is not null) KeyPolicies.Validate(policy);
        TagRules.Validate(request.Tags);

        var record = KeyFactory.NewKey(context.Settings, context.Keys, context.Random, context.Time.GetUtcNow(), spec, usage, origin,
            request.Description ?? "", policy);
        foreach (var tag in request.Tags ?? []) record.Tags[tag.TagKey] = tag.TagValue;
        await context.Keys.CreateAsync(record, null, cancellationToken).ConfigureAwait(false);
        call.Touch(record);
        return new CreateKeyResponse { KeyMetadata = KeyMetadata.From(record, context.Settings) };
    }
}
