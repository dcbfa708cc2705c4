using Citadel.Audit;
using Citadel.Iam;

namespace Citadel.Server.Protocols;

/// <summary>One authenticated API call as the engines see it.</summary>
/// <param name="RequestId">The request id (x-amzn-RequestId, logs, audit record).</param>
/// <param name="Principal">The caller.</param>
/// <param name="SourceIp">The caller's address.</param>
/// <param name="UserAgent">The caller's User-Agent.</param>
public sealed record ApiCall(string RequestId, Principal Principal, string SourceIp, string? UserAgent);

/// <summary>What an operation returned: the response DTO and the resources it touched.</summary>
public sealed record OperationResult(object? Response, IReadOnlyList<AuditResource> Resources, IReadOnlyList<string> KeySpecs);

/// <summary>A domain error as the JSON protocol writes it.</summary>
public sealed record ServiceError(int Status, string Type, string Message);

/// <summary>An operation of a service.</summary>
/// <param name="Name">The operation name.</param>
/// <param name="ReadOnly">CloudTrail's readOnly.</param>
/// <param name="RequestType">The DTO the body is bound to.</param>
/// <param name="Execute">Runs it; <paramref name="Execute"/> reports touched resources even when it throws, through the collector.</param>
public sealed record ApiOperation(string Name, bool ReadOnly, Type RequestType, Func<ApiCall, object, ResourceCollector, CancellationToken, Task<object?>> Execute);

/// <summary>Collects the resources an operation touched, so failed calls are audited with them too.</summary>
public sealed class ResourceCollector
{
    /// <summary>Touched resources.</summary>
    public List<AuditResource> Resources { get; } = [];
    /// <summary>Key specs of touched keys, for metrics.</summary>
    public List<string> KeySpecs { get; } = [];

    private object? _serviceState;

    /// <summary>
    /// The service's one object for this request (KMS: its <see cref="Kms.KmsCall"/>), made on first use. Authorization
    /// and the operation both reach the request's resources through it, so what was authorized is what runs.
    /// </summary>
    public T ServiceState<T>(Func<T> create) where T : class => (T)(_serviceState ??= create());

    /// <summary>The touched resources, each ARN once (first mention kept), for the audit record.</summary>
    public List<AuditResource> DistinctResources()
    {
        // A request touches one or two resources: a scan, not DistinctBy's set and iterator.
        var distinct = new List<AuditResource>(Resources.Count);
        foreach (var resource in Resources)
        {
            var seen = false;
            foreach (var kept in distinct) seen |= kept.Arn == resource.Arn;
            if (!seen) distinct.Add(resource);
        }
        return distinct;
    }
}

/// <summary>A service of the API: its model (which names its protocol, awsJson or query), operations and error translation.</summary>
public interface IApiService
{
    /// <summary>The SigV4 scope service name that routes here (kms, cloudtrail).</summary>
    string ScopeName { get; }
    /// <summary>CloudTrail eventSource (kms.amazonaws.com).</summary>
    string EventSource { get; }
    /// <summary>The botocore model for validation.</summary>
    ServiceModel Model { get; }
    /// <summary>Whether the service needs the root key (refused while sealed).</summary>
    bool NeedsUnsealed { get; }
    /// <summary>Finds an operation by name.</summary>
    ApiOperation? Find(string operation);
    /// <summary>Translates a domain exception, or null when it is not one of this service's.</summary>
    ServiceError? MapError(Exception exception);

    /// <summary>
    /// The authorization questions a request asks (resolving the resources it names). Asked only for
    /// principals other than the account root. By default: the operation's action on any resource.
    /// </summary>
    Task<IReadOnlyList<Hosting.AuthorizationCheck>> ChecksAsync(ApiOperation operation, object request, ApiCall call, ResourceCollector resources, CancellationToken cancellationToken)
        => Task.FromResult<IReadOnlyList<Hosting.AuthorizationCheck>>([Hosting.AuthorizationCheck.OnAnyResource($"{ScopeName}:{operation.Name}")]);
}
