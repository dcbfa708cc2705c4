using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Xml.Linq;

namespace Citadel.Server.Tests.Fuzzing;

/// <summary>One server for the regression cases (started once, its log watched throughout).</summary>
public sealed class FuzzRegressionServer : IAsyncLifetime
{
    internal FuzzServer Server { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Server = await FuzzServer.StartAsync(https: false);
        await Server.SetUpAsync();
    }

    public async Task DisposeAsync() => await Server.DisposeAsync();
}

/// <summary>
/// The failure classes the protocol fuzz found beyond the ones known when it was written, each as the request that
/// showed it, answered now in the protocol's error shape with no error logged.
/// </summary>
[Collection(FuzzCollection.Name)]
public sealed class FuzzRegressionTests(FuzzRegressionServer fixture) : IClassFixture<FuzzRegressionServer>
{
    private FuzzServer Server => fixture.Server;

    private async Task<FuzzResponse> SendAsync(FuzzRequest request)
    {
        var before = Server.Log.Errors.Count;
        var response = await Server.SendAsync(request);
        await Task.Delay(100); // the console logger writes from its own thread
        Assert.True(Server.Log.Errors.Count == before, "The server logged an error: " + string.Join("\n", Server.Log.Errors.Skip(before).Select(e => e.Line)));
        var failure = ResponseOracle.Check(request, response, out _);
        Assert.True(failure is null, failure + "\n" + request.Describe() + "\nanswer: " + response.Status + " " + FuzzRequest.Escape(response.Body, 2000) + " " + response.Error);
        return response;
    }

