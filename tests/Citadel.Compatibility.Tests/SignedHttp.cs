using System.Net.Security;
using System.Net.Sockets;
using System.Text;
using Citadel.Iam;

namespace Citadel.Compatibility.Tests;

/// <summary>Hand-made requests to a Citadel server, signed with SigV4 or sent raw, for what real clients never send.</summary>
public static class SignedHttp
{
    /// <summary>Sends a request signed with the administrator's key; <paramref name="unsignedHeaders"/> are added after signing.</summary>
    public static async Task<(int Status, string Body, HttpResponseMessage Response)> SendAsync(CitadelProcess server, string method, string rawPath, string rawQuery,
        byte[] body, string service, Dictionary<string, string>? headers = null, Dictionary<string, string>? unsignedHeaders = null, string region = "us-east-1",
        string? accessKeyId = null, string? secret = null)
    {
        var uri = new Uri(server.Endpoint);
        headers ??= [];
        var signed = SigV4Signer.Sign(method, $"{uri.Host}:{uri.Port}", rawPath, rawQuery, headers, body,
            accessKeyId ?? CitadelProcess.AccessKeyId, secret ?? CitadelProcess.SecretAccessKey, region, service, DateTimeOffset.UtcNow,
            payloadHash: service == "s3" ? Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(body)) : null);
        using var http = server.HttpClient();
        using var request = new HttpRequestMessage(new HttpMethod(method), server.Endpoint + rawPath + (rawQuery.Length > 0 ? "?" + rawQuery : "")) { Content = new ByteArrayContent(body) };
        foreach (var (name, value) in headers.Concat(signed).Concat(unsignedHeaders ?? []))
        {
            if (name.Equals("content-type", StringComparison.OrdinalIgnoreCase)) request.Content.Headers.TryAddWithoutValidation(name, value);
            else request.Headers.TryAddWithoutValidation(name, value);
        }
        if (service == "s3") request.Headers.TryAddWithoutValidation("x-amz-content-sha256", Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(body)));
        var response = await http.SendAsync(request);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync(), response);
    }

    /// <summary>A KMS (awsJson) call with a body given as bytes, so it may be anything, valid JSON or not.</summary>
    public static Task<(int Status, string Body, HttpResponseMessage Response)> KmsAsync(CitadelProcess server, string operation, byte[] body, string region = "us-east-1")
        => SendAsync(server, "POST", "/", "", body, "kms", new() { ["x-amz-target"] = "TrentService." + operation, ["content-type"] = "application/x-amz-json-1.1" }, region: region);

    /// <summary>
    /// Writes <paramref name="head"/> (request line and headers) and <paramref name="partialBody"/> over TLS, then waits up to
    /// <paramref name="wait"/> for the status line, without sending the rest of the declared body: a server that reads the
    /// whole body before answering never answers in time. Null when no answer came.
    /// </summary>
    public static async Task<string?> StatusLineBeforeTheBodyAsync(CitadelProcess server, string head, byte[] partialBody, TimeSpan wait)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync("127.0.0.1", server.Port);
        var ca = System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPem(await File.ReadAllTextAsync(server.CaBundle));
        await using var tls = new SslStream(tcp.GetStream(), false, (_, certificate, _, errors) => CitadelProcess.IssuedBy(ca, certificate, errors));
        await tls.AuthenticateAsClientAsync("localhost");
        await tls.WriteAsync(Encoding.ASCII.GetBytes(head.ReplaceLineEndings("\r\n") + "\r\n"));
        await tls.WriteAsync(partialBody);
        await tls.FlushAsync();
        using var timeout = new CancellationTokenSource(wait);
        var buffer = new byte[4096];
        try
        {
            var read = await tls.ReadAsync(buffer, timeout.Token);
            var text = Encoding.ASCII.GetString(buffer, 0, read);
            return text.Split("\r\n")[0];
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }
}
