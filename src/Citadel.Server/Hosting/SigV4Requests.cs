using Citadel.Iam;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Citadel.Server.Hosting;

/// <summary>Builds the web-stack-independent view SigV4 needs of an ASP.NET Core request.</summary>
public static class SigV4Requests
{
    /// <summary>The request as SigV4 sees it: method, raw path and query exactly as sent, headers by lower-case name.</summary>
    /// <param name="payloadSha256Hex">The body's hex SHA-256, or a placeholder when the body streams (S3 declares its hash).</param>
    public static SigV4Request FromHttp(HttpRequest request, string payloadSha256Hex)
    {
        var headers = new Dictionary<string, string[]>(request.Headers.Count, StringComparer.Ordinal);
        foreach (var (name, values) in request.Headers)
        {
            var copy = new string[values.Count];
            for (var i = 0; i < copy.Length; i++) copy[i] = values[i] ?? "";
            // Most names arrive lower-case already (HTTP/2 always, SDKs mostly): no new string for those.
            headers[name.AsSpan().ContainsAnyInRange('A', 'Z') ? name.ToLowerInvariant() : name] = copy;
        }
        var rawTarget = request.HttpContext.Features.Get<IHttpRequestFeature>()?.RawTarget ?? request.Path.ToString();
        var queryStart = rawTarget.IndexOf('?', StringComparison.Ordinal);
        var rawPath = queryStart < 0 ? rawTarget : rawTarget[..queryStart];
        var rawQuery = queryStart < 0 ? "" : rawTarget[(queryStart + 1)..];
        return new SigV4Request(request.Method, rawPath, rawQuery, headers, payloadSha256Hex);
    }
}
