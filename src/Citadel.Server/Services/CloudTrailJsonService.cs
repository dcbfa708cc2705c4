using Citadel.Audit;
using Citadel.Audit.Trails;
using Citadel.Audit.Trails.Operations;
using Citadel.Server.Protocols;

namespace Citadel.Server.Services;

/// <summary>CloudTrail over awsJson1_1: LookupEvents over the audit store, and trails (<see cref="TrailOperations"/>).</summary>
public sealed class CloudTrailJsonService(IAuditStore audit, TrailContext trails) : IApiService
{
    /// <inheritdoc />
    public string ScopeName => "cloudtrail";
    /// <inheritdoc />
    public string EventSource => "cloudtrail.amazonaws.com";
    /// <inheritdoc />
    public ServiceModel Model { get; } = ServiceModel.Load("cloudtrail");
    /// <inheritdoc />
    public bool NeedsUnsealed => false;

    /// <inheritdoc />
    public ApiOperation? Find(string operation) => operation switch
    {
        "LookupEvents" => new ApiOperation("LookupEvents", true, typeof(LookupEventsRequest),
            async (_, request, _, ct) => await LookupEventsAsync((LookupEventsRequest)request, ct).ConfigureAwait(false)),
        _ => TrailOperations.All.TryGetValue(operation, out var op)
            ? new ApiOperation(op.Name, op.ReadOnly, op.RequestType, (_, request, _, ct) => op.ExecuteAsync(trails, request, ct))
            : null,
    };

    /// <inheritdoc />
    public Task<IReadOnlyList<Hosting.AuthorizationCheck>> ChecksAsync(ApiOperation operation, object request, ApiCall call, ResourceCollector resources, CancellationToken cancellationToken)
    {
        // Trail operations are checked on the trail's ARN, as CloudTrail does (a trail that does not exist yet, by the ARN it would have).
        var named = (request as ITrailRequest)?.Trail;
        var resource = named is null ? "*" : named.StartsWith("arn:", StringComparison.Ordinal) ? named : trails.Settings.TrailArn(named);
        return Task.FromResult<IReadOnlyList<Hosting.AuthorizationCheck>>([new Hosting.AuthorizationCheck($"cloudtrail:{operation.Name}", resource, null, false, new Dictionary<string, IReadOnlyList<string>>())]);
    }

    /// <inheritdoc />
    public ServiceError? MapError(Exception exception) => exception switch
    {
        CloudTrailException e => new ServiceError(400, e.Type, e.Message),
        TrailException e => new ServiceError(Model.ErrorOf(e.Code.ToString())?.Status ?? 400, e.Code.ToString(), e.Message),
        InvalidNextTokenException e => new ServiceError(400, "InvalidNextTokenException", e.Message),
        _ => null,
    };

    private async Task<LookupEventsResponse> LookupEventsAsync(LookupEventsRequest request, CancellationToken cancellationToken)
    {
        if (request.LookupAttributes is { Count: > 1 })
            throw new CloudTrailException("InvalidLookupAttributesException", "You cannot specify more than one lookup attribute.");
        if (request.StartTime is { } start && request.EndTime is { } end && start > end)
            throw new CloudTrailException("InvalidTimeRangeException", "Start time must be before end time.");
        if (request.EventCategory is not null && request.EventCategory != "insight")
            throw new CloudTrailException("InvalidEventCategoryException", "Event category must be insight.");
        if (request.EventCategory == "insight")
            return new LookupEventsResponse { Events = [] };
        var attribute = request.LookupAttributes is { Count: 1 } ? request.LookupAttributes[0] : null;
        var page = await audit.LookupAsync(new AuditQuery(
            attribute is null ? null : Enum.Parse<LookupAttribute>(attribute.AttributeKey),
            attribute?.AttributeValue, request.StartTime, request.EndTime, request.MaxResults ?? 50, request.NextToken), cancellationToken).ConfigureAwait(false);
        return new LookupEventsResponse
        {
            Events = page.Events.Select(e => new EventEntry
            {
                EventId = e.EventId,
                EventName = e.EventName,
                ReadOnly = e.ReadOnly ? "true" : "false",
                AccessKeyId = e.AccessKeyId,
                EventTime = e.EventTime,
                EventSource = e.EventSource,
                Username = e.Username,
                Resources = e.Resources.Select(r => new ResourceEntry { ResourceType = r.Type, ResourceName = r.Arn }).ToList(),
                CloudTrailEvent = e.CloudTrailEvent,
            }).ToList(),
            NextToken = page.NextToken,
        };
    }
}

/// <summary>A CloudTrail error with its AWS type.</summary>
public sealed class CloudTrailException(string type, string message) : Exception(message)
{
    /// <summary>The AWS error type.</summary>
    public string Type { get; } = type;
}

/// <summary>LookupEvents request.</summary>
public sealed class LookupEventsRequest
{
    /// <summary>At most one attribute.</summary>
    public List<LookupAttributeEntry>? LookupAttributes { get; init; }
    /// <summary>Inclusive start.</summary>
    public DateTimeOffset? StartTime { get; init; }
    /// <summary>Inclusive end.</summary>
    public DateTimeOffset? EndTime { get; init; }
    /// <summary>Only "insight" (no Insights events are recorded).</summary>
    public string? EventCategory { get; init; }
    /// <summary>1 to 50.</summary>
    public int? MaxResults { get; init; }
    /// <summary>Continuation.</summary>
    public string? NextToken { get; init; }
}

/// <summary>A lookup attribute.</summary>
public sealed class LookupAttributeEntry
{
    /// <summary>The attribute.</summary>
    public required string AttributeKey { get; init; }
    /// <summary>The value.</summary>
    public required string AttributeValue { get; init; }
}

/// <summary>LookupEvents response.</summary>
public sealed class LookupEventsResponse
{
    /// <summary>Events, newest first.</summary>
    public required List<EventEntry> Events { get; init; }
    /// <summary>Continuation.</summary>
    public string? NextToken { get; init; }
}

/// <summary>An event as LookupEvents returns it.</summary>
public sealed class EventEntry
{
    /// <summary>Event id.</summary>
    public required string EventId { get; init; }
    /// <summary>Operation.</summary>
    public required string EventName { get; init; }
    /// <summary>"true"/"false".</summary>
    public required string ReadOnly { get; init; }
    /// <summary>Signing key.</summary>
    public string? AccessKeyId { get; init; }
    /// <summary>Time.</summary>
    public DateTimeOffset EventTime { get; init; }
    /// <summary>Service.</summary>
    public required string EventSource { get; init; }
    /// <summary>User name.</summary>
    public string? Username { get; init; }
    /// <summary>Resources.</summary>
    public List<ResourceEntry>? Resources { get; init; }
    /// <summary>The whole record as JSON.</summary>
    public required string CloudTrailEvent { get; init; }
}

/// <summary>A resource of an event.</summary>
public sealed class ResourceEntry
{
    /// <summary>Type.</summary>
    public string? ResourceType { get; init; }
    /// <summary>Name.</summary>
    public string? ResourceName { get; init; }
}
