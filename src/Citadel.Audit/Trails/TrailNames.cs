using System.Net;
using System.Text.RegularExpressions;

namespace Citadel.Audit.Trails;

/// <summary>CloudTrail's rules for trail names, trail ARNs, bucket names and key prefixes.</summary>
public static partial class TrailNames
{
    /// <summary>The longest S3 key prefix CloudTrail accepts.</summary>
    public const int MaxPrefixLength = 200;

    /// <summary>
    /// Checks a trail name: 3 to 128 ASCII letters, digits, periods, underscores and dashes; starting and ending
    /// with a letter or digit; no two of <c>._-</c> adjacent; not an IP address.
    /// </summary>
    public static void Validate(string name)
    {
        if (name.Length < 3)
            throw Invalid($"Trail name too short. Minimum allowed length: 3 characters. Specified name length: {name.Length} characters.");
        if (name.Length > 128)
            throw Invalid($"Trail name too long. Maximum allowed length: 128 characters. Specified name length: {name.Length} characters.");
        if (!char.IsAsciiLetterOrDigit(name[0])) throw Invalid("Trail name must starts with a letter or number.");
        if (!char.IsAsciiLetterOrDigit(name[^1])) throw Invalid("Trail name must ends with a letter or number.");
        if (!NameCharacters().IsMatch(name))
            throw Invalid("Trail name or ARN can only contain uppercase letters, lowercase letters, numbers, periods (.), hyphens (-), and underscores (_).");
        if (AdjacentPunctuation().IsMatch(name))
            throw Invalid("Trail name cannot have adjacent periods, underscores or dashes. Names like my-_namespace and my--namespace are not valid.");
        if (IPAddress.TryParse(name, out _) && name.Count(c => c == '.') == 3)
            throw Invalid("Trail name cannot be formatted as an IP address.");
    }

    /// <summary>
    /// The trail name a Name parameter means: the name itself, or the name in a trail ARN of this account and
    /// region (<see cref="TrailErrorCode.CloudTrailARNInvalidException"/> for a malformed ARN,
    /// <see cref="TrailErrorCode.TrailNotFoundException"/> for another account's or region's).
    /// </summary>
    public static string Resolve(string nameOrArn, TrailSettings settings)
    {
        if (!nameOrArn.StartsWith("arn:", StringComparison.Ordinal))
        {
            Validate(nameOrArn);
            return nameOrArn;
        }
        var match = TrailArn().Match(nameOrArn);
        if (!match.Success)
            throw new TrailException(TrailErrorCode.CloudTrailARNInvalidException,
                $"{nameOrArn} is not a valid trail ARN. The format of a trail ARN is arn:aws:cloudtrail:us-east-2:123456789012:trail/MyTrail.");
        var name = match.Groups["name"].Value;
        Validate(name);
        if (match.Groups["partition"].Value != settings.Partition || match.Groups["region"].Value != settings.Region || match.Groups["account"].Value != settings.AccountId)
            throw NotFound(nameOrArn, settings);
        return name;
    }

    /// <summary>The error for a trail that does not exist, in AWS's words.</summary>
    public static TrailException NotFound(string nameOrArn, TrailSettings settings)
        => new(TrailErrorCode.TrailNotFoundException, $"Unknown trail: {nameOrArn} for the user: {settings.AccountId}");

    /// <summary>Checks an S3 bucket name (S3's rules for new buckets).</summary>
    public static void ValidateBucket(string bucket)
    {
        if (bucket.Length is < 3 or > 63 || !BucketCharacters().IsMatch(bucket) || bucket.Contains("..", StringComparison.Ordinal)
            || (IPAddress.TryParse(bucket, out _) && bucket.Count(c => c == '.') == 3))
            throw new TrailException(TrailErrorCode.InvalidS3BucketNameException,
                $"Bucket name {bucket} is not valid: use 3 to 63 lower-case letters, digits, periods and hyphens, starting and ending with a letter or digit.");
    }

    /// <summary>Checks an S3 key prefix (at most 200 characters); an empty prefix means none.</summary>
    public static string? ValidatePrefix(string? prefix)
    {
        if (string.IsNullOrEmpty(prefix)) return null;
        if (prefix.Length > MaxPrefixLength)
            throw new TrailException(TrailErrorCode.InvalidS3PrefixException, $"The S3 key prefix is longer than {MaxPrefixLength} characters.");
        return prefix;
    }

    private static TrailException Invalid(string message) => new(TrailErrorCode.InvalidTrailNameException, message);

    [GeneratedRegex("^[A-Za-z0-9._-]+$")]
    private static partial Regex NameCharacters();

    [GeneratedRegex("[._-]{2}")]
    private static partial Regex AdjacentPunctuation();

    [GeneratedRegex("^arn:(?<partition>[^:]+):cloudtrail:(?<region>[^:]+):(?<account>[0-9]{12}):trail/(?<name>[^/]+)$")]
    private static partial Regex TrailArn();

    [GeneratedRegex("^[a-z0-9][a-z0-9.-]*[a-z0-9]$")]
    private static partial Regex BucketCharacters();
}
