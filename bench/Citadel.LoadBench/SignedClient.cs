using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Citadel.Iam;

namespace Citadel.LoadBench;

/// <summary>A KMS client that signs every request with SigV4 itself, as an SDK does.</summary>
public sealed class SignedClient(HttpClient http, string url)
{
    private readonly Uri _uri = new(url);

    public async Task<(bool Ok, string Body)> SendAsync(string operation, string json)
    {
        var body = Encoding.UTF8.GetBytes(json);
        var host = $"{_uri.Host}:{_uri.Port}";
        var extra = new Dictionary<string, string> { ["x-amz-target"] = "TrentService." + operation, ["content-type"] = "application/x-amz-json-1.1" };
        var signed = SigV4Signer.Sign("POST", host, "/", "", extra, body, TargetSet.AccessKeyId, TargetSet.Secret, "us-east-1", "kms", DateTimeOffset.UtcNow);
        using var request = new HttpRequestMessage(HttpMethod.Post, _uri) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/x-amz-json-1.1");
        request.Headers.TryAddWithoutValidation("X-Amz-Target", "TrentService." + operation);
        foreach (var (name, value) in signed) request.Headers.TryAddWithoutValidation(name, value);
        using var response = await http.SendAsync(request);
        return (response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    public static async Task<string> CreateKeyAsync(string url)
    {
        using var http = new HttpClient();
        var (ok, body) = await new SignedClient(http, url).SendAsync("CreateKey", "{}");
        if (!ok) throw new InvalidOperationException("CreateKey failed: " + body);
        return JsonDocument.Parse(body).RootElement.GetProperty("KeyMetadata").GetProperty("KeyId").GetString()!;
    }
}
