using Citadel.Audit;
using Citadel.Kms;
using Citadel.Server.Protocols;

namespace Citadel.Server.Services;

/// <summary>KMS over awsJson1_1 (TrentService): every operation of <see cref="KmsOperations"/>.</summary>
public sealed class KmsJsonService(KmsContext context) : IJsonService
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
    public JsonOperation? Find(string operation)
    {
        if (!KmsOperations.All.TryGetValue(operation, out var op)) return null;
        return new JsonOperation(op.Name, op.ReadOnly, op.RequestType, async (call, request, resources, ct) =>
        {
            var kmsCall = new KmsCall(call.Principal.Arn, call.Principal.AccountId);
            try
            {
                return await op.ExecuteAsync(context, kmsCall, request, ct).ConfigureAwait(false);
            }
            finally
            {
                foreach (var (arn, spec) in kmsCall.Touched)
                {
                    resources.Resources.Add(new AuditResource("AWS::KMS::Key", arn, context.Settings.AccountId));
                    resources.KeySpecs.Add(spec);
                }
            }
        });
    }

    /// <inheritdoc />
    public ServiceError? MapError(Exception exception) => exception switch
    {
        KmsException { Code: KmsErrorCode.Sealed } e => new ServiceError(503, "ServiceUnavailableException", e.Message),
        KmsException { Code: KmsErrorCode.Internal } e => new ServiceError(500, e.AwsType, e.Message),
        KmsException e => new ServiceError(400, e.AwsType, e.Message),
        _ => null,
    };
}
