using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Citadel.ObjectStore.Blobs;
using Microsoft.Extensions.Configuration;

namespace Citadel.Server.Hosting;

/// <summary>
/// Server settings, bound from the configuration section <c>Citadel</c> (settings file
/// <c>citadel.json</c> in the data directory or <c>--config</c>, environment variables
/// <c>CITADEL__*</c>, command-line flags). See docs/configuration.md.
/// </summary>
public sealed partial class CitadelOptions
{
    /// <summary>The data directory holding everything.</summary>
    public string DataDirectory { get; set; } = "./.data";
    /// <summary>host:port to listen on.</summary>
    public string Listen { get; set; } = "127.0.0.1:8443";
    /// <summary>Serve plain HTTP instead of HTTPS.</summary>
    public bool Http { get; set; }
    /// <summary>12-digit account id of the ARNs.</summary>
    public string AccountId { get; set; } = "000000000000";
    /// <summary>Region of the ARNs.</summary>
    public string Region { get; set; } = "us-east-1";
    /// <summary>ARN partition.</summary>
    public string Partition { get; set; } = "aws";
    /// <summary>How the root key is sealed: <c>keyfile</c> (development default) or <c>shamir</c>.</summary>
    public string Seal { get; set; } = "keyfile";
    /// <summary>Extra DNS names and addresses for the server certificate.</summary>
    public string[] TlsNames { get; set; } = [];
    /// <summary>How often scheduled rotation and deletion run, in seconds.</summary>
    public int MaintenanceIntervalSeconds { get; set; } = 60;
    /// <summary>How often trails deliver log files, in seconds (CloudTrail: about every five minutes).</summary>
    public int TrailDeliveryIntervalSeconds { get; set; } = 300;
    /// <summary>How often trails with log file validation deliver a signed digest, in seconds (CloudTrail: hourly).</summary>
    public int TrailDigestIntervalSeconds { get; set; } = 3600;
    /// <summary>How long a digest signing key signs before it is replaced, in hours.</summary>
    public int TrailSigningKeyRotationHours { get; set; } = 24;
    /// <summary>Days audit events are kept locally (0: for ever); older ones are pruned once every trail delivered them.</summary>
    public int AuditRetentionDays { get; set; }
    /// <summary>Seconds in-flight requests get to finish on shutdown.</summary>
    public int ShutdownTimeoutSeconds { get; set; } = 30;
    /// <summary>Host name suffixes under which the first label is a bucket (virtual-host-style S3 addressing: bucket.localhost).</summary>
    public string[] S3VirtualHostDomains { get; set; } = ["localhost", "s3.localhost"];
    /// <summary>Accept SSE-C over plain HTTP (AWS refuses it; for test setups only).</summary>
    public bool S3AllowSseCOverHttp { get; set; }
    /// <summary>Status of a GET/HEAD with the wrong SSE-C key: 403 as AWS, or 400 as some test suites expect.</summary>
    public int S3WrongCustomerKeyStatus { get; set; } = 403;
    /// <summary>How long an SSE-KMS bucket key is reused before KMS is asked for a new one, in seconds.</summary>
    public int S3BucketKeyLifetimeSeconds { get; set; } = 3600;
    /// <summary>
    /// An S3-compatible service that holds the object store's (encrypted) blobs, section <c>Citadel:S3Backend</c>;
    /// without an endpoint they stay in the data directory. The catalog stays in the data directory either way.
    /// </summary>
    public S3BlobStoreSettings S3Backend { get; set; } = new();
    /// <summary>Who may read /metrics: <c>token</c> (bearer token from metrics.token in the data directory), <c>public</c>, or <c>off</c>.</summary>
    public string MetricsAccess { get; set; } = "token";
    /// <summary>Administrator access key id (also CITADEL_ROOT_ACCESS_KEY_ID).</summary>
    public string? RootAccessKeyId { get; set; }
    /// <summary>Administrator secret (also CITADEL_ROOT_SECRET_ACCESS_KEY).</summary>
    public string? RootSecretAccessKey { get; set; }

    /// <summary>Binds the options from configuration, with the root credential environment variables as MinIO-style aliases.</summary>
    public static CitadelOptions Bind(IConfiguration configuration)
    {
        var options = new CitadelOptions();
        configuration.GetSection("Citadel").Bind(options);
        options.RootAccessKeyId ??= Environment.GetEnvironmentVariable("CITADEL_ROOT_ACCESS_KEY_ID");
        options.RootSecretAccessKey ??= Environment.GetEnvironmentVariable("CITADEL_ROOT_SECRET_ACCESS_KEY");
        return options;
    }

    /// <summary>The parsed listen endpoint.</summary>
    public IPEndPoint ListenEndPoint()
    {
        var text = Listen.Trim();
        if (text.StartsWith("localhost:", StringComparison.OrdinalIgnoreCase)) text = "127.0.0.1:" + text["localhost:".Length..];
        return IPEndPoint.Parse(text);
    }

