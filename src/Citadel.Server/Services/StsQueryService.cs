using Citadel.Iam;
using Citadel.Iam.Identity;
using Citadel.Iam.Operations;
using Citadel.Server.Hosting;
using Citadel.Server.Protocols;

namespace Citadel.Server.Services;

/// <summary>
/// STS over the query protocol: GetCallerIdentity (needs no permission, as in AWS) and AssumeRole
/// (the role's trust policy decides, delegating to the caller's identity policies where it names the
/// account; temporary credentials come from <see cref="SessionTokens"/>).
/// </summary>
public sealed class StsQueryService(IamDirectory directory, SessionTokens sessions) : IApiService
{
    /// <inheritdoc />
    public string ScopeName => "sts";
    /// <inheritdoc />
    public string EventSource => "sts.amazonaws.com";
    /// <inheritdoc />
    public ServiceModel Model { get; } = ServiceModel.Load("sts");
    /// <inheritdoc />
    public bool NeedsUnsealed => false;

    /// <inheritdoc />
    public ApiOperation? Find(string operation) => operation switch
    {
        "GetCallerIdentity" => new ApiOperation("GetCallerIdentity", true, typeof(GetCallerIdentityRequest), (call, _, _, _) =>
            Task.FromResult<object?>(new GetCallerIdentityResponse { UserId = call.Principal.PrincipalId, Account = call.Principal.AccountId, Arn = call.Principal.Arn })),
        "AssumeRole" => new ApiOperation("AssumeRole", true, typeof(AssumeRoleRequest), async (call, request, _, ct) =>
            await AssumeRoleAsync(call.Principal, (AssumeRoleRequest)request, ct).ConfigureAwait(false)),
        _ => null,
    };

    /// <inheritdoc />
    public async Task<IReadOnlyList<AuthorizationCheck>> ChecksAsync(ApiOperation operation, object request, ApiCall call, ResourceCollector resources, CancellationToken cancellationToken)
    {
        if (request is not AssumeRoleRequest assume) return [AuthorizationCheck.OnAnyResource($"sts:{operation.Name}")];
        var tags = Validated(assume);
        var role = await RoleOfAsync(assume.RoleArn, cancellationToken).ConfigureAwait(false);
        // The request's condition keys, for the trust policy (and, where it delegates to the account, the caller's policies).
        var keys = new Dictionary<string, IReadOnlyList<string>>(StringComparer.OrdinalIgnoreCase) { ["sts:RoleSessionName"] = [assume.RoleSessionName] };
        if (assume.ExternalId is not null) keys["sts:ExternalId"] = [assume.ExternalId];
        if (assume.SourceIdentity is not null) keys["sts:SourceIdentity"] = [assume.SourceIdentity];
        foreach (var (key, value) in tags) keys[$"aws:RequestTag/{key}"] = [value];
        if (tags.Count > 0) keys["aws:TagKeys"] = tags.Keys.ToList();
        if (assume.TransitiveTagKeys is { Count: > 0 }) keys["sts:TransitiveTagKeys"] = assume.TransitiveTagKeys;
        // As in AWS, passing session tags also needs sts:TagSession, and a source identity sts:SetSourceIdentity, from the
        // same trust policy: otherwise whoever may assume a role could set its sessions' principal tags at will.
        var checks = new List<AuthorizationCheck> { new("sts:AssumeRole", role.Arn, role.AssumeRolePolicyDocument, true, keys) };
        if (tags.Count > 0 || assume.TransitiveTagKeys is { Count: > 0 }) checks.Add(new("sts:TagSession", role.Arn, role.AssumeRolePolicyDocument, true, keys));
        if (assume.SourceIdentity is not null) checks.Add(new("sts:SetSourceIdentity", role.Arn, role.AssumeRolePolicyDocument, true, keys));
        return checks;
    }

