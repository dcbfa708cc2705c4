using System.Net;
using Citadel.Iam;

namespace Citadel.S3Bench;

/// <summary>
/// A minimal path-style S3 client: raw HTTP, every request signed with SigV4 (<see cref="SigV4Signer"/>). Bodies
/// are sent as UNSIGNED-PAYLOAD by default, as SDKs do over HTTPS, so the client spends no CPU per byte and the
/// numbers measure the server; <c>--payload sha256</c> signs a precomputed body hash instead, which makes the
/// server hash every byte it receives.
/// </summary>
internal sealed class S3Client : IDisposable
{
    public const string AccessKeyId = "AKIACITADELS3BENCH01";
    public const string Secret = "citadel-s3-bench-secret-0123456789abcdef";

    private readonly HttpClient _http;
    private readonly Uri _endpoint;
    private readonly string _host;

    public S3Client(string endpoint, int connections)
    {
        _endpoint = new Uri(endpoint);
        _host = $"{_endpoint.Host}:{_endpoint.Port}";
        _http = new HttpClient(new SocketsHttpHandler
        {
            MaxConnectionsPerServer = connections,
            PooledConnectionLifetime = TimeSpan.FromHours(1),
            AutomaticDecompression = DecompressionMethods.None,
            UseProxy = false,
        })
        { Timeout = TimeSpan.FromMinutes(10) };
    }

    public async Task CreateBucketAsync(string bucket)
    {
        using var response = await SendAsync(HttpMethod.Put, bucket, null, null, new Dictionary<string, string>(), "UNSIGNED-PAYLOAD");
        if (!response.IsSuccessStatusCode)
            throw new InvalidOperationException($"CreateBucket {bucket}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    /// <summary>Stores <paramref name="body"/>; false when the server refused it.</summary>
    public async Task<bool> PutAsync(string bucket, string key, ReadOnlyMemory<byte> body, IReadOnlyDictionary<string, string> headers, string payloadHash)
    {
        using var response = await SendAsync(HttpMethod.Put, bucket, key, body, headers, payloadHash);
        if (!response.IsSuccessStatusCode) await Console.Error.WriteLineAsync($"PUT {bucket}/{key}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return response.IsSuccessStatusCode;
    }

    /// <summary>Reads an object into <paramref name="sink"/> (overwritten, chunk by chunk) or into <paramref name="copy"/>; returns the byte count, -1 when refused.</summary>
    public async Task<long> GetAsync(string bucket, string key, IReadOnlyDictionary<string, string> headers, byte[] sink, Stream? copy = null)
    {
        using var response = await SendAsync(HttpMethod.Get, bucket, key, null, headers, "UNSIGNED-PAYLOAD");
        if (!response.IsSuccessStatusCode)
        {
            await Console.Error.WriteLineAsync($"GET {bucket}/{key}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            return -1;
        }
        var content = await response.Content.ReadAsStreamAsync();
        await using (content)
        {
            long total = 0;
            int read;
            while ((read = await content.ReadAsync(sink)) > 0)
            {
                total += read;
                if (copy is not null) await copy.WriteAsync(sink.AsMemory(0, read));
            }
            return total;
        }
    }

    public async Task<bool> DeleteAsync(string bucket, string key)
    {
        using var response = await SendAsync(HttpMethod.Delete, bucket, key, null, new Dictionary<string, string>(), "UNSIGNED-PAYLOAD");
        return response.IsSuccessStatusCode;
    }

    private Task<HttpResponseMessage> SendAsync(HttpMethod method, string bucket, string? key, ReadOnlyMemory<byte>? body,
        IReadOnlyDictionary<string, string> headers, string payloadHash)
    {
        var path = key is null ? "/" + bucket : $"/{bucket}/{key}";
        var signedHeaders = new Dictionary<string, string>(headers) { ["x-amz-content-sha256"] = payloadHash };
        var signature = SigV4Signer.Sign(method.Method, _host, path, "", signedHeaders, [], AccessKeyId, Secret, "us-east-1", "s3",
            DateTimeOffset.UtcNow, payloadHash: payloadHash);
        var request = new HttpRequestMessage(method, new Uri(_endpoint, path));
        if (body is { } bytes) request.Content = new ReadOnlyMemoryContent(bytes);
        foreach (var (name, value) in signedHeaders.Concat(signature)) request.Headers.TryAddWithoutValidation(name, value);
        return _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
    }

    public void Dispose() => _http.Dispose();
}