    /// <summary>Checks every setting; returns the problems, each naming its setting.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(DataDirectory)) errors.Add("Citadel:DataDirectory must not be empty.");
        if (!IPEndPoint.TryParse(Listen.Replace("localhost:", "127.0.0.1:", StringComparison.OrdinalIgnoreCase), out var endpoint) || endpoint.Port is < 0 or > 65535 || !Listen.Contains(':', StringComparison.Ordinal))
            errors.Add($"Citadel:Listen '{Listen}' is not host:port (for example 127.0.0.1:8443).");
        if (!AccountIdPattern().IsMatch(AccountId)) errors.Add($"Citadel:AccountId '{AccountId}' must be 12 digits.");
        if (!RegionPattern().IsMatch(Region)) errors.Add($"Citadel:Region '{Region}' is not a region name (for example us-east-1).");
        if (Partition is not ("aws" or "aws-cn" or "aws-us-gov" or "aws-iso" or "aws-iso-b" or "aws-eusc")) errors.Add($"Citadel:Partition '{Partition}' is not an AWS partition.");
        if (Seal is not ("keyfile" or "shamir")) errors.Add($"Citadel:Seal '{Seal}' must be keyfile or shamir.");
        if (MetricsAccess is not ("token" or "public" or "off")) errors.Add($"Citadel:MetricsAccess '{MetricsAccess}' must be token, public or off.");
        if (MaintenanceIntervalSeconds < 1) errors.Add("Citadel:MaintenanceIntervalSeconds must be at least 1.");
        if (TrailDeliveryIntervalSeconds < 1) errors.Add("Citadel:TrailDeliveryIntervalSeconds must be at least 1.");
        if (TrailDigestIntervalSeconds < 60) errors.Add("Citadel:TrailDigestIntervalSeconds must be at least 60 (digests are named to the second).");
        if (TrailSigningKeyRotationHours < 1) errors.Add("Citadel:TrailSigningKeyRotationHours must be at least 1.");
        if (AuditRetentionDays < 0) errors.Add("Citadel:AuditRetentionDays must not be negative (0 keeps events for ever).");
        if (ShutdownTimeoutSeconds < 0) errors.Add("Citadel:ShutdownTimeoutSeconds must not be negative.");
        if (S3WrongCustomerKeyStatus is not (400 or 403)) errors.Add("Citadel:S3WrongCustomerKeyStatus must be 403 (as AWS) or 400.");
        if (S3BucketKeyLifetimeSeconds < 1) errors.Add("Citadel:S3BucketKeyLifetimeSeconds must be at least 1.");
        errors.AddRange(S3Backend.Validate("Citadel:S3Backend"));
        if ((RootAccessKeyId is null) != (RootSecretAccessKey is null))
            errors.Add("CITADEL_ROOT_ACCESS_KEY_ID and CITADEL_ROOT_SECRET_ACCESS_KEY (Citadel:RootAccessKeyId/RootSecretAccessKey) must be given together.");
        if (RootAccessKeyId is { } id && !AccessKeyPattern().IsMatch(id))
            errors.Add("CITADEL_ROOT_ACCESS_KEY_ID must be 16 to 128 characters of letters and digits.");
        if (RootSecretAccessKey is { Length: < 8 })
            errors.Add("CITADEL_ROOT_SECRET_ACCESS_KEY must be at least 8 characters.");
        return errors;
    }

    /// <summary>The trail settings these options give.</summary>
    public Audit.Trails.TrailSettings TrailSettings() => new(AccountId, Region, Partition)
    {
        LogFileInterval = TimeSpan.FromSeconds(TrailDeliveryIntervalSeconds),
        DigestInterval = TimeSpan.FromSeconds(TrailDigestIntervalSeconds),
        SigningKeyLifetime = TimeSpan.FromHours(TrailSigningKeyRotationHours),
    };

    [GeneratedRegex("^[0-9]{12}$")]
    private static partial Regex AccountIdPattern();

    [GeneratedRegex("^[a-z]{2}(-[a-z]+)+-[0-9]+$")]
    private static partial Regex RegionPattern();

    [GeneratedRegex("^[A-Za-z0-9]{16,128}$")]
    private static partial Regex AccessKeyPattern();

    /// <summary>The endpoint URL clients use.</summary>
    public string EndpointUrl(int? actualPort = null)
    {
        var endpoint = ListenEndPoint();
        var host = endpoint.Address.Equals(IPAddress.Any) || endpoint.Address.Equals(IPAddress.Loopback) ? "localhost" : endpoint.Address.ToString();
        return string.Create(CultureInfo.InvariantCulture, $"{(Http ? "http" : "https")}://{host}:{actualPort ?? endpoint.Port}");
    }
}
