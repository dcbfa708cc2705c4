using System.Security.Cryptography;
using System.Text;
using Citadel.Audit;
using Citadel.Kms.Keys;
using Citadel.Storage;
using Microsoft.AspNetCore.Http;

namespace Citadel.Server.Observability;

/// <summary>
/// <c>GET /metrics</c> (Prometheus text). The counters say which operations run, how often, on which key specs and how fast:
/// not secrets, but what an outsider should not read off the public listener. So, per <c>Citadel:MetricsAccess</c>:
/// <c>token</c> (default) answers only a request with <c>Authorization: Bearer &lt;token&gt;</c>, the token kept in
/// <c>metrics.token</c> in the data directory (0600, made at first start; Prometheus reads it with
/// <c>authorization.credentials_file</c>); <c>public</c> answers anyone (as before); <c>off</c> answers 404.
/// </summary>
public sealed class MetricsEndpoint
{
    private readonly CitadelMetrics _metrics;
    private readonly RootKeyHolder _root;
    private readonly JournalAuditStore _audit;
    private readonly string _access;
    private readonly byte[]? _token;

    /// <summary>The file in the data directory that holds the bearer token.</summary>
    public const string TokenFile = "metrics.token";

    /// <summary>Reads (or makes, in token mode) the token of <paramref name="dataDirectory"/>.</summary>
    public MetricsEndpoint(CitadelMetrics metrics, RootKeyHolder root, JournalAuditStore audit, string access, string dataDirectory)
    {
        _metrics = metrics;
        _root = root;
        _audit = audit;
        _access = access;
        if (access != "token") return;
        var path = Path.Combine(dataDirectory, TokenFile);
        if (!File.Exists(path))
            FilePermissions.WriteSecretFile(path, Encoding.ASCII.GetBytes(Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_') + "\n"));
        _token = Encoding.ASCII.GetBytes(File.ReadAllText(path).Trim());
    }

    /// <summary>Answers one GET /metrics.</summary>
    public async Task HandleAsync(HttpContext http)
    {
        if (_access == "off")
        {
            http.Response.StatusCode = 404;
            return;
        }
        if (_token is not null && !Authorized(http.Request.Headers.Authorization.ToString()))
        {
            http.Response.StatusCode = 401;
            http.Response.Headers.WWWAuthenticate = "Bearer realm=\"citadel-metrics\"";
            http.Response.ContentType = "text/plain";
            await http.Response.WriteAsync($"/metrics needs 'Authorization: Bearer <token>', the token in {TokenFile} of the data directory (Citadel:MetricsAccess).\n").ConfigureAwait(false);
            return;
        }
        http.Response.ContentType = "text/plain; version=0.0.4";
        await http.Response.WriteAsync(_metrics.Render(_root.IsSealed, _audit.Statistics)).ConfigureAwait(false);
    }

    private bool Authorized(string header)
    {
        const string scheme = "Bearer ";
        if (!header.StartsWith(scheme, StringComparison.OrdinalIgnoreCase)) return false;
        var given = Encoding.ASCII.GetBytes(header[scheme.Length..].Trim());
        // FixedTimeEquals compares in constant time for equal lengths; the token's length is no secret (43 characters).
        return CryptographicOperations.FixedTimeEquals(given, _token);
    }
}
