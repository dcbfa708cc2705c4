using System.Security.Cryptography;

namespace Citadel.S3Bench;

/// <summary>
/// One column of the comparison: a server, the bucket it writes to, the headers that choose its encryption,
/// (in process) the object store's KMS call counter, and the CPU time of the processes outside this one that serve
/// it (moto_server, as target or as Citadel's S3 backend).
/// </summary>
internal sealed record Target(string Name, string Url, string Bucket, IReadOnlyDictionary<string, string> PutHeaders,
    IReadOnlyDictionary<string, string> GetHeaders, Func<long>? KmsCalls, Func<TimeSpan> OutsideProcessorTime)
{
    private static readonly byte[] CustomerKey = RandomNumberGenerator.GetBytes(32);

    /// <summary>The target named <paramref name="name"/> on the servers of the run.</summary>
    public static Target Define(string name, InProcessCitadel? citadel, InProcessCitadel? floor, MotoServer? moto, MotoServer? backend)
    {
        Func<TimeSpan> backendTime = () => backend?.ProcessorTime ?? TimeSpan.Zero;
        var none = new Dictionary<string, string>();
        var sseS3 = new Dictionary<string, string> { ["x-amz-server-side-encryption"] = "AES256" };
        var sseKms = new Dictionary<string, string> { ["x-amz-server-side-encryption"] = "aws:kms" };
        var customer = new Dictionary<string, string>
        {
            ["x-amz-server-side-encryption-customer-algorithm"] = "AES256",
            ["x-amz-server-side-encryption-customer-key"] = Convert.ToBase64String(CustomerKey),
            ["x-amz-server-side-encryption-customer-key-MD5"] = Convert.ToBase64String(MD5.HashData(CustomerKey)),
        };
        return name switch
        {
            // The floor asks for SSE-S3 like the sse-s3 target, so the two differ only by the segment cipher.
            "floor" => new Target(name, floor!.Url, "bench-floor", sseS3, none, () => floor.KmsCalls, backendTime),
            "sse-s3" => new Target(name, citadel!.Url, "bench-sse-s3", sseS3, none, () => citadel.KmsCalls, backendTime),
            // SSE-KMS under the AWS-managed key alias/aws/s3, as S3 does when no key id is given.
            "sse-kms" => new Target(name, citadel!.Url, "bench-sse-kms", sseKms, none, () => citadel.KmsCalls, backendTime),
            "sse-kms-bk" => new Target(name, citadel!.Url, "bench-sse-kms-bk",
                new Dictionary<string, string>(sseKms) { ["x-amz-server-side-encryption-bucket-key-enabled"] = "true" }, none, () => citadel.KmsCalls, backendTime),
            "sse-c" => new Target(name, citadel!.Url, "bench-sse-c", customer, customer, () => citadel.KmsCalls, backendTime),
            "moto" => new Target(name, moto!.Url, "bench-moto", none, none, null, () => moto.ProcessorTime),
            _ => throw new ArgumentException($"Unknown target {name}"),
        };
    }
}
