using Citadel.Crypto;
using Citadel.Kms.Grants;
using Citadel.Kms.Keys;
using Citadel.Kms.Model;

namespace Citadel.Kms.Operations;

/// <summary>CreateGrant request.</summary>
public sealed class CreateGrantRequest : IKeyRequest, IGrantTokensRequest, IDryRunRequest
{
    /// <summary>Key id or key ARN.</summary>
    public required string KeyId { get; init; }
    /// <summary>The principal ARN that gets the permissions.</summary>
    public required string GranteePrincipal { get; init; }
    /// <summary>The principal ARN that may retire the grant.</summary>
    public string? RetiringPrincipal { get; init; }
    /// <summary>GrantOperation names.</summary>
    public required List<string> Operations { get; init; }
    /// <summary>Encryption context constraints.</summary>
    public GrantConstraints? Constraints { get; init; }
    /// <summary>Grant tokens.</summary>
    public List<string>? GrantTokens { get; init; }
    /// <summary>A name: a retry with the same name and parameters returns the same grant.</summary>
    public string? Name { get; init; }
    /// <summary>Checks permission only.</summary>
    public bool? DryRun { get; init; }
}

/// <summary>CreateGrant response.</summary>
public sealed class CreateGrantResponse
{
    /// <summary>A token naming the grant (new on every call).</summary>
    public required string GrantToken { get; init; }
    /// <summary>The grant id.</summary>
    public required string GrantId { get; init; }
}

/// <summary>
/// Adds a grant to a key. The key must be enabled; the operations must suit the key and the
/// constraints the operations (see <see cref="GrantOperations.Validate"/>); the principals must exist. A request with
/// a Name and the same parameters as an existing grant of that name is a retry: it returns that grant's id (and a
/// new token) without creating another.
/// </summary>
public sealed class CreateGrant : KmsOperation<CreateGrantRequest, CreateGrantResponse>
{
    /// <inheritdoc />
    public override async Task<CreateGrantResponse> ExecuteAsync(KmsContext context, KmsCall call, CreateGrantRequest request, CancellationToken cancellationToken)
    {
        var key = await call.KeyAsync(context, request.KeyId, cancellationToken).ConfigureAwait(false);
        call.Touch(key);
        GrantOperations.RequireGrantable(key);
        var operations = request.Operations.Distinct(StringComparer.Ordinal).ToList();
        GrantOperations.Validate(key, operations, request.Constraints);
        await RequirePrincipalAsync(context, request.GranteePrincipal, cancellationToken).ConfigureAwait(false);
        if (request.RetiringPrincipal is { } retiring) await RequirePrincipalAsync(context, retiring, cancellationToken).ConfigureAwait(false);
        DryRuns.Check(request.DryRun);

        var now = context.Time.GetUtcNow();
        var (grant, _) = await context.Grants.CreateAsync(key.KeyId, (stored, existing) =>
        {
            // Checked again on the key as stored now: it may have been scheduled for deletion since it was read.
            GrantOperations.RequireGrantable(stored);
            if (request.Name is not null && existing.FirstOrDefault(g => IsRetryOf(g, request, operations)) is { } same)
                return (same, false);
            if (existing.Count >= context.Settings.MaxGrantsPerKey)
                throw new KmsException(KmsErrorCode.LimitExceeded, $"{stored.Arn} has {existing.Count} grants, the most a key can have.");
            return (new GrantRecord
            {
                GrantId = Convert.ToHexStringLower(context.Random.GetBytes(32)),
                KeyId = stored.KeyId,
                KeyArn = stored.Arn,
                Name = request.Name,
                CreationDate = now,
                GranteePrincipal = request.GranteePrincipal,
                RetiringPrincipal = request.RetiringPrincipal,
                IssuingAccount = context.Settings.RootArn,
                Operations = operations,
                Constraints = GrantConstraintRules.IsConstrained(request.Constraints) ? request.Constraints : null,
            }, true);
        }, cancellationToken).ConfigureAwait(false);
        return new CreateGrantResponse { GrantId = grant.GrantId, GrantToken = GrantTokens.Issue(context.Root.Current, context.Random, key.KeyId, grant.GrantId) };
    }

    // Same name and the same parameters: key (implied), grantee, retiring principal, operations (as a set) and constraints.
    private static bool IsRetryOf(GrantRecord grant, CreateGrantRequest request, List<string> operations)
        => grant.Name == request.Name
            && grant.GranteePrincipal == request.GranteePrincipal
            && grant.RetiringPrincipal == request.RetiringPrincipal
            && grant.Operations.Count == operations.Count && operations.All(o => grant.Operations.Contains(o, StringComparer.Ordinal))
            && GrantConstraintRules.Same(grant.Constraints, GrantConstraintRules.IsConstrained(request.Constraints) ? request.Constraints : null);

    private static async Task RequirePrincipalAsync(KmsContext context, string principal, CancellationToken cancellationToken)
    {
        var valid = PrincipalArns.IsPrincipalArn(principal)
            && (context.Principals is null || await context.Principals.ExistsAsync(principal, cancellationToken).ConfigureAwait(false));
        if (!valid) throw new KmsException(KmsErrorCode.InvalidArn, $"ARN does not refer to a valid principal: {principal}");
    }
}
