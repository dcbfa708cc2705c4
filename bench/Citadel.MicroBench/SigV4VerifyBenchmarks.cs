using System.Security.Cryptography;
using System.Text;
using BenchmarkDotNet.Attributes;
using Citadel.Iam;

namespace Citadel.MicroBench;

/// <summary>
/// The cost of authenticating one KMS request as the request path does it: route by the scope (PeekScope), then
/// verify the signature of a request shaped like the AWS SDK for .NET's Encrypt (seven signed headers).
/// </summary>
[MemoryDiagnoser]
public class SigV4VerifyBenchmarks
{
    private const string AccessKeyId = "AKIACITADELBENCH0001";
    private const string Secret = "citadel-bench-secret-0123456789abcdef";
    private static readonly DateTimeOffset Now = new(2026, 11, 30, 7, 0, 0, TimeSpan.Zero);
    private SigV4Verifier _verifier = null!;
    private Dictionary<string, string[]> _headers = null!;
    private string _payloadHash = "";

    private sealed class Store : ICredentialStore
    {
        private readonly Credential _credential = new(AccessKeyId, Secret, new Principal("Root", "000000000000", "arn:aws:iam::000000000000:root", "000000000000", null, AccessKeyId));
        public Credential? Find(string accessKeyId) => accessKeyId == AccessKeyId ? _credential : null;
    }

    private sealed class FixedTime : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => Now;
    }

    [GlobalSetup]
    public void Setup()
    {
        _verifier = new SigV4Verifier(new Store(), new FixedTime());
        var body = Encoding.UTF8.GetBytes("""{"KeyId":"arn:aws:kms:us-east-1:000000000000:key/5f0c6a4e-1d2b-4c3a-9e8f-7a6b5c4d3e2f","Plaintext":"aGVsbG8gd29ybGQgaGVsbG8gd29ybGQ=","EncryptionContext":{"app":"bench"}}""");
        _payloadHash = Convert.ToHexStringLower(SHA256.HashData(body));
        var extra = new Dictionary<string, string>
        {
            ["Content-Type"] = "application/x-amz-json-1.1",
            ["X-Amz-Target"] = "TrentService.Encrypt",
            ["amz-sdk-invocation-id"] = "4f1c2d3e-5a6b-4c7d-8e9f-0a1b2c3d4e5f",
            ["amz-sdk-request"] = "attempt=1; max=5",
            ["x-amz-content-sha256"] = _payloadHash,
        };
        var signed = SigV4Signer.Sign("POST", "127.0.0.1:8443", "/", "", extra, body, AccessKeyId, Secret, "us-east-1", "kms", Now);
        _headers = extra.ToDictionary(h => h.Key.ToLowerInvariant(), h => new[] { h.Value });
        _headers["host"] = ["127.0.0.1:8443"];
        _headers["user-agent"] = ["aws-sdk-dotnet-coreclr/4.0.0 ua/2.1 os/linux md/Bench lang/.NET_Core#10.0 md/aws-sdk-dotnet-core#4.0"];
        _headers["content-length"] = [body.Length.ToString(System.Globalization.CultureInfo.InvariantCulture)];
        foreach (var (name, value) in signed) _headers[name] = [value];
    }

    [Benchmark]
    public AuthenticatedRequest RouteAndVerify()
    {
        var request = new SigV4Request("POST", "/", "", _headers, "");
        SigV4Verifier.PeekScope(request);
        return _verifier.Verify(request.WithPayloadHash(_payloadHash));
    }
}
