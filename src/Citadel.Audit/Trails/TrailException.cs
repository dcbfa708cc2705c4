namespace Citadel.Audit.Trails;

/// <summary>The errors of the CloudTrail trail operations, named as the AWS error shapes.</summary>
public enum TrailErrorCode
{
    /// <summary>A trail of that name exists.</summary>
    TrailAlreadyExistsException,
    /// <summary>No trail of that name or ARN.</summary>
    TrailNotFoundException,
    /// <summary>The name breaks the naming rules.</summary>
    InvalidTrailNameException,
    /// <summary>The ARN is malformed.</summary>
    CloudTrailARNInvalidException,
    /// <summary>The bucket does not exist.</summary>
    S3BucketDoesNotExistException,
    /// <summary>The bucket name breaks S3's naming rules.</summary>
    InvalidS3BucketNameException,
    /// <summary>The key prefix is too long or malformed.</summary>
    InvalidS3PrefixException,
    /// <summary>The event selectors are not valid.</summary>
    InvalidEventSelectorsException,
    /// <summary>Parameters that cannot go together.</summary>
    InvalidParameterCombinationException,
    /// <summary>The region already has the most trails allowed.</summary>
    MaximumNumberOfTrailsExceededException,
    /// <summary>A tagged resource does not exist.</summary>
    ResourceNotFoundException,
    /// <summary>More than 50 tags.</summary>
    TagsLimitExceededException,
    /// <summary>A tag key or value is not valid.</summary>
    InvalidTagParameterException,
    /// <summary>Start time after end time.</summary>
    InvalidTimeRangeException,
    /// <summary>A continuation token that was not issued.</summary>
    InvalidTokenException,
    /// <summary>Citadel has no SNS: no topic exists.</summary>
    InsufficientSnsTopicPolicyException,
    /// <summary>Citadel has no CloudWatch Logs.</summary>
    CloudWatchLogsDeliveryUnavailableException,
    /// <summary>Citadel has no AWS Organizations.</summary>
    OrganizationsNotInUseException,
}

/// <summary>A CloudTrail trail error, translated to the protocol once, at the edge.</summary>
public sealed class TrailException(TrailErrorCode code, string message) : Exception(message)
{
    /// <summary>The AWS error type.</summary>
    public TrailErrorCode Code { get; } = code;
}
