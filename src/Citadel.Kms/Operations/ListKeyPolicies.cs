using Citadel.Kms.Keys;

namespace Citadel.Kms.Operations;

/// <summary>ListKeyPolicies request.</summary>
public sealed class ListKeyPoliciesRequest : IKeyRequest
{
    /// <summary>Key id or key ARN.</summary>
    public required string KeyId { get; init; }
    /// <summary>Page size, 1 to 1000 (default 100); there is only one policy.</summary>
    public int? Limit { get; init; }
    /// <summary>The NextMarker of the previous page.</summary>
    public string? Marker { get; init; }
}

/// <summary>ListKeyPolicies response.</summary>
public sealed class ListKeyPoliciesResponse
{
    /// <summary>Always ["default"].</summary>
    public required List<string> PolicyNames { get; init; }
    /// <summary>Marker of the next page (never set).</summary>
    public string? NextMarker { get; init; }
    /// <summary>Always false.</summary>
    public bool Truncated { get; init; }
}

/// <summary>Lists the names of a key's policies: always just "default".</summary>
public sealed class ListKeyPolicies : KmsOperation<ListKeyPoliciesRequest, ListKeyPoliciesResponse>
{
    /// <inheritdoc />
    public override bool ReadOnly => true;

    /// <inheritdoc />
    public override async Task<ListKeyPoliciesResponse> ExecuteAsync(KmsContext context, KmsCall call, ListKeyPoliciesRequest request, CancellationToken cancellationToken)
    {
        var key = await call.KeyAsync(context, request.KeyId, cancellationToken).ConfigureAwait(false);
        call.Touch(key);
        return new ListKeyPoliciesResponse { PolicyNames = [KeyPolicies.DefaultName], Truncated = false };
    }
}
