using Citadel.Kms.Model;

namespace Citadel.Kms.Operations;

/// <summary>DescribeKey request.</summary>
public sealed class DescribeKeyRequest : IKeyRequest, IGrantTokensRequest
{
    /// <summary>Any key identifier form.</summary>
    public required string KeyId { get; init; }
    /// <summary>Grant tokens.</summary>
    public List<string>? GrantTokens { get; init; }
}

/// <summary>DescribeKey response.</summary>
public sealed class DescribeKeyResponse
{
    /// <summary>The key.</summary>
    public required KeyMetadata KeyMetadata { get; init; }
}

/// <summary>Returns a key's metadata.</summary>
public sealed class DescribeKey : KmsOperation<DescribeKeyRequest, DescribeKeyResponse>
{
    /// <inheritdoc />
    public override bool ReadOnly => true;

    /// <inheritdoc />
    public override async Task<DescribeKeyResponse> ExecuteAsync(KmsContext context, KmsCall call, DescribeKeyRequest request, CancellationToken cancellationToken)
    {
        var key = await call.KeyAsync(context, request.KeyId, cancellationToken).ConfigureAwait(false);
        call.Touch(key);
        return new DescribeKeyResponse { KeyMetadata = KeyMetadata.From(key, context.Settings) };
    }
}
