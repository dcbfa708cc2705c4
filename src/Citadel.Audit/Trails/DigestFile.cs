using System.Text;
using System.Text.Json;

namespace Citadel.Audit.Trails;

/// <summary>
/// A CloudTrail digest file: the log files a trail delivered since the previous digest, with their SHA-256
/// hashes, and the previous digest's location, hash and signature, which chains the digests. The digest itself is
/// signed (SHA256withRSA) over the string <c>aws cloudtrail validate-logs</c> rebuilds:
/// <code>digestEndTime \n digestS3Bucket/digestS3Object \n hex(SHA-256(uncompressed digest)) \n previousDigestSignature (or "null")</code>
/// and the hex signature travels in the object's metadata (<c>x-amz-meta-signature</c>), not in the file.
/// </summary>
public static class DigestFile
{
    /// <summary>The signature algorithm, in the file and in <c>x-amz-meta-signature-algorithm</c>.</summary>
    public const string SignatureAlgorithm = "SHA256withRSA";
    /// <summary>The hash algorithm of log files and of the previous digest.</summary>
    public const string HashAlgorithm = "SHA-256";

    /// <summary>The digest JSON (members in CloudTrail's order; nulls where CloudTrail writes null).</summary>
    public static string Build(string accountId, DateTimeOffset start, DateTimeOffset end, string bucket, string key, string fingerprint,
        DigestLink? previous, IReadOnlyList<DeliveredLogFile> logFiles)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("awsAccountId", accountId);
            json.WriteString("digestStartTime", TrailObjectKeys.Time(start));
            json.WriteString("digestEndTime", TrailObjectKeys.Time(end));
            json.WriteString("digestS3Bucket", bucket);
            json.WriteString("digestS3Object", key);
            json.WriteString("digestPublicKeyFingerprint", fingerprint);
            json.WriteString("digestSignatureAlgorithm", SignatureAlgorithm);
            WriteTimeOrNull(json, "newestEventTime", logFiles.Count == 0 ? null : logFiles.Max(f => f.NewestEventTime));
            WriteTimeOrNull(json, "oldestEventTime", logFiles.Count == 0 ? null : logFiles.Min(f => f.OldestEventTime));
            WriteOrNull(json, "previousDigestS3Bucket", previous?.Bucket);
            WriteOrNull(json, "previousDigestS3Object", previous?.Key);
            WriteOrNull(json, "previousDigestHashValue", previous?.HashValue);
            WriteOrNull(json, "previousDigestHashAlgorithm", previous is null ? null : HashAlgorithm);
            WriteOrNull(json, "previousDigestSignature", previous?.Signature);
            json.WriteStartArray("logFiles");
            foreach (var file in logFiles)
            {
                json.WriteStartObject();
                json.WriteString("s3Bucket", file.S3Bucket);
                json.WriteString("s3Object", file.S3Object);
                json.WriteString("hashValue", file.HashValue);
                json.WriteString("hashAlgorithm", HashAlgorithm);
                json.WriteString("newestEventTime", TrailObjectKeys.Time(file.NewestEventTime));
                json.WriteString("oldestEventTime", TrailObjectKeys.Time(file.OldestEventTime));
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>The string a digest's signature covers.</summary>
    public static byte[] SigningString(DateTimeOffset end, string bucket, string key, byte[] content, string? previousSignature)
        => Encoding.UTF8.GetBytes($"{TrailObjectKeys.Time(end)}\n{bucket}/{key}\n{TrailFiles.Sha256Hex(content)}\n{previousSignature ?? "null"}");

    private static void WriteOrNull(Utf8JsonWriter json, string name, string? value)
    {
        if (value is null) json.WriteNull(name);
        else json.WriteString(name, value);
    }

    private static void WriteTimeOrNull(Utf8JsonWriter json, string name, DateTimeOffset? value)
        => WriteOrNull(json, name, value is { } time ? TrailObjectKeys.Time(time) : null);
}
