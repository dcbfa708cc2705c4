using System.Globalization;

namespace Citadel.Audit.Trails;

/// <summary>
/// The S3 keys CloudTrail delivers to (the trail's S3KeyPrefix and a slash in front when it has one):
/// <code>
/// AWSLogs/{account}/CloudTrail/{region}/{yyyy}/{MM}/{dd}/{account}_CloudTrail_{region}_{yyyyMMdd}T{HHmm}Z_{unique16}.json.gz
/// AWSLogs/{account}/CloudTrail-Digest/{region}/{yyyy}/{MM}/{dd}/{account}_CloudTrail-Digest_{region}_{trail}_{region}_{yyyyMMdd}T{HHmmss}Z.json.gz
/// </code>
/// A log file is named for its delivery time, a digest for its end time (UTC), as <c>aws cloudtrail validate-logs</c>
/// expects: it lists digests by the time in their names.
/// </summary>
public static class TrailObjectKeys
{
    private const string UniqueAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

    /// <summary>The key of a log file delivered at <paramref name="deliveredAt"/>; <paramref name="unique"/> is 16 random bytes.</summary>
    public static string LogFile(string? prefix, TrailSettings settings, DateTimeOffset deliveredAt, ReadOnlySpan<byte> unique)
    {
        var t = deliveredAt.UtcDateTime;
        var name = string.Create(16, unique.ToArray(), static (chars, bytes) =>
        {
            for (var i = 0; i < chars.Length; i++) chars[i] = UniqueAlphabet[bytes[i] % UniqueAlphabet.Length];
        });
        return Prefixed(prefix, string.Create(CultureInfo.InvariantCulture,
            $"AWSLogs/{settings.AccountId}/CloudTrail/{settings.Region}/{t:yyyy/MM/dd}/{settings.AccountId}_CloudTrail_{settings.Region}_{t:yyyyMMdd'T'HHmm'Z'}_{name}.json.gz"));
    }

    /// <summary>The key of a trail's digest ending at <paramref name="endTime"/>.</summary>
    public static string Digest(string? prefix, TrailSettings settings, string trailName, DateTimeOffset endTime)
    {
        var t = endTime.UtcDateTime;
        return Prefixed(prefix, string.Create(CultureInfo.InvariantCulture,
            $"AWSLogs/{settings.AccountId}/CloudTrail-Digest/{settings.Region}/{t:yyyy/MM/dd}/{settings.AccountId}_CloudTrail-Digest_{settings.Region}_{trailName}_{settings.Region}_{t:yyyyMMdd'T'HHmmss'Z'}.json.gz"));
    }

    /// <summary>CloudTrail's time format in files: ISO 8601 in UTC to the second.</summary>
    public static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static string Prefixed(string? prefix, string key) => string.IsNullOrEmpty(prefix) ? key : prefix + "/" + key;
}
