namespace Citadel.Audit;

/// <summary>The lookup attributes of CloudTrail's LookupEvents.</summary>
public enum LookupAttribute
{
    /// <summary>Event id.</summary>
    EventId,
    /// <summary>Event (operation) name.</summary>
    EventName,
    /// <summary>"true" or "false".</summary>
    ReadOnly,
    /// <summary>The caller's user name.</summary>
    Username,
    /// <summary>A resource type, for example AWS::KMS::Key.</summary>
    ResourceType,
    /// <summary>A resource name (ARN).</summary>
    ResourceName,
    /// <summary>The service endpoint name.</summary>
    EventSource,
    /// <summary>The access key id that signed the call.</summary>
    AccessKeyId,
}

/// <summary>A LookupEvents query: at most one attribute, a time window, a page size and a continuation token.</summary>
public sealed record AuditQuery(LookupAttribute? Attribute, string? Value, DateTimeOffset? StartTime, DateTimeOffset? EndTime, int MaxResults, string? NextToken);

/// <summary>A stored event as LookupEvents returns it.</summary>
public sealed record StoredEvent(string EventId, string EventName, bool ReadOnly, string? AccessKeyId, DateTimeOffset EventTime,
    string EventSource, string? Username, IReadOnlyList<AuditResource> Resources, string CloudTrailEvent);

/// <summary>A page of events, newest first.</summary>
public sealed record AuditPage(IReadOnlyList<StoredEvent> Events, string? NextToken);

/// <summary>
/// The durable audit store. <see cref="AppendAsync"/> completes only once the event is on disk;
/// when the store cannot be written, it throws and the caller answers with an error (fail closed).
/// </summary>
public interface IAuditStore : IAsyncDisposable
{
    /// <summary>Stores the event durably.</summary>
    Task AppendAsync(AuditEvent auditEvent, CancellationToken cancellationToken = default);

    /// <summary>Looks events up, newest first.</summary>
    Task<AuditPage> LookupAsync(AuditQuery query, CancellationToken cancellationToken = default);

    /// <summary>
    /// The event of a request id (the x-amzn-RequestId a caller got), or null. CloudTrail's LookupEvents has no
    /// request id attribute; by default this scans the events, which a store with an index should answer faster.
    /// </summary>
    async Task<StoredEvent?> FindByRequestIdAsync(string requestId, CancellationToken cancellationToken = default)
    {
        string? token = null;
        do
        {
            var page = await LookupAsync(new AuditQuery(null, null, null, null, 50, token), cancellationToken).ConfigureAwait(false);
            foreach (var e in page.Events)
            {
                using var record = System.Text.Json.JsonDocument.Parse(e.CloudTrailEvent);
                if (record.RootElement.TryGetProperty("requestID", out var id) && id.GetString() == requestId) return e;
            }
            token = page.NextToken;
        }
        while (token is not null);
        return null;
    }
}

/// <summary>The audit store could not record an event.</summary>
public sealed class AuditUnavailableException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>The continuation token of a lookup is not valid.</summary>
public sealed class InvalidNextTokenException() : Exception("Invalid NextToken.");
