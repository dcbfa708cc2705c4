namespace Citadel.Audit.Trails.Operations;

/// <summary>ListPublicKeys request.</summary>
public sealed class ListPublicKeysRequest
{
    /// <summary>Start of the window (default now).</summary>
    public DateTimeOffset? StartTime { get; init; }
    /// <summary>End of the window (default now).</summary>
    public DateTimeOffset? EndTime { get; init; }
    /// <summary>Reserved by AWS; no token is ever issued.</summary>
    public string? NextToken { get; init; }
}

/// <summary>A public key as ListPublicKeys returns it.</summary>
public sealed class PublicKeyView
{
    /// <summary>The DER PKCS#1 public key (base64 on the wire).</summary>
    public required byte[] Value { get; init; }
    /// <summary>When it began signing.</summary>
    public DateTimeOffset ValidityStartTime { get; init; }
    /// <summary>When it stops signing.</summary>
    public DateTimeOffset ValidityEndTime { get; init; }
    /// <summary>Hex MD5 of <see cref="Value"/>, as digests name it.</summary>
    public required string Fingerprint { get; init; }
}

/// <summary>ListPublicKeys response.</summary>
public sealed class ListPublicKeysResponse
{
    /// <summary>The keys.</summary>
    public required List<PublicKeyView> PublicKeyList { get; init; }
}

/// <summary>
/// The public keys whose private keys signed digests in the window (by default: the current key). When the window
/// reaches the present, a current key is made first if the last one has expired and the server is unsealed, so
/// there always is one, as in AWS.
/// </summary>
public sealed class ListPublicKeys : TrailOperation<ListPublicKeysRequest, ListPublicKeysResponse>
{
    /// <inheritdoc />
    public override bool ReadOnly => true;

    /// <inheritdoc />
    public override async Task<ListPublicKeysResponse> ExecuteAsync(TrailContext context, ListPublicKeysRequest request, CancellationToken cancellationToken)
    {
        if (request.NextToken is not null)
            throw new TrailException(TrailErrorCode.InvalidTokenException, "Reserved for future use.");
        var now = context.Time.GetUtcNow();
        var start = request.StartTime ?? now;
        var end = request.EndTime ?? now;
        if (start > end)
            throw new TrailException(TrailErrorCode.InvalidTimeRangeException, "Start time must be before end time.");
        if (end >= now)
        {
            try
            {
                await context.Keys.EnsureCurrentAsync(now, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException and not TrailException)
            {
                // Sealed: no new key can be wrapped; the stored ones are still listed.
            }
        }
        var keys = await context.Keys.ListAsync(start, end, cancellationToken).ConfigureAwait(false);
        return new ListPublicKeysResponse
        {
            PublicKeyList = keys.Select(k => new PublicKeyView { Value = k.Value, ValidityStartTime = k.ValidityStartTime, ValidityEndTime = k.ValidityEndTime, Fingerprint = k.Fingerprint }).ToList(),
        };
    }
}
