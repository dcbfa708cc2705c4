using System.Text.Json;
using Citadel.Audit;
using Citadel.Kms;

namespace Citadel.Server.Services;

/// <summary>GetKeyLastUsage request.</summary>
public sealed class GetKeyLastUsageRequest : Kms.Operations.IKeyRequest
{
    /// <summary>Any key identifier form.</summary>
    public required string KeyId { get; init; }
}

/// <summary>The last successful cryptographic use of a key.</summary>
public sealed class KeyLastUsageData
{
    /// <summary>The operation.</summary>
    public required string Operation { get; init; }
    /// <summary>When.</summary>
    public required DateTimeOffset Timestamp { get; init; }
    /// <summary>The CloudTrail eventID of that call.</summary>
    public required string CloudTrailEventId { get; init; }
    /// <summary>The request id of that call.</summary>
    public required string KmsRequestId { get; init; }
}

/// <summary>GetKeyLastUsage response.</summary>
public sealed class GetKeyLastUsageResponse
{
    /// <summary>Key ARN.</summary>
    public required string KeyId { get; init; }
    /// <summary>Absent when the key was never used for a successful cryptographic operation.</summary>
    public KeyLastUsageData? KeyLastUsage { get; init; }
    /// <summary>Since when usage is tracked: Citadel tracks every key from its creation.</summary>
    public required DateTimeOffset TrackingStartDate { get; init; }
    /// <summary>When the key was created.</summary>
    public required DateTimeOffset KeyCreationDate { get; init; }
}

/// <summary>
/// KMS GetKeyLastUsage, answered from the audit trail: the newest successful cryptographic call that
/// names the key as a resource. It lives in the server because it joins KMS (the key) and the audit store
/// (its usage), which the engines keep apart.
/// </summary>
public static class GetKeyLastUsage
{
    /// <summary>The operations AWS counts as cryptographic use (KeyLastUsageTrackingOperation).</summary>
    public static readonly IReadOnlySet<string> TrackedOperations = new HashSet<string>(StringComparer.Ordinal)
    {
        "Decrypt", "DeriveSharedSecret", "Encrypt", "GenerateDataKey", "GenerateDataKeyPair", "GenerateDataKeyPairWithoutPlaintext",
        "GenerateDataKeyWithoutPlaintext", "GenerateMac", "ReEncrypt", "Sign", "Verify", "VerifyMac",
    };

    /// <summary>Runs the operation.</summary>
    public static async Task<GetKeyLastUsageResponse> ExecuteAsync(KmsContext kms, IAuditStore audit, KmsCall call, GetKeyLastUsageRequest request, CancellationToken cancellationToken)
    {
        var key = await call.KeyAsync(kms, request.KeyId, cancellationToken).ConfigureAwait(false);
        call.Touch(key);
        KeyLastUsageData? last = null;
        string? token = null;
        do
        {
            var page = await audit.LookupAsync(new AuditQuery(LookupAttribute.ResourceName, key.Arn, null, null, 50, token), cancellationToken).ConfigureAwait(false);
            foreach (var e in page.Events)
            {
                if (!TrackedOperations.Contains(e.EventName)) continue;
                using var record = JsonDocument.Parse(e.CloudTrailEvent);
                if (record.RootElement.TryGetProperty("errorCode", out _)) continue;
                last = new KeyLastUsageData
                {
                    Operation = e.EventName,
                    Timestamp = e.EventTime,
                    CloudTrailEventId = e.EventId,
                    KmsRequestId = record.RootElement.GetProperty("requestID").GetString()!,
                };
                break;
            }
            token = last is null ? page.NextToken : null;
        }
        while (token is not null);
        return new GetKeyLastUsageResponse { KeyId = key.Arn, KeyLastUsage = last, TrackingStartDate = key.CreationDate, KeyCreationDate = key.CreationDate };
    }
}
