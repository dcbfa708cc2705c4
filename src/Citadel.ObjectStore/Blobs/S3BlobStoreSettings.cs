using System.Text;

namespace Citadel.ObjectStore.Blobs;

/// <summary>
/// Where <see cref="S3BlobStore"/> keeps blobs: a bucket (and optional key prefix) of an S3-compatible
/// service. Bound from configuration (<c>Citadel:S3Backend</c>); an empty <see cref="Endpoint"/> means the
/// blobs stay in the data directory.
/// </summary>
public sealed class S3BlobStoreSettings
{
    /// <summary>Smallest part of a multipart upload that S3 accepts (all parts but the last), in MiB.</summary>
    public const int MinPartSizeMiB = 5;

    /// <summary>Largest part size accepted here, in MiB (each write buffers one part in memory).</summary>
    public const int MaxPartSizeMiB = 1024;

    /// <summary>The service's URL, for example <c>https://s3.eu-west-1.amazonaws.com</c> or <c>http://minio:9000</c>.</summary>
    public string? Endpoint { get; set; }

    /// <summary>The bucket that holds the blobs; it must exist.</summary>
    public string? Bucket { get; set; }

    /// <summary>Key prefix of every blob (a <c>/</c> is added when missing); empty for the bucket's root.</summary>
    public string Prefix { get; set; } = "";

    /// <summary>The region requests are signed for.</summary>
    public string Region { get; set; } = "us-east-1";

    /// <summary>Access key id of the backend credentials.</summary>
    public string? AccessKeyId { get; set; }

    /// <summary>Secret access key of the backend credentials.</summary>
    public string? SecretAccessKey { get; set; }

    /// <summary>Path-style addressing (<c>endpoint/bucket/key</c>) instead of virtual-host style (<c>bucket.endpoint/key</c>).</summary>
    public bool ForcePathStyle { get; set; } = true;

    /// <summary>A PEM file of CA certificates that replaces the system's trusted roots for the backend connection.</summary>
    public string? CaBundle { get; set; }

    /// <summary>Size of the parts of a multipart upload, in MiB; blobs up to this size are one PUT.</summary>
    public int PartSizeMiB { get; set; } = 16;

    /// <summary>Whether an S3 backend is configured (<see cref="Endpoint"/> is set).</summary>
    public bool IsEnabled => !string.IsNullOrWhiteSpace(Endpoint);

    /// <summary>The key prefix as used: empty, or ending with <c>/</c>.</summary>
    public string NormalizedPrefix => Prefix.Length == 0 || Prefix.EndsWith('/') ? Prefix : Prefix + "/";

    /// <summary>Checks the settings; returns the problems, each naming its setting as <paramref name="section"/>:Name.</summary>
    public IReadOnlyList<string> Validate(string section)
    {
        var errors = new List<string>();
        if (!IsEnabled)
        {
            if (!string.IsNullOrEmpty(Bucket) || !string.IsNullOrEmpty(Prefix) || AccessKeyId is not null || SecretAccessKey is not null || CaBundle is not null)
                errors.Add($"{section}:Endpoint must be set to use the other {section} settings (without it, blobs stay in the data directory).");
            return errors;
        }
        if (!Uri.TryCreate(Endpoint, UriKind.Absolute, out var endpoint) || endpoint.Scheme is not ("http" or "https")
            || !string.IsNullOrEmpty(endpoint.Query) || !string.IsNullOrEmpty(endpoint.Fragment) || !string.IsNullOrEmpty(endpoint.UserInfo))
            errors.Add($"{section}:Endpoint '{Endpoint}' must be an http:// or https:// URL (for example https://s3.eu-west-1.amazonaws.com).");
        if (string.IsNullOrWhiteSpace(Bucket))
            errors.Add($"{section}:Bucket must name the (existing) bucket that holds the blobs.");
        else if (Bucket.Length > 255 || Bucket.Any(c => c is '/' || char.IsWhiteSpace(c) || char.IsControl(c)))
            errors.Add($"{section}:Bucket '{Bucket}' is not a bucket name.");
        if (Prefix.StartsWith('/') || Prefix.Any(char.IsControl) || Encoding.UTF8.GetByteCount(Prefix) > 900)
            errors.Add($"{section}:Prefix must not start with '/', contain control characters or exceed 900 bytes.");
        if (string.IsNullOrWhiteSpace(Region) || !Region.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
            errors.Add($"{section}:Region '{Region}' must be a region name (letters, digits, '-' and '_'; for example us-east-1).");
        if (string.IsNullOrEmpty(AccessKeyId) || string.IsNullOrEmpty(SecretAccessKey))
            errors.Add($"{section}:AccessKeyId and {section}:SecretAccessKey must both be set (the backend's credentials).");
        if (CaBundle is not null)
        {
            if (endpoint is { Scheme: "http" })
                errors.Add($"{section}:CaBundle has no effect with an http:// {section}:Endpoint.");
            else if (!File.Exists(CaBundle))
                errors.Add($"{section}:CaBundle '{CaBundle}' does not exist.");
        }
        if (PartSizeMiB is < MinPartSizeMiB or > MaxPartSizeMiB)
            errors.Add($"{section}:PartSizeMiB must be between {MinPartSizeMiB} and {MaxPartSizeMiB}.");
        return errors;
    }
}
