using System.Collections.Frozen;
using Citadel.Audit;
using Citadel.Kms;
using Citadel.Server.Protocols;

namespace Citadel.Server.Services;

/// <summary>KMS over awsJson1_1 (TrentService): every operation of <see cref="KmsOperations"/>.</summary>
public sealed class KmsJsonService(KmsContext context, IAuditStore audit) : IApiService
{
    /// <inheritdoc />
    public string ScopeName => "kms";
    /// <inheritdoc />
    public string EventSource => "kms.amazonaws.com";
    /// <inheritdoc />
    public ServiceModel Model { get; } = ServiceModel.Load("kms");
    /// <inheritdoc />
    public bool NeedsUnsealed => true;

    /// <inheritdoc />
    public ApiOperation? Find(string operation)
    {
        // Built on first use and kept: an operation's delegate closes over nothing of a request.
        _operations ??= BuildOperations();
        return _operations.GetValueOrDefault(operation);
    }

    private FrozenDictionary<string, ApiOperation>? _operations;

    private FrozenDictionary<string, ApiOperation> BuildOperations()
    {
        var operations = new Dictionary<string, ApiOperation>(StringComparer.Ordinal);
        foreach (var op in KmsOperations.All.Values)
            operations[op.Name] = new ApiOperation(op.Name, op.ReadOnly, op.RequestType, (call, request, resources, ct) => RunKmsAsync(op, call, request, resources, ct));
        // Served here, not by Citadel.Kms: it reads the audit trail.
        operations["GetKeyLastUsage"] = new("GetKeyLastUsage", true, typeof(GetKeyLastUsageRequest), (call, request, resources, ct) =>
            Run(call, resources, kmsCall => GetKeyLastUsage.ExecuteAsync(context, audit, kmsCall, (GetKeyLastUsageRequest)request, ct)));
        return operations.ToFrozenDictionary(StringComparer.Ordinal);
    }

    // The request's one KmsCall: authorization resolves keys through it, and the operation runs on what it resolved.
    private static KmsCall CallOf(ApiCall call, ResourceCollector resources)
        => resources.ServiceState(() => new KmsCall(call.Principal.Arn, call.Principal.AccountId));

    private async Task<object?> RunKmsAsync(IKmsOperation op, ApiCall call, object request, ResourceCollector resources, CancellationToken cancellationToken)
    {
        var kmsCall = CallOf(call, resources);
        try
        {
            await CheckKeyPolicyAsync(call, kmsCall, request, cancellationToken).ConfigureAwait(false);
            return await op.ExecuteAsync(context, kmsCall, request, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            Collect(kmsCall, resources);
        }
    }

    // Key policies are checked with the IAM policy grammar and the lockout rule, which Citadel.Kms cannot reach.
    private async Task CheckKeyPolicyAsync(ApiCall call, KmsCall kmsCall, object request, CancellationToken cancellationToken)
    {
        switch (request)
        {
            case Kms.Operations.CreateKeyRequest create:
                KeyPolicyGuard.Check(create.Policy, create.BypassPolicyLockoutSafetyCheck == true, call.Principal, context.Settings.Partition, "*");
                break;
            case Kms.Operations.PutKeyPolicyRequest put:
                var key = await kmsCall.KeyAsync(context, put.KeyId, cancellationToken).ConfigureAwait(false);
                KeyPolicyGuard.Check(put.Policy, put.BypassPolicyLockoutSafetyCheck == true, call.Principal, context.Settings.Partition, key.Arn);
                break;
            default:
                break;
        }
    }

    // Runs a KMS call and reports the keys it touched, even when it fails, for the audit record and metrics.
    private async Task<object?> Run<T>(ApiCall call, ResourceCollector resources, Func<KmsCall, Task<T>> execute)
    {
        var kmsCall = CallOf(call, resources);
        try
        {
            return await execute(kmsCall).ConfigureAwait(false);
        }
        finally
        {
            Collect(kmsCall, resources);
        }
    }

    // Reports the keys a call touched, even when it failed, for the audit record and metrics.
    private void Collect(KmsCall kmsCall, ResourceCollector resources)
    {
        foreach (var (arn, spec) in kmsCall.Touched)
        {
            resources.Resources.Add(new AuditResource("AWS::KMS::Key", arn, context.Settings.AccountId));
            resources.KeySpecs.Add(spec);
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<Hosting.AuthorizationCheck>> ChecksAsync(ApiOperation operation, object request, ApiCall call, ResourceCollector resources, CancellationToken cancellationToken)
        => KmsAuthorization.ChecksAsync(context, CallOf(call, resources), operation.Name, request, resources, cancellationToken);

    /// <inheritdoc />
    public ServiceError? MapError(Exception exception) => exception switch
    {
        KmsException { Code: KmsErrorCode.Sealed } e => new ServiceError(503, "ServiceUnavailableException", e.Message),
        KmsException { Code: KmsErrorCode.Internal } e => new ServiceError(500, e.AwsType, e.Message),
        KmsException e => new ServiceError(400, e.AwsType, e.Message),
        _ => null,
    };
}
