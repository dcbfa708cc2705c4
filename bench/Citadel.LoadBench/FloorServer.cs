using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;

namespace Citadel.LoadBench;

/// <summary>
/// The floor: an endpoint on the same web stack as Citadel (Kestrel, slim builder) that reads the
/// body and answers a fixed awsJson response, doing no authentication, parsing, crypto or audit.
/// </summary>
public static class FloorServer
{
    private static readonly byte[] Response = """{"KeyId":"arn:aws:kms:us-east-1:000000000000:key/floor","CiphertextBlob":"AAAA","Plaintext":"AAAA","EncryptionAlgorithm":"SYMMETRIC_DEFAULT"}"""u8.ToArray();

    public static async Task RunAsync(int port)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.ListenLocalhost(port));
        var app = builder.Build();
        app.Run(async http =>
        {
            using var buffer = new MemoryStream();
            await http.Request.Body.CopyToAsync(buffer);
            http.Response.ContentType = "application/x-amz-json-1.1";
            http.Response.ContentLength = Response.Length;
            await http.Response.Body.WriteAsync(Response);
        });
        await app.RunAsync();
    }
}
