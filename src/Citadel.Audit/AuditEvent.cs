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
    public AuditJson? RequestParameters { get; init; }
    /// <summary>Sanitized response elements (null for read-only calls, as CloudTrail does).</summary>
    public AuditJson? ResponseElements { get; init; }
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

    /// <summary>The record as CloudTrail's JSON, as a node tree (parsed from <see cref="ToUtf8Json"/>, the one writer of the record).</summary>
    public JsonObject ToJson() => JsonNode.Parse(ToUtf8Json())!.AsObject();

    /// <summary>The record as compact CloudTrail JSON text.</summary>
    public string ToJsonString() => System.Text.Encoding.UTF8.GetString(ToUtf8Json());

    /// <summary>
    /// The record as compact CloudTrail JSON in UTF-8, written straight from the fields without building a node tree
    /// (this runs once per request).
    /// </summary>
    public byte[] ToUtf8Json() => WriteToThreadBuffer().ToArray();

    /// <summary>
    /// The record as <see cref="ToUtf8Json"/> writes it, in the first <paramref name="length"/> bytes of an array rented
    /// from <see cref="System.Buffers.ArrayPool{T}.Shared"/>, which the caller returns: the audit store's copy of every
    /// request's record, held only until its batch is written.
    /// </summary>
    public byte[] RentUtf8Json(out int length)
    {
        var json = WriteToThreadBuffer();
        length = json.Length;
        var rented = System.Buffers.ArrayPool<byte>.Shared.Rent(length);
        json.CopyTo(rented);
        return rented;
    }

    /// <summary>Writes the record into this thread's buffer; the span is valid until the thread writes the next record.</summary>
    private ReadOnlySpan<byte> WriteToThreadBuffer()
    {
        // One buffer and writer per thread, reused: a fresh 1 KiB buffer grew to 2 KiB for most records and was copied
        // out again, ~3 KiB of garbage per request. Only the record's own bytes are allocated now.
        var buffer = t_buffer ??= new System.Buffers.ArrayBufferWriter<byte>(4096);
        var w = t_writer ??= new Utf8JsonWriter(buffer);
        buffer.ResetWrittenCount();
        w.Reset(buffer);
        try
        {
            w.WriteStartObject();
            w.WriteString("eventVersion", Version);
            w.WriteStartObject("userIdentity");
            w.WriteString("type", UserIdentity.Type);
            if (UserIdentity.PrincipalId is not null) w.WriteString("principalId", UserIdentity.PrincipalId);
            if (UserIdentity.Arn is not null) w.WriteString("arn", UserIdentity.Arn);
            if (UserIdentity.AccountId is not null) w.WriteString("accountId", UserIdentity.AccountId);
            if (UserIdentity.AccessKeyId is not null) w.WriteString("accessKeyId", UserIdentity.AccessKeyId);
            if (UserIdentity.UserName is not null && UserIdentity.Type != "Root") w.WriteString("userName", UserIdentity.UserName);
            w.WriteEndObject();
            w.WriteString("eventTime", EventTime.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture));
            w.WriteString("eventSource", EventSource);
            w.WriteString("eventName", EventName);
            w.WriteString("awsRegion", AwsRegion);
            w.WriteString("sourceIPAddress", SourceIpAddress);
            w.WriteString("userAgent", UserAgent);
            WriteNode(w, "requestParameters", RequestParameters);
            WriteNode(w, "responseElements", ResponseElements);
            if (ErrorCode is not null) w.WriteString("errorCode", ErrorCode);
            if (ErrorMessage is not null) w.WriteString("errorMessage", ErrorMessage);
            w.WriteString("requestID", RequestId);
            w.WriteString("eventID", EventId);
            w.WriteBoolean("readOnly", ReadOnly);
            if (Resources.Count > 0)
            {
                w.WriteStartArray("resources");
                foreach (var r in Resources)
                {
                    w.WriteStartObject();
                    w.WriteString("accountId", r.AccountId);
                    w.WriteString("type", r.Type);
                    w.WriteString("ARN", r.Arn);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
            }
            w.WriteString("eventType", "AwsApiCall");
            w.WriteBoolean("managementEvent", true);
            w.WriteString("recipientAccountId", RecipientAccountId);
            w.WriteString("eventCategory", "Management");
            w.WriteEndObject();
            w.Flush();
            return buffer.WrittenSpan;
        }
        finally
        {
            // A record bigger than usual (a large policy) does not keep its buffer alive on the thread (the span returned
            // still holds it until the caller has copied it).
            if (buffer.Capacity > 64 << 10) t_buffer = null;
            w.Reset();
        }
    }

    [ThreadStatic] private static System.Buffers.ArrayBufferWriter<byte>? t_buffer;
    [ThreadStatic] private static Utf8JsonWriter? t_writer;

    private static void WriteNode(Utf8JsonWriter writer, string name, AuditJson? value)
    {
        writer.WritePropertyName(name);
        if (value is null) writer.WriteNullValue();
        else value.WriteTo(writer);
    }
}
