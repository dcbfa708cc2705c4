using System.Net;
using System.Text.Json;
using Amazon.KeyManagementService.Model;

namespace Citadel.Compatibility.Tests;

[Collection("citadel")]
public sealed class ObservabilityTests(CitadelFixture fixture)
{
    [Fact]
    public async Task HealthReportsLiveReadyAndUnsealed()
    {
        using var http = fixture.Server.HttpClient();
        var response = await http.GetAsync($"{fixture.Server.Endpoint}/health");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var health = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.True(health.GetProperty("live").GetBoolean());
        Assert.True(health.GetProperty("ready").GetBoolean());
        Assert.False(health.GetProperty("sealed").GetBoolean());
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync($"{fixture.Server.Endpoint}/health/ready")).StatusCode);
    }

    [Fact]
    public async Task MetricsCountRequestsAndKeyOperationsBySpec()
    {
        using var kms = Clients.Kms(fixture.Server);
        var key = await kms.CreateKeyAsync(new CreateKeyRequest { KeySpec = "HMAC_256", KeyUsage = "GENERATE_VERIFY_MAC" });
        await kms.GenerateMacAsync(new GenerateMacRequest { KeyId = key.KeyMetadata.KeyId, MacAlgorithm = "HMAC_SHA_256", Message = new MemoryStream([1]) });
        using var http = fixture.Server.HttpClient();
        var metrics = await fixture.Server.MetricsAsync(http);
        Assert.Contains("citadel_requests_total{service=\"kms\",operation=\"GenerateMac\",outcome=\"success\"}", metrics, StringComparison.Ordinal);
        Assert.Contains("citadel_kms_key_operations_total{operation=\"GenerateMac\",key_spec=\"HMAC_256\"}", metrics, StringComparison.Ordinal);
        Assert.Contains("citadel_request_duration_seconds_bucket{service=\"kms\",operation=\"GenerateMac\",le=\"+Inf\"}", metrics, StringComparison.Ordinal);
        var allocated = metrics.Split('\n').Single(l => l.StartsWith("citadel_dotnet_allocated_bytes_total ", StringComparison.Ordinal));
        Assert.True(long.Parse(allocated.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture) > 0, allocated);
        Assert.Contains("citadel_dotnet_gc_collections_total{generation=\"0\"}", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MetricsNeedTheBearerTokenOfTheDataDirectory()
    {
        using var http = fixture.Server.HttpClient();
        var url = $"{fixture.Server.Endpoint}/metrics";
        using var anonymous = await http.GetAsync(url);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.DoesNotContain("citadel_requests_total", await anonymous.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var token = (await File.ReadAllTextAsync(Path.Combine(fixture.Server.DataDirectory, "metrics.token"))).Trim();
        using var wrong = new HttpRequestMessage(HttpMethod.Get, url);
        wrong.Headers.TryAddWithoutValidation("Authorization", "Bearer " + token[..^1] + (token[^1] == 'A' ? 'B' : 'A'));
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.SendAsync(wrong)).StatusCode);
        Assert.Equal(System.IO.UnixFileMode.UserRead | System.IO.UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(fixture.Server.DataDirectory, "metrics.token")));
        Assert.Contains("citadel_requests_total", await fixture.Server.MetricsAsync(http), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RequestIdHeaderMatchesTheAuditRecordAndTheLogLine()
    {
        using var kms = Clients.Kms(fixture.Server);
        var created = await kms.CreateKeyAsync(new CreateKeyRequest { Description = "audited" });
        var requestId = created.ResponseMetadata.RequestId;
        Assert.False(string.IsNullOrEmpty(requestId));
        var found = await Clients.Aws(fixture.Server, 1, "cloudtrail", "lookup-events", "--lookup-attributes",
            $"AttributeKey=ResourceName,AttributeValue={created.KeyMetadata.Arn}", "--output", "json");
        Assert.Equal(0, found.ExitCode);
        var events = JsonDocument.Parse(found.StdOut).RootElement.GetProperty("Events");
        var record = JsonDocument.Parse(events[0].GetProperty("CloudTrailEvent").GetString()!).RootElement;
        Assert.Equal("CreateKey", record.GetProperty("eventName").GetString());
        Assert.Equal(requestId, record.GetProperty("requestID").GetString());
        Assert.Equal("audited", record.GetProperty("requestParameters").GetProperty("description").GetString());
        Assert.Equal(created.KeyMetadata.Arn, record.GetProperty("responseElements").GetProperty("keyMetadata").GetProperty("arn").GetString());
        // The server's log line of the call carries the same id (its scope; the line may arrive a moment after the answer).
        bool Logged() => fixture.Server.Output.Split('\n').Any(line => line.Contains($"RequestId:{requestId} ", StringComparison.Ordinal) && line.Contains("kms.CreateKey success", StringComparison.Ordinal));
        for (var i = 0; i < 50 && !Logged(); i++) await Task.Delay(100);
        Assert.True(Logged(), fixture.Server.Output);
    }

    [Fact]
    public async Task UnknownOperationsGetTheAwsErrorAndDoNotGrowMetricLabels()
    {
        using var http = fixture.Server.HttpClient();
        var uri = new Uri(fixture.Server.Endpoint);
        var body = "{}"u8.ToArray();
        var signed = Citadel.Iam.SigV4Signer.Sign("POST", $"{uri.Host}:{uri.Port}", "/", "", new Dictionary<string, string> { ["x-amz-target"] = "TrentService.NoSuchOperation42" },
            body, CitadelProcess.AccessKeyId, CitadelProcess.SecretAccessKey, "us-east-1", "kms", DateTimeOffset.UtcNow);
        using var request = new HttpRequestMessage(HttpMethod.Post, uri) { Content = new ByteArrayContent(body) };
        request.Headers.TryAddWithoutValidation("X-Amz-Target", "TrentService.NoSuchOperation42");
        foreach (var (name, value) in signed) request.Headers.TryAddWithoutValidation(name, value);
        using var response = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("UnknownOperationException", JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("__type").GetString());
        var metrics = await fixture.Server.MetricsAsync(http);
        Assert.DoesNotContain("NoSuchOperation42", metrics, StringComparison.Ordinal);
        Assert.Contains("operation=\"unknown\",outcome=\"client_error\"", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnsignedRequestsAreMissingAuthenticationToken()
    {
        using var http = fixture.Server.HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, fixture.Server.Endpoint) { Content = new StringContent("{}") };
        request.Headers.TryAddWithoutValidation("X-Amz-Target", "TrentService.ListKeys");
        using var response = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("MissingAuthenticationTokenException", JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("__type").GetString());
        Assert.False(string.IsNullOrEmpty(response.Headers.GetValues("x-amzn-RequestId").Single()));
    }
}
