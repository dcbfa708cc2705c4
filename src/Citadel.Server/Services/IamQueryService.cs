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
    public ApiOperation? Find(string operation)
        => IamOperations.All.TryGetValue(operation, out var op)
            ? new ApiOperation(op.Name, op.ReadOnly, op.RequestType, (call, request, _, ct) => op.ExecuteAsync(directory, call.Principal, request, ct))
            : null;

    /// <inheritdoc />
    public ServiceError? MapError(Exception exception) => exception switch
    {
        IamException e when Model.ErrorOf(e.Code.ToString()) is { } wire => new ServiceError(wire.Status, wire.Code, e.Message),
        _ => null,
    };
}

/// <summary>STS over the query protocol: GetCallerIdentity (needs no permission, as in AWS).</summary>
public sealed class StsQueryService : IApiService
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
        _ => null,
    };

    /// <inheritdoc />
    public ServiceError? MapError(Exception exception) => null;
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