    [Fact]
    public async Task QueryErrorsEchoingControlCharactersAreWellFormedXml()
    {
        // Seed 13, case 340: ValidationError's message quotes the value, NUL and all.
        var request = FuzzServer.QueryRequest("sts", "AssumeRole", new()
        {
            ["RoleArn"] = Server.Fixtures.RoleArn,
            ["RoleSessionName"] = "fuzz",
            ["Tags.member.1.Key"] = "a\0b\u0001\ud800",
            ["Tags.member.1.Value"] = "v",
        }, FuzzSigning.User);
        var response = await SendAsync(request);
        Assert.Equal(400, response.Status);
        var error = XDocument.Parse(Encoding.UTF8.GetString(response.Body)).Descendants().First(e => e.Name.LocalName == "Message").Value;
        Assert.Contains("a\ufffdb\ufffd", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task QueryErrorNamingAControlCharacterActionIsWellFormedXml()
    {
        // Seed 13, case 821: Action=%00 is echoed by InvalidAction.
        var request = FuzzServer.QueryRequest("sts", "GetCallerIdentity", []);
        request.Body = Encoding.UTF8.GetBytes("Action=GetCallerIdentity&Version=2011-06-15&Action=%00");
        var response = await SendAsync(request);
        Assert.Equal(400, response.Status);
        Assert.Equal("InvalidAction", XDocument.Parse(Encoding.UTF8.GetString(response.Body)).Descendants().First(e => e.Name.LocalName == "Code").Value);
    }

    public static TheoryData<string> MalformedChunks => new() { "ffffffffffffffffff\r\na\r\n", "zz\r\nabc\r\n0\r\n\r\n", "3\r\nabcdef\r\n0\r\n\r\n" };

    [Theory]
    [MemberData(nameof(MalformedChunks))]
    public async Task MalformedHttpChunksAreRefusedWithoutAnException(string chunks)
    {
        // Seed 13, cases 434, 3229, 3291, 4542: Kestrel's chunk parser throws out of the body read.
        foreach (var request in new[]
        {
            FuzzServer.JsonRequest("kms", "ListKeys", new JsonObject()),
            FuzzServer.QueryRequest("iam", "ListUsers", []),
            Citadel("/citadel/admin/explain"),
            Citadel("/citadel/operator/unseal"),
            FuzzServer.S3Request("PUT", $"/{FuzzFixtures.Bucket}/chunked", "", []),
        })
        {
            // The framing is broken, so Kestrel may close the connection instead of sending the application's answer; what
            // must not happen is an exception out of the application, or an answer that is not the protocol's.
            request.MalformedHttp = true;
            if (request.Service == "s3") request.SetHeader("x-amz-content-sha256", "UNSIGNED-PAYLOAD");
            request.RawTransform = r => ChunkedRaw(r, chunks);
            var response = await SendAsync(request);
            Assert.True(response.Status is 0 or 400, $"{request.Generator}: {response.Status}");
        }
    }

    private static FuzzRequest Citadel(string path)
    {
        var request = new FuzzRequest { Generator = "citadel" + path, Service = "citadel", Path = path };
        request.Headers.Add(new("Content-Type", "application/json"));
        return request;
    }

    private static byte[] ChunkedRaw(FuzzRequest request, string chunks)
    {
        var head = new StringBuilder($"{request.Method} {request.Target} HTTP/1.1\r\nHost: {request.Host}\r\n");
        foreach (var (name, value) in request.Headers) head.Append(name).Append(": ").Append(value).Append("\r\n");
        head.Append("Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n").Append(chunks);
        return Encoding.ASCII.GetBytes(head.ToString());
    }

    [Fact]
    public async Task AnOversizedBodyIsRefusedInTheShapeOfTheSignedService()
    {
        // Seed 99, case 5596: signed for iam but carrying an X-Amz-Target, its 413 came back as awsJson.
        var request = FuzzServer.QueryRequest("iam", "ListUsers", []);
        request.Headers.Add(new("X-Amz-Target", "TrentService.ListKeys"));
        request.Body = Encoding.UTF8.GetBytes("Action=ListUsers&Version=2010-05-08&Marker=" + new string('a', (1 << 20) + 1));
        var response = await SendAsync(request);
        Assert.Equal(413, response.Status);
        Assert.Equal("ErrorResponse", XDocument.Parse(Encoding.UTF8.GetString(response.Body)).Root!.Name.LocalName);
    }

    [Fact]
    public async Task ARequestsUnmodelledNestingDoesNotReachTheAuditRecord()
    {
        // Seed 1313 (HTTPS run), a GenerateDataKey by the IAM user with "Recipient":{"a":{"a":...}} 63 deep (64 with the request itself): the request
        // passed (unknown members are not the model's business), the whole object went into the audit record, 65 deep,
        // and the audit index, which reads records with the JSON reader's default depth of 64, could not index it: every
        // LookupEvents after it (and the server's stop) failed with a JsonReaderException.
        var nested = string.Concat(Enumerable.Repeat("{\"a\":", 63)) + "1" + new string('}', 63);
        var request = FuzzServer.JsonRequest("kms", "GenerateDataKey", new JsonObject { ["KeyId"] = Server.Fixtures.SymmetricKeyId, ["NumberOfBytes"] = 32 }, FuzzSigning.User);
        request.Body = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(request.Body)[..^1] + ",\"Recipient\":" + nested + "}");
        var generate = await SendAsync(request);
        Assert.Equal(400, generate.Status);
        var lookup = await SendAsync(FuzzServer.JsonRequest("cloudtrail", "LookupEvents", new JsonObject { ["MaxResults"] = 1 }));
        Assert.Equal(200, lookup.Status);
    }

    [Fact]
    public async Task DuplicateTagKeysAreRefused()
    {
        // Seed 7, case 12253: AssumeRole with Tags.member.1.Key = Tags.member.2.Key built its tag map with ToDictionary
        // and threw; CreateUser and CreateRole built theirs the same way.
        var assume = await SendAsync(FuzzServer.QueryRequest("sts", "AssumeRole", new()
        {
            ["RoleArn"] = Server.Fixtures.RoleArn,
            ["RoleSessionName"] = "fuzz",
            ["Tags.member.1.Key"] = "fuzz-tag-2",
            ["Tags.member.1.Value"] = "v4",
            ["Tags.member.2.Key"] = "FUZZ-TAG-2",
            ["Tags.member.2.Value"] = "v0",
        }, FuzzSigning.User));
        Assert.Equal(400, assume.Status);
        Assert.Contains("<Code>InvalidParameterValue</Code>", Encoding.UTF8.GetString(assume.Body), StringComparison.Ordinal);
        foreach (var (action, name) in new[] { ("CreateUser", "UserName"), ("CreateRole", "RoleName") })
        {
            var parameters = new Dictionary<string, string> { [name] = "fuzz-duplicate-tags", ["Tags.member.1.Key"] = "k", ["Tags.member.1.Value"] = "1", ["Tags.member.2.Key"] = "k", ["Tags.member.2.Value"] = "2" };
            if (action == "CreateRole") parameters["AssumeRolePolicyDocument"] = FuzzFixtures.TrustPolicy;
            var create = await SendAsync(FuzzServer.QueryRequest("iam", action, parameters));
            Assert.Equal(400, create.Status);
            Assert.Contains("<Code>InvalidInput</Code>", Encoding.UTF8.GetString(create.Body), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task NullListItemsAreValidationErrors()
    {
        // Seed 13, case 4518: {"Tags":[null]} passed validation and the authorizer met a null tag.
        var response = await SendAsync(FuzzServer.JsonRequest("kms", "CreateKey", JsonNode.Parse("""{"Tags":[null]}""")!, FuzzSigning.User));
        Assert.Equal(400, response.Status);
        Assert.Equal("ValidationException", response.Header("x-amzn-ErrorType"));
    }

    [Fact]
    public async Task NullMapValuesAreValidationErrors()
    {
        var response = await SendAsync(FuzzServer.JsonRequest("kms", "Encrypt", new JsonObject
        {
            ["KeyId"] = Server.Fixtures.SymmetricKeyId,
            ["Plaintext"] = "AAAA",
            ["EncryptionContext"] = new JsonObject { ["a"] = null },
        }));
        Assert.Equal(400, response.Status);
        Assert.Equal("ValidationException", response.Header("x-amzn-ErrorType"));
        var query = await SendAsync(FuzzServer.QueryRequest("iam", "TagUser", new() { ["UserName"] = FuzzFixtures.TargetUser, ["Tags.member.1.Key"] = "k" }));
        Assert.Equal(400, query.Status);
    }

    [Fact]
    public async Task BucketPoliciesAreServedAsJson()
    {
        // Seed 13, case 3061: GetBucketPolicy's JSON went out labelled application/xml.
        var put = FuzzServer.S3Request("PUT", "/" + FuzzFixtures.Bucket, "policy",
            Encoding.UTF8.GetBytes($$"""{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::{{FuzzFixtures.AccountId}}:root"},"Action":"s3:*","Resource":"arn:aws:s3:::{{FuzzFixtures.Bucket}}/*"}]}"""));
        Assert.InRange((await SendAsync(put)).Status, 200, 204);
        var response = await SendAsync(FuzzServer.S3Request("GET", "/" + FuzzFixtures.Bucket, "policy", []));
        Assert.Equal(200, response.Status);
        Assert.StartsWith("application/json", response.Header("content-type"), StringComparison.Ordinal);
        using var policy = JsonDocument.Parse(response.Body);
        await SendAsync(FuzzServer.S3Request("DELETE", "/" + FuzzFixtures.Bucket, "policy", []));
    }
}
