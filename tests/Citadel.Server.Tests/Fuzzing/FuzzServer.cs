using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Xml.Linq;
using Citadel.Server.Hosting;
using Microsoft.Extensions.Configuration;

namespace Citadel.Server.Tests.Fuzzing;

/// <summary>
/// Citadel's real server (<see cref="CitadelServer"/>, what <c>citadel serve</c> runs) in this process on a free loopback
/// port, plain HTTP or HTTPS with its local CA, a fresh data directory, fixed administrator credentials, and its console
/// log captured (<see cref="ServerLog"/>). <see cref="SetUpAsync"/> creates the resources the cases name.
/// </summary>
internal sealed class FuzzServer : IAsyncDisposable
{
    public const string AdminAccessKeyId = "AKIAFUZZADMIN0000000";
    public const string AdminSecret = "fuzz-admin-secret-0123456789abcdef";

    private readonly CitadelServer _server;
    private bool _disposed;

    private FuzzServer(CitadelServer server, string directory, int port, bool https, ServerLog log, X509Certificate2? ca)
    {
        _server = server;
        DataDirectory = directory;
        Port = port;
        Https = https;
        Log = log;
        Transport = new FuzzTransport(https ? "https" : "http", port, ca);
        Fixtures = new FuzzFixtures { Admin = new FuzzCredentials("admin", AdminAccessKeyId, AdminSecret) };
    }

    public string DataDirectory { get; }
    public int Port { get; }
    public bool Https { get; }
    public ServerLog Log { get; }
    public FuzzTransport Transport { get; }
    public FuzzFixtures Fixtures { get; }

    // The console logger takes Console.Out when it is built; one server is built at a time.
    private static readonly SemaphoreSlim ConsoleRedirect = new(1, 1);

