using System.Collections.Concurrent;
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
            headers[LowerCase(name)] = copy;
        }
        var rawTarget = request.HttpContext.Features.Get<IHttpRequestFeature>()?.RawTarget ?? request.Path.ToString();
        var queryStart = rawTarget.IndexOf('?', StringComparison.Ordinal);
        var rawPath = queryStart < 0 ? rawTarget : rawTarget[..queryStart];
        var rawQuery = queryStart < 0 ? "" : rawTarget[(queryStart + 1)..];
        return new SigV4Request(request.Method, rawPath, rawQuery, headers, payloadSha256Hex);
    }

    private static readonly ConcurrentDictionary<string, string> LowerCaseNames = new(StringComparer.Ordinal);

    /// <summary>
    /// The header name in lower case. Many names arrive lower-case already (HTTP/2 always, SDKs mostly); the others
    /// (Kestrel's own "Content-Type", "Host", ...) are the same few on every request, so their lower-case forms are kept
    /// (up to a thousand names; past that, a new string each time).
    /// </summary>
    private static string LowerCase(string name)
    {
        if (!name.AsSpan().ContainsAnyInRange('A', 'Z')) return name;
        if (LowerCaseNames.TryGetValue(name, out var lower)) return lower;
        lower = name.ToLowerInvariant();
        if (LowerCaseNames.Count < 1000) LowerCaseNames.TryAdd(name, lower);
        return lower;
    }
}