    // What the model cannot check (lengths and patterns it has checked), before authorization and again before issuing
    // (the root skips authorization). Returns the session tags by key: tag keys are case-insensitive (a session tag
    // overrides a role tag of the same key in any case), so two that differ only in case are refused, as AWS refuses them.
    private static Dictionary<string, string> Validated(AssumeRoleRequest request)
    {
        if (request.SourceIdentity?.StartsWith("aws:", StringComparison.OrdinalIgnoreCase) == true)
            throw new StsException(400, "ValidationError", "SourceIdentity cannot start with the reserved prefix aws:.");
        var tags = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var tag in request.Tags ?? [])
        {
            if (!tags.TryAdd(tag.Key, tag.Value))
                throw new StsException(400, "InvalidParameterValue", "Duplicate tag keys found. Please note that Tag keys are case insensitive.");
        }
        return tags;
    }

    /// <inheritdoc />
    public ServiceError? MapError(Exception exception) => exception switch
    {
        StsException e => new ServiceError(e.Status, e.Code, e.Message),
        _ => null,
    };

    private async Task<IamRoleRecord> RoleOfAsync(string roleArn, CancellationToken cancellationToken)
    {
        var name = roleArn.Split(':', 6) is { Length: 6 } parts && parts[2] == "iam" && parts[5].StartsWith("role/", StringComparison.Ordinal)
            ? parts[5][(parts[5].LastIndexOf('/') + 1)..]
            : throw new StsException(400, "ValidationError", $"{roleArn} is not a valid role ARN.");
        var role = await directory.FindRoleAsync(name, cancellationToken).ConfigureAwait(false);
        return role is not null && role.Arn == roleArn ? role : throw new StsException(403, "AccessDenied", $"Not authorized to perform sts:AssumeRole on {roleArn}: the role does not exist.");
    }

    private async Task<AssumeRoleResponse> AssumeRoleAsync(Principal caller, AssumeRoleRequest request, CancellationToken cancellationToken)
    {
        if (caller.IsRoot) throw new StsException(403, "AccessDenied", "Roles may not be assumed by root accounts.");
        if (request.Policy is not null || request.PolicyArns is { Count: > 0 })
            throw new StsException(400, "ValidationError", "Session policies are not supported by Citadel yet.");
        var role = await RoleOfAsync(request.RoleArn, cancellationToken).ConfigureAwait(false);
        var duration = request.DurationSeconds ?? 3600;
        if (duration > role.MaxSessionDuration)
            throw new StsException(400, "ValidationError", $"The requested DurationSeconds exceeds the MaxSessionDuration set for this role.");
        var tags = Validated(request);
        var issued = sessions.Issue(role.Arn, role.RoleId, caller.AccountId,
            new SessionRequest(request.RoleSessionName, tags.Count == 0 ? null : tags, request.SourceIdentity), TimeSpan.FromSeconds(duration));
        var roleName = role.RoleName;
        return new AssumeRoleResponse
        {
            Credentials = new SessionCredentials { AccessKeyId = issued.AccessKeyId, SecretAccessKey = issued.Secret, SessionToken = issued.Token, Expiration = issued.Expiration },
            AssumedRoleUser = new AssumedRoleUser
            {
                AssumedRoleId = $"{role.RoleId}:{request.RoleSessionName}",
                Arn = $"arn:{caller.Arn.Split(':')[1]}:sts::{caller.AccountId}:assumed-role/{roleName}/{request.RoleSessionName}",
            },
        };
    }
}

/// <summary>An STS error with its wire code and status.</summary>
public sealed class StsException(int status, string code, string message) : Exception(message)
{
    /// <summary>HTTP status.</summary>
    public int Status { get; } = status;
    /// <summary>Wire code.</summary>
    public string Code { get; } = code;
}

/// <summary>AssumeRole request.</summary>
public sealed class AssumeRoleRequest
{
    /// <summary>The role.</summary>
    public required string RoleArn { get; init; }
    /// <summary>Session name.</summary>
    public required string RoleSessionName { get; init; }
    /// <summary>Session policy ARNs (not supported yet).</summary>
    public List<object>? PolicyArns { get; init; }
    /// <summary>Session policy (not supported yet).</summary>
    public string? Policy { get; init; }
    /// <summary>900 to the role's MaxSessionDuration.</summary>
    public int? DurationSeconds { get; init; }
    /// <summary>Session tags.</summary>
    public List<TagView>? Tags { get; init; }
    /// <summary>Transitive tag keys (accepted, no role chaining yet).</summary>
    public List<string>? TransitiveTagKeys { get; init; }
    /// <summary>External id (condition key sts:ExternalId).</summary>
    public string? ExternalId { get; init; }
    /// <summary>Source identity: condition key sts:SourceIdentity, needs sts:SetSourceIdentity; the session's aws:SourceIdentity.</summary>
    public string? SourceIdentity { get; init; }
}

/// <summary>AssumeRole response.</summary>
public sealed class AssumeRoleResponse
{
    /// <summary>Temporary credentials.</summary>
    public required SessionCredentials Credentials { get; init; }
    /// <summary>The session's identity.</summary>
    public required AssumedRoleUser AssumedRoleUser { get; init; }
}

/// <summary>Temporary credentials.</summary>
public sealed class SessionCredentials
{
    /// <summary>ASIA...</summary>
    public required string AccessKeyId { get; init; }
    /// <summary>Secret.</summary>
    public required string SecretAccessKey { get; init; }
    /// <summary>The session token to send as X-Amz-Security-Token.</summary>
    public required string SessionToken { get; init; }
    /// <summary>When they stop working.</summary>
    public required DateTimeOffset Expiration { get; init; }
}

/// <summary>The identity of an assumed-role session.</summary>
public sealed class AssumedRoleUser
{
    /// <summary>RoleId:SessionName.</summary>
    public required string AssumedRoleId { get; init; }
    /// <summary>arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION.</summary>
    public required string Arn { get; init; }
}
