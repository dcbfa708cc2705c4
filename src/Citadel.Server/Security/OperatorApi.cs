using System.Security.Cryptography;
using System.Text.Json;
using Citadel.Audit.Trails;
using Citadel.Iam;
using Citadel.Server.Hosting;
using Microsoft.AspNetCore.Http;

namespace Citadel.Server.Security;

/// <summary>
/// The operator endpoints behind <c>citadel operator</c> and <c>citadel audit flush</c>: <c>status</c>, <c>init</c> and
/// <c>unseal</c> answer without credentials (as Vault's do: a sealed server has none to check),
/// <c>seal</c> and <c>trails/flush</c> need the administrator's SigV4 signature (scope service <c>citadel</c>).
/// </summary>
public sealed class OperatorApi(SealManager seal, SigV4Verifier verifier, TrailDelivery delivery)
{
    private const int MaxBodyBytes = 64 << 10;

    private sealed record InitRequest(int Shares, int Threshold);

    private sealed record UnsealRequest(string? Share);

    /// <summary>Handles /citadel/operator/*.</summary>
    public async Task HandleAsync(HttpContext http)
    {
        var path = http.Request.Path.Value!["/citadel/operator/".Length..];
        // Limited before reading: init and unseal answer without credentials, so anyone can send these bodies.
        byte[] body;
        try
        {
            body = await RequestBodies.ReadAsync(http.Request, MaxBodyBytes, http.RequestAborted).ConfigureAwait(false);
        }
        catch (RequestBodyException e)
        {
            await Error(http, e.Status, e.Message).ConfigureAwait(false);
            return;
        }
        try
        {
            object result = (http.Request.Method, path) switch
            {
                ("GET", "status") => seal.Status(),
                ("POST", "init") => Init(Read<InitRequest>(body)),
                ("POST", "unseal") => seal.Unseal(Read<UnsealRequest>(body).Share),
                ("POST", "seal") => SealAuthenticated(http, body),
                ("POST", "trails/flush") => await FlushAuthenticatedAsync(http, body).ConfigureAwait(false),
                _ => throw new SealException("Unknown operator endpoint."),
            };
            http.Response.ContentType = "application/json";
            await http.Response.WriteAsync(JsonSerializer.Serialize(result, JsonOptions)).ConfigureAwait(false);
        }
        catch (SealException e)
        {
            await Error(http, 400, e.Message).ConfigureAwait(false);
        }
        catch (AuthenticationException e)
        {
            await Error(http, 403, e.Message).ConfigureAwait(false);
        }
        catch (JsonException)
        {
            await Error(http, 400, "The request body is not valid JSON.").ConfigureAwait(false);
        }
    }

    private static readonly JsonSerializerOptions JsonOptions = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase, PropertyNameCaseInsensitive = true };

    private static T Read<T>(byte[] body) => JsonSerializer.Deserialize<T>(body, JsonOptions) ?? throw new JsonException();

    private object Init(InitRequest request)
    {
        var shares = seal.Initialize(request.Shares, request.Threshold);
        return new { shares, status = seal.Status() };
    }

    private SealStatus SealAuthenticated(HttpContext http, byte[] body)
    {
        RequireAdministrator(http, body, "Only the administrator may seal Citadel.");
        seal.Seal();
        return seal.Status();
    }

    /// <summary>Delivers every trail's pending log files and a digest now (citadel audit flush), so nobody waits for the intervals.</summary>
    private async Task<object> FlushAuthenticatedAsync(HttpContext http, byte[] body)
    {
        RequireAdministrator(http, body, "Only the administrator may flush trail delivery.");
        var outcomes = await delivery.RunAsync(force: true, http.RequestAborted).ConfigureAwait(false);
        return new { trails = outcomes };
    }

    private void RequireAdministrator(HttpContext http, byte[] body, string refusal)
    {
        var headers = http.Request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.Select(v => v ?? "").ToArray());
        var authenticated = verifier.Verify(new SigV4Request(http.Request.Method, http.Request.Path.Value!, http.Request.QueryString.Value?.TrimStart('?') ?? "", headers,
            Convert.ToHexStringLower(SHA256.HashData(body))));
        if (!authenticated.Principal.IsRoot || authenticated.Scope.Service != "citadel")
            throw new AuthenticationException(AuthenticationErrorKind.SignatureMismatch, refusal);
    }

    private static async Task Error(HttpContext http, int status, string message)
    {
        http.Response.StatusCode = status;
        http.Response.ContentType = "application/json";
        await http.Response.WriteAsync(JsonSerializer.Serialize(new { error = message })).ConfigureAwait(false);
    }
}
