using System.Globalization;
using System.Net;
using System.Text;
using Citadel.Crypto;

namespace Citadel.ObjectStore;

/// <summary>S3's bucket naming rules for general purpose buckets.</summary>
public static class BucketNames
{
    private static readonly string[] ReservedPrefixes = ["xn--", "sthree-", "amzn-s3-demo-"];
    private static readonly string[] ReservedSuffixes = ["-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"];

    /// <summary>Throws InvalidBucketName unless <paramref name="name"/> follows the rules.</summary>
    public static void Validate(string name)
    {
        if (!IsValid(name))
            throw new ObjectStoreException(ObjectStoreError.InvalidBucketName, "The specified bucket is not valid.", name);
    }

    /// <summary>Whether <paramref name="name"/> is a valid bucket name.</summary>
    public static bool IsValid(string name)
        => name.Length is >= 3 and <= 63
            && name.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '.' or '-')
            && char.IsAsciiLetterOrDigit(name[0]) && char.IsAsciiLetterOrDigit(name[^1])
            && !name.Contains("..", StringComparison.Ordinal)
            && !IPAddress.TryParse(name, out _)
            && !ReservedPrefixes.Any(p => name.StartsWith(p, StringComparison.Ordinal))
            && !ReservedSuffixes.Any(s => name.EndsWith(s, StringComparison.Ordinal));
}

/// <summary>S3's object key limit.</summary>
public static class ObjectKeyNames
{
    /// <summary>Throws KeyTooLong for keys over 1024 UTF-8 bytes, InvalidArgument for empty keys.</summary>
    public static void Validate(string key)
    {
        if (key.Length == 0) throw new ObjectStoreException(ObjectStoreError.InvalidArgument, "The object key must not be empty.");
        if (Encoding.UTF8.GetByteCount(key) > 1024) throw new ObjectStoreException(ObjectStoreError.KeyTooLong, "Your key is too long", key);
    }
}

/// <summary>S3's user metadata limit: 2 KB of names and values (UTF-8).</summary>
public static class MetadataLimits
{
    /// <summary>The limit in bytes.</summary>
    public const int MaxUserMetadataBytes = 2048;

    /// <summary>Throws MetadataTooLarge when the metadata exceeds 2 KB.</summary>
    public static void Validate(IReadOnlyDictionary<string, string> metadata)
    {
        var size = metadata.Sum(m => Encoding.UTF8.GetByteCount(m.Key) + Encoding.UTF8.GetByteCount(m.Value));
        if (size > MaxUserMetadataBytes)
            throw new ObjectStoreException(ObjectStoreError.MetadataTooLarge, $"Your metadata headers exceed the maximum allowed metadata size of {MaxUserMetadataBytes} bytes.");
    }
}

/// <summary>Blob names: creation time (hex seconds) and 128 random bits, so garbage collection can spare blobs still being written.</summary>
public static class BlobNames
{
    /// <summary>A new unique blob name.</summary>
    public static string New(DateTimeOffset now, IRandom random)
        => now.ToUnixTimeSeconds().ToString("x10", CultureInfo.InvariantCulture) + "-" + Convert.ToHexStringLower(random.GetBytes(16));

    /// <summary>Whether <paramref name="name"/> can name a blob in any backend: at least 8 characters of lower-case letters, digits and dashes.</summary>
    public static bool IsWellFormed(string name)
        => name.Length >= 8 && name.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-');

    /// <summary>Whether the blob was created before <paramref name="cutoff"/> (unparseable names count as old).</summary>
    public static bool CreatedBefore(string name, DateTimeOffset cutoff)
        => name.Length < 10 || !long.TryParse(name.AsSpan(0, 10), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var seconds)
            || seconds < cutoff.ToUnixTimeSeconds();
}
