using System.Text.Json;
using System.Text.Json.Nodes;

namespace Citadel.Audit;

/// <summary>The caller of an audited request, as CloudTrail's <c>userIdentity</c>.</summary>
/// <param name="Type">Root, IAMUser, AssumedRole, or Unknown for unauthenticated callers.</param>
public sealed record AuditIdentity(string Type, string? PrincipalId, string? Arn, string? AccountId, string? AccessKeyId, string? UserName);

/// <summary>A resource an event touched, as CloudTrail's <c>resources[]</c> entry.</summary>
public sealed record AuditResource(string Type, string Arn, string AccountId);

/// <summary>
/// One audited API call in CloudTrail's record shape. Request parameters and response elements are
/// already sanitized by the caller: no plaintexts, ciphertext blobs or key material ever get here.
/// </summary>
public sealed class AuditEvent
{
    /// <summary>The CloudTrail record format version.</summary>
    public const string Version = "1.09";

    /// <summary>A unique id of this event.</summary>
    public required string EventId { get; init; }
    /// <summary>When the call was made.</summary>
    public required DateTimeOffset EventTime { get; init; }
    /// <summary>The service endpoint, for example kms.amazonaws.com.</summary>
    public required string EventSource { get; init; }
    /// <summary>The operation name.</summary>
    public required string EventName { get; init; }
    /// <summary>The region.</summary>
    public required string AwsRegion { get; init; }
    /// <summary>The caller's IP address.</summary>
    public required string SourceIpAddress { get; init; }
    /// <summary>The caller's User-Agent.</summary>
    public string? UserAgent { get; init; }
    /// <summary>Who called.</summary>
    public required AuditIdentity UserIdentity { get; init; }
    /// <summary>Sanitized request parameters.</summary>
    public JsonNode? RequestParameters { get; init; }
    /// <summary>Sanitized response elements (null for read-only calls, as CloudTrail does).</summary>
    public JsonNode? ResponseElements { get; init; }
    /// <summary>The error code when the call failed.</summary>
    public string? ErrorCode { get; init; }
    /// <summary>The error message when the call failed.</summary>
    public string? ErrorMessage { get; init; }
    /// <summary>The request id, also in the x-amzn-RequestId header and the logs.</summary>
    public required string RequestId { get; init; }
    /// <summary>Whether the call only reads.</summary>
    public required bool ReadOnly { get; init; }
    /// <summary>Resources the call touched.</summary>
    public IReadOnlyList<AuditResource> Resources { get; init; } = [];
    /// <summary>The account that received the call.</summary>
    public required string RecipientAccountId { get; init; }

    /// <summary>The record as CloudTrail's JSON.</summary>
    public JsonObject ToJson()
    {
        var identity = new JsonObject { ["type"] = UserIdentity.Type };
        if (UserIdentity.PrincipalId is not null) identity["principalId"] = UserIdentity.PrincipalId;
        if (UserIdentity.Arn is not null) identity["arn"] = UserIdentity.Arn;
        if (UserIdentity.AccountId is not null) identity["accountId"] = UserIdentity.AccountId;
        if (UserIdentity.AccessKeyId is not null) identity["accessKeyId"] = UserIdentity.AccessKeyId;
        if (UserIdentity.UserName is not null && UserIdentity.Type != "Root") identity["userName"] = UserIdentity.UserName;
        var record = new JsonObject
        {
            ["eventVersion"] = Version,
            ["userIdentity"] = identity,
            ["eventTime"] = EventTime.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture),
            ["eventSource"] = EventSource,
            ["eventName"] = EventName,
            ["awsRegion"] = AwsRegion,
            ["sourceIPAddress"] = SourceIpAddress,
            ["userAgent"] = UserAgent,
            ["requestParameters"] = RequestParameters?.DeepClone(),
            ["responseElements"] = ResponseElements?.DeepClone(),
        };
        if (ErrorCode is not null) record["errorCode"] = ErrorCode;
        if (ErrorMessage is not null) record["errorMessage"] = ErrorMessage;
        record["requestID"] = RequestId;
        record["eventID"] = EventId;
        record["readOnly"] = ReadOnly;
        if (Resources.Count > 0)
            record["resources"] = new JsonArray(Resources.Select(r => (JsonNode)new JsonObject { ["accountId"] = r.AccountId, ["type"] = r.Type, ["ARN"] = r.Arn }).ToArray());
        record["eventType"] = "AwsApiCall";
        record["managementEvent"] = true;
        record["recipientAccountId"] = RecipientAccountId;
        record["eventCategory"] = "Management";
        return record;
    }

    /// <summary>The record as compact CloudTrail JSON text.</summary>
    public string ToJsonString() => ToJson().ToJsonString(new JsonSerializerOptions { WriteIndented = false });
}
