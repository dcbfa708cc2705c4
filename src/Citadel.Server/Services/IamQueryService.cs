using Citadel.Iam.Identity;
using Citadel.Iam.Operations;
using Citadel.Server.Protocols;

namespace Citadel.Server.Services;

/// <summary>IAM over the query protocol: the operations of <see cref="IamOperations"/>.</summary>
public sealed class IamQueryService(IamDirectory directory) : IApiService
{
    /// <inheritdoc />
    public string ScopeName => "iam";
    /// <inheritdoc />
    public string EventSource => "iam.amazonaws.com";
    /// <inheritdoc />
    public ServiceModel Model { get; } = ServiceModel.Load("iam");
    /// <inheritdoc />
    public bool NeedsUnsealed => true;

    /// <inheritdoc />
    public ApiOperation? Find(string operation) => operation switch
    {
        // The simulators use the server's policy evaluator, so they live here rather than in Citadel.Iam's operations.
        "SimulatePrincipalPolicy" => new ApiOperation(operation, true, typeof(SimulatePrincipalPolicyRequest), async (_, request, _, ct) =>
            await PolicySimulator.PrincipalAsync(directory, (SimulatePrincipalPolicyRequest)request, ct).ConfigureAwait(false)),
        "SimulateCustomPolicy" => new ApiOperation(operation, true, typeof(SimulateCustomPolicyRequest), (_, request, _, _) =>
            Task.FromResult<object?>(PolicySimulator.Custom(directory, (SimulateCustomPolicyRequest)request))),
        _ => IamOperations.All.TryGetValue(operation, out var op)
            ? new ApiOperation(op.Name, op.ReadOnly, op.RequestType, (call, request, _, ct) => op.ExecuteAsync(directory, call.Principal, request, ct))
            : null,
    };

    /// <inheritdoc />
    public async Task<IReadOnlyList<Hosting.AuthorizationCheck>> ChecksAsync(ApiOperation operation, object request, ApiCall call, ResourceCollector resources, CancellationToken cancellationToken)
    {
        // Operations on a user, group or role are checked on its ARN (with its path; for users the caller's own when
        // no name is given), as IAM does; one that does not exist yet (CreateUser, ...) is named with the request's path.
        var userName = request is IUserRequest user ? user.UserName ?? call.Principal.UserName : null;
        var resource = (request as IPolicyArnRequest)?.PolicyArn ?? "*";
        var path = (request as IPathRequest)?.Path ?? "/";
        var partition = call.Principal.Arn.Split(':')[1];
        if (userName is not null)
        {
            resource = (await directory.FindUserAsync(userName, cancellationToken).ConfigureAwait(false))?.Arn
                ?? $"arn:{partition}:iam::{call.Principal.AccountId}:user{path}{userName}";
        }
        if (request is IGroupRequest { GroupName: { } groupName })
        {
            resource = (await directory.FindGroupAsync(groupName, cancellationToken).ConfigureAwait(false))?.Arn
                ?? $"arn:{partition}:iam::{call.Principal.AccountId}:group{path}{groupName}";
        }
        // Role operations are checked on the role's ARN too, so a Deny or Allow naming a role applies to it.
        if (request is IRoleRequest { RoleName: { } roleName })
        {
            resource = (await directory.FindRoleAsync(roleName, cancellationToken).ConfigureAwait(false))?.Arn
                ?? $"arn:{partition}:iam::{call.Principal.AccountId}:role{path}{roleName}";
        }
        var checks = new List<Hosting.AuthorizationCheck> { new($"iam:{operation.Name}", resource, null, false, new Dictionary<string, IReadOnlyList<string>>()) };
        // Renaming or moving a user needs the permission on the user as it is and as it will be, as IAM asks.
        if (request is UpdateUserRequest update && (update.NewUserName is not null || update.NewPath is not null))
        {
            var current = await directory.FindUserAsync(update.UserName, cancellationToken).ConfigureAwait(false);
            var target = $"arn:{call.Principal.Arn.Split(':')[1]}:iam::{call.Principal.AccountId}:user{update.NewPath ?? current?.Path ?? "/"}{update.NewUserName ?? update.UserName}";
            checks.Add(new Hosting.AuthorizationCheck("iam:UpdateUser", target, null, false, new Dictionary<string, IReadOnlyList<string>>()));
        }
        return checks;
    }

    /// <inheritdoc />
    public ServiceError? MapError(Exception exception) => exception switch
    {
        IamException e when Model.ErrorOf(e.Code.ToString()) is { } wire => new ServiceError(wire.Status, wire.Code, e.Message),
        _ => null,
    };
}

/// <summary>GetCallerIdentity request (no members).</summary>
public sealed class GetCallerIdentityRequest;

/// <summary>GetCallerIdentity response.</summary>
public sealed class GetCallerIdentityResponse
{
    /// <summary>The caller's unique id (the account id for the root).</summary>
    public required string UserId { get; init; }
    /// <summary>The account.</summary>
    public required string Account { get; init; }
    /// <summary>The caller's ARN.</summary>
    public required string Arn { get; init; }
}
