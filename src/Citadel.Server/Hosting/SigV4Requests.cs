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
        var headers = new Dictionary<string, string[]>(StringComparer.Ordinal);
        foreach (var (name, values) in request.Headers)
            headers[name.ToLowerInvariant()] = values.Select(v => v ?? "").ToArray();
        var rawTarget = request.HttpContext.Features.Get<IHttpRequestFeature>()?.RawTarget ?? request.Path.ToString();
        var queryStart = rawTarget.IndexOf('?', StringComparison.Ordinal);
        var rawPath = queryStart < 0 ? rawTarget : rawTarget[..queryStart];
        var rawQuery = queryStart < 0 ? "" : rawTarget[(queryStart + 1)..];
        return new SigV4Request(request.Method, rawPath, rawQuery, headers, payloadSha256Hex);
    }
}