    public static async Task<FuzzServer> StartAsync(bool https)
    {
        var directory = Path.Combine(Path.GetTempPath(), "citadel-fuzz-" + Guid.NewGuid().ToString("N"));
        var port = FreePort();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Citadel:DataDirectory"] = directory,
            ["Citadel:Listen"] = $"127.0.0.1:{port}",
            ["Citadel:Http"] = https ? "false" : "true",
            ["Citadel:S3AllowSseCOverHttp"] = "true",
            ["Citadel:RootAccessKeyId"] = AdminAccessKeyId,
            ["Citadel:RootSecretAccessKey"] = AdminSecret,
            // Errors are what the harness looks for; the per-request information lines would only cost time.
            ["Logging:LogLevel:Default"] = "Warning",
        }).Build();
        var log = new ServerLog();
        CitadelServer server;
        await ConsoleRedirect.WaitAsync();
        var console = Console.Out;
        try
        {
            Console.SetOut(log);
            server = await CitadelServer.CreateAsync(configuration, log);
            await server.StartAsync();
        }
        finally
        {
            Console.SetOut(console);
            ConsoleRedirect.Release();
        }
        var caPath = Path.Combine(directory, "tls", "ca.crt");
        var ca = https ? X509Certificate2.CreateFromPem(await File.ReadAllTextAsync(caPath)) : null;
        return new FuzzServer(server, directory, port, https, log, ca);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Sends one case signed as its <see cref="FuzzRequest.Signing"/> says.</summary>
    public async Task<FuzzResponse> SendAsync(FuzzRequest request)
    {
        request.Host = request.Host?.Replace("{port}", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal) ?? Transport.DefaultHost;
        var credentials = request.Signing switch
        {
            FuzzSigning.AsIs => null,
            _ when request.CredentialsOverride is { } given => given,
            FuzzSigning.Admin => Fixtures.Admin,
            FuzzSigning.User => Fixtures.User,
            FuzzSigning.Session => Fixtures.Session,
            _ => null,
        };
        if (credentials is not null) FuzzSigner.Sign(request, credentials, DateTimeOffset.UtcNow + request.SigningTimeOffset);
        request.AfterSigning?.Invoke(request);
        if (request.RawTransform is { } raw) request.Raw = raw(request);
        return await Transport.SendAsync(request);
    }

    // ---- set-up: the resources the cases name ----

    public async Task SetUpAsync()
    {
        var f = Fixtures;
        // IAM: the non-root caller (allowed everything, so its cases reach the operations), a target user, group, role, policy.
        await QueryAsync("iam", "CreateUser", new() { ["UserName"] = FuzzFixtures.CallerUser });
        await QueryAsync("iam", "PutUserPolicy", new() { ["UserName"] = FuzzFixtures.CallerUser, ["PolicyName"] = "fuzz-allow-all", ["PolicyDocument"] = FuzzFixtures.AllowAllPolicy });
        var key = await QueryAsync("iam", "CreateAccessKey", new() { ["UserName"] = FuzzFixtures.CallerUser });
        f.User = new FuzzCredentials("user", Text(key, "AccessKeyId"), Text(key, "SecretAccessKey"));
        await QueryAsync("iam", "CreateUser", new() { ["UserName"] = FuzzFixtures.TargetUser });
        f.TargetAccessKeyId = Text(await QueryAsync("iam", "CreateAccessKey", new() { ["UserName"] = FuzzFixtures.TargetUser }), "AccessKeyId");
        await QueryAsync("iam", "CreateGroup", new() { ["GroupName"] = FuzzFixtures.Group });
        await QueryAsync("iam", "AddUserToGroup", new() { ["GroupName"] = FuzzFixtures.Group, ["UserName"] = FuzzFixtures.TargetUser });
        f.ManagedPolicyArn = Text(await QueryAsync("iam", "CreatePolicy", new() { ["PolicyName"] = FuzzFixtures.ManagedPolicy, ["PolicyDocument"] = FuzzFixtures.AllowAllPolicy }), "Arn");
        f.RoleArn = Text(await QueryAsync("iam", "CreateRole", new() { ["RoleName"] = FuzzFixtures.Role, ["AssumeRolePolicyDocument"] = FuzzFixtures.TrustPolicy }), "Arn");
        await QueryAsync("iam", "PutRolePolicy", new() { ["RoleName"] = FuzzFixtures.Role, ["PolicyName"] = "fuzz-allow-all", ["PolicyDocument"] = FuzzFixtures.AllowAllPolicy });
        var session = await QueryAsync("sts", "AssumeRole", new() { ["RoleArn"] = f.RoleArn, ["RoleSessionName"] = "fuzz-session" }, f.User);
        f.Session = new FuzzCredentials("session", Text(session, "AccessKeyId"), Text(session, "SecretAccessKey"), Text(session, "SessionToken"));
        var other = await QueryAsync("sts", "AssumeRole", new() { ["RoleArn"] = f.RoleArn, ["RoleSessionName"] = "fuzz-other" }, f.User);
        f.OtherSession = new FuzzCredentials("other-session", Text(other, "AccessKeyId"), Text(other, "SecretAccessKey"), Text(other, "SessionToken"));

        // KMS: keys of each kind, an alias, a ciphertext, a grant.
        var symmetric = (await JsonAsync("kms", "CreateKey", new JsonObject { ["Description"] = "fuzz symmetric" }))["KeyMetadata"]!;
        f.SymmetricKeyId = symmetric["KeyId"]!.GetValue<string>();
        f.SymmetricKeyArn = symmetric["Arn"]!.GetValue<string>();
        f.RsaSignKeyId = (await JsonAsync("kms", "CreateKey", new JsonObject { ["KeySpec"] = "RSA_2048", ["KeyUsage"] = "SIGN_VERIFY" }))["KeyMetadata"]!["KeyId"]!.GetValue<string>();
        f.RsaEncryptKeyId = (await JsonAsync("kms", "CreateKey", new JsonObject { ["KeySpec"] = "RSA_2048", ["KeyUsage"] = "ENCRYPT_DECRYPT" }))["KeyMetadata"]!["KeyId"]!.GetValue<string>();
        f.HmacKeyId = (await JsonAsync("kms", "CreateKey", new JsonObject { ["KeySpec"] = "HMAC_256", ["KeyUsage"] = "GENERATE_VERIFY_MAC" }))["KeyMetadata"]!["KeyId"]!.GetValue<string>();
        f.EccKeyId = (await JsonAsync("kms", "CreateKey", new JsonObject { ["KeySpec"] = "ECC_NIST_P256", ["KeyUsage"] = "SIGN_VERIFY" }))["KeyMetadata"]!["KeyId"]!.GetValue<string>();
        await JsonAsync("kms", "CreateAlias", new JsonObject { ["AliasName"] = FuzzFixtures.Alias, ["TargetKeyId"] = f.SymmetricKeyId });
        f.CiphertextBlob = (await JsonAsync("kms", "Encrypt", new JsonObject { ["KeyId"] = f.SymmetricKeyId, ["Plaintext"] = Convert.ToBase64String("fuzz"u8.ToArray()) }))["CiphertextBlob"]!.GetValue<string>();
        var grant = await JsonAsync("kms", "CreateGrant", new JsonObject
        {
            ["KeyId"] = f.SymmetricKeyId,
            ["GranteePrincipal"] = $"arn:aws:iam::{FuzzFixtures.AccountId}:user/{FuzzFixtures.TargetUser}",
            ["Operations"] = new JsonArray("Encrypt", "Decrypt", "DescribeKey"),
        });
        f.GrantId = grant["GrantId"]!.GetValue<string>();
        f.GrantToken = grant["GrantToken"]!.GetValue<string>();

        // S3: a bucket with an object, a versioned bucket with two versions, an open multipart upload.
        await S3Async("PUT", "/" + FuzzFixtures.Bucket);
        await S3Async("PUT", $"/{FuzzFixtures.Bucket}/{FuzzFixtures.ObjectKey}", body: "fuzz object"u8.ToArray());
        await S3Async("PUT", "/" + FuzzFixtures.VersionedBucket);
        await S3Async("PUT", "/" + FuzzFixtures.VersionedBucket, "versioning",
            body: Encoding.UTF8.GetBytes("<VersioningConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Status>Enabled</Status></VersioningConfiguration>"));
        await S3Async("PUT", $"/{FuzzFixtures.VersionedBucket}/{FuzzFixtures.ObjectKey}", body: "one"u8.ToArray());
        var put = await S3Async("PUT", $"/{FuzzFixtures.VersionedBucket}/{FuzzFixtures.ObjectKey}", body: "two"u8.ToArray());
        f.VersionId = put.Header("x-amz-version-id") ?? "null";
        var upload = XDocument.Parse(Encoding.UTF8.GetString((await S3Async("POST", $"/{FuzzFixtures.Bucket}/{FuzzFixtures.ObjectKey}", "uploads")).Body));
        f.UploadId = upload.Root!.Elements().First(e => e.Name.LocalName == "UploadId").Value;

        // CloudTrail: a trail into the bucket.
        await JsonAsync("cloudtrail", "CreateTrail", new JsonObject { ["Name"] = FuzzFixtures.Trail, ["S3BucketName"] = FuzzFixtures.Bucket });
        var describe = await SendAsync(JsonRequest("kms", "DescribeKey", new JsonObject { ["KeyId"] = f.SymmetricKeyId }));
        f.LoggedRequestId = describe.Header("x-amzn-requestid") ?? "";
    }

    /// <summary>
    /// Puts back what cases may have changed (keys disabled or scheduled for deletion, the object deleted, the upload
    /// aborted): run every few hundred cases, so later cases still reach the operations. Failures are ignored.
    /// </summary>
    public async Task RefreshAsync()
    {
        var f = Fixtures;
        foreach (var id in new[] { f.SymmetricKeyId, f.RsaSignKeyId, f.RsaEncryptKeyId, f.HmacKeyId, f.EccKeyId })
        {
            await SendAsync(JsonRequest("kms", "CancelKeyDeletion", new JsonObject { ["KeyId"] = id }));
            await SendAsync(JsonRequest("kms", "EnableKey", new JsonObject { ["KeyId"] = id }));
            await SendAsync(JsonRequest("kms", "PutKeyPolicy", new JsonObject
            {
                ["KeyId"] = id,
                ["PolicyName"] = "default",
                ["Policy"] = $$"""{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::{{FuzzFixtures.AccountId}}:root"},"Action":"kms:*","Resource":"*"}]}""",
            }));
        }
        await SendAsync(JsonRequest("kms", "UpdateAlias", new JsonObject { ["AliasName"] = FuzzFixtures.Alias, ["TargetKeyId"] = f.SymmetricKeyId }));
        await SendAsync(S3Request("PUT", "/" + FuzzFixtures.Bucket, "", []));
        await SendAsync(S3Request("DELETE", "/" + FuzzFixtures.Bucket, "policy", []));
        await SendAsync(S3Request("PUT", $"/{FuzzFixtures.Bucket}/{FuzzFixtures.ObjectKey}", "", "fuzz object"u8.ToArray()));
        var upload = await SendAsync(S3Request("POST", $"/{FuzzFixtures.Bucket}/{FuzzFixtures.ObjectKey}", "uploads", []));
        if (upload.Status == 200)
            f.UploadId = XDocument.Parse(Encoding.UTF8.GetString(upload.Body)).Root!.Elements().First(e => e.Name.LocalName == "UploadId").Value;
        await SendAsync(QueryRequest("iam", "CreateUser", new() { ["UserName"] = FuzzFixtures.TargetUser }));
        await SendAsync(QueryRequest("iam", "PutUserPolicy", new() { ["UserName"] = FuzzFixtures.CallerUser, ["PolicyName"] = "fuzz-allow-all", ["PolicyDocument"] = FuzzFixtures.AllowAllPolicy }));
    }

    /// <summary>
    /// A session of a role that was deleted and created again under the same name, with more permissions: the session
    /// belongs to the role that is gone (its id is in the session), so its requests must be refused, not allowed by the
    /// new role's policies. The returned case (KMS ListKeys, signed by that session) must be refused.
    /// </summary>
    public async Task<FuzzRequest> SessionOfARecreatedRoleAsync()
    {
        const string name = "fuzz-recreated-role";
        var roleArn = Text(await QueryAsync("iam", "CreateRole", new() { ["RoleName"] = name, ["AssumeRolePolicyDocument"] = FuzzFixtures.TrustPolicy }), "Arn");
        var session = await QueryAsync("sts", "AssumeRole", new() { ["RoleArn"] = roleArn, ["RoleSessionName"] = "before" }, Fixtures.User);
        await QueryAsync("iam", "DeleteRole", new() { ["RoleName"] = name });
        await QueryAsync("iam", "CreateRole", new() { ["RoleName"] = name, ["AssumeRolePolicyDocument"] = FuzzFixtures.TrustPolicy });
        await QueryAsync("iam", "PutRolePolicy", new() { ["RoleName"] = name, ["PolicyName"] = "fuzz-allow-all", ["PolicyDocument"] = FuzzFixtures.AllowAllPolicy });
        var request = JsonRequest("kms", "ListKeys", new JsonObject(), FuzzSigning.Session);
        request.Generator = "probe.session-of-a-recreated-role";
        request.CredentialsOverride = new FuzzCredentials("old-session", Text(session, "AccessKeyId"), Text(session, "SecretAccessKey"), Text(session, "SessionToken"));
        request.MustReject = "a session of a role that was deleted and created again under its name (it must not get the new role's permissions)";
        request.Mutated("role deleted and created again with Allow *");
        return request;
    }

    private static string Text(XDocument document, string element) => document.Descendants().First(e => e.Name.LocalName == element).Value;

    public static FuzzRequest JsonRequest(string service, string operation, JsonNode body, FuzzSigning signing = FuzzSigning.Admin)
    {
        var model = FuzzModel.Load(service);
        var request = new FuzzRequest { Generator = $"{service}.{operation}", Service = service, Signing = signing, Body = Encoding.UTF8.GetBytes(body.ToJsonString()) };
        request.Headers.Add(new("X-Amz-Target", $"{model.TargetPrefix}.{operation}"));
        request.Headers.Add(new("Content-Type", "application/x-amz-json-1.1"));
        return request;
    }

    public static FuzzRequest QueryRequest(string service, string action, Dictionary<string, string> parameters, FuzzSigning signing = FuzzSigning.Admin)
    {
        var model = FuzzModel.Load(service);
        var form = new List<string> { "Action=" + Uri.EscapeDataString(action), "Version=" + model.ApiVersion };
        form.AddRange(parameters.Select(p => Uri.EscapeDataString(p.Key) + "=" + Uri.EscapeDataString(p.Value)));
        var request = new FuzzRequest { Generator = $"{service}.{action}", Service = service, Signing = signing, Body = Encoding.UTF8.GetBytes(string.Join('&', form)) };
        request.Headers.Add(new("Content-Type", "application/x-www-form-urlencoded; charset=utf-8"));
        return request;
    }

    public static FuzzRequest S3Request(string method, string path, string query, byte[] body)
    {
        var request = new FuzzRequest { Generator = "s3.setup", Service = "s3", Method = method, Path = path, Query = query, Body = body };
        request.Headers.Add(new("x-amz-content-sha256", Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(body))));
        return request;
    }

    private async Task<JsonNode> JsonAsync(string service, string operation, JsonNode body)
    {
        var response = await SendAsync(JsonRequest(service, operation, body));
        if (response.Status != 200) throw new InvalidOperationException($"Set-up {service}.{operation} failed: {response.Status} {Encoding.UTF8.GetString(response.Body)} {response.Error}");
        return JsonNode.Parse(response.Body)!;
    }

    private async Task<XDocument> QueryAsync(string service, string action, Dictionary<string, string> parameters, FuzzCredentials? credentials = null)
    {
        var request = QueryRequest(service, action, parameters, FuzzSigning.AsIs);
        request.Host ??= Transport.DefaultHost;
        FuzzSigner.Sign(request, credentials ?? Fixtures.Admin, DateTimeOffset.UtcNow);
        var response = await Transport.SendAsync(request);
        if (response.Status != 200) throw new InvalidOperationException($"Set-up {service}.{action} failed: {response.Status} {Encoding.UTF8.GetString(response.Body)} {response.Error}");
        return XDocument.Parse(Encoding.UTF8.GetString(response.Body));
    }

    private async Task<FuzzResponse> S3Async(string method, string path, string query = "", byte[]? body = null)
    {
        var response = await SendAsync(S3Request(method, path, query, body ?? []));
        if (response.Status != 200) throw new InvalidOperationException($"Set-up S3 {method} {path}?{query} failed: {response.Status} {Encoding.UTF8.GetString(response.Body)} {response.Error}");
        return response;
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed) return;
        _disposed = true;
        Transport.Dispose();
        await _server.DisposeAsync();
        try { Directory.Delete(DataDirectory, true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    /// <summary>The JSON body of a successful answer, for tests beside the fuzz.</summary>
    public static JsonDocument Json(FuzzResponse response) => JsonDocument.Parse(response.Body);
}
