using System.Text.Json;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;

namespace Citadel.Compatibility.Tests;

/// <summary><c>citadel iam explain</c>: a request id from a real client's response, explained by the CLI.</summary>
public sealed class ExplainTests
{
    [Fact]
    public async Task ADeniedRequestsIdExplainedShowsTheDenyReason()
    {
        await using var server = new CitadelProcess();
        try
        {
            await server.StartAsync();
            var admin = Clients.Kms(server);
            var key = (await admin.CreateKeyAsync(new CreateKeyRequest())).KeyMetadata;
            var blob = (await admin.EncryptAsync(new EncryptRequest { KeyId = key.KeyId, Plaintext = new MemoryStream([1, 2, 3]) })).CiphertextBlob;
            Assert.Equal(0, (await Clients.Aws(server, 1, "iam", "create-user", "--user-name", "bob")).ExitCode);
            var created = JsonDocument.Parse((await Clients.Aws(server, 1, "iam", "create-access-key", "--user-name", "bob", "--output", "json")).StdOut).RootElement.GetProperty("AccessKey");
            var bob = Clients.Kms(server, created.GetProperty("AccessKeyId").GetString(), created.GetProperty("SecretAccessKey").GetString());
            Assert.Equal(0, (await Clients.Aws(server, 1, "iam", "put-user-policy", "--user-name", "bob", "--policy-name", "no-decrypt", "--policy-document",
                """{"Version":"2012-10-17","Statement":[{"Sid":"NoDecrypt","Effect":"Deny","Action":"kms:Decrypt","Resource":"*"}]}""")).ExitCode);
            var grant = await admin.CreateGrantAsync(new CreateGrantRequest
            {
                KeyId = key.KeyId,
                GranteePrincipal = "arn:aws:iam::000000000000:user/bob",
                Operations = [GrantOperation.Encrypt, GrantOperation.Decrypt],
            });

            // The grant allows Decrypt, but bob's own explicit deny wins; the SDK exposes the request id.
            var denied = await Assert.ThrowsAsync<AmazonKeyManagementServiceException>(() => bob.DecryptAsync(new DecryptRequest { CiphertextBlob = new MemoryStream(blob.ToArray()) }));
            Assert.Equal("AccessDeniedException", denied.ErrorCode);
            Assert.False(string.IsNullOrEmpty(denied.RequestId));

            var explained = await Explain(server, denied.RequestId);
            Assert.True(explained.ExitCode == 0, explained.Output);
            Assert.Contains($"request:   {denied.RequestId}", explained.Output, StringComparison.Ordinal);
            Assert.Contains("principal: arn:aws:iam::000000000000:user/bob (IAMUser", explained.Output, StringComparison.Ordinal);
            Assert.Contains("action:    Decrypt (kms.amazonaws.com)", explained.Output, StringComparison.Ordinal);
            Assert.Contains($"resources: {key.Arn}", explained.Output, StringComparison.Ordinal);
            Assert.Contains("outcome:   AccessDeniedException: User: arn:aws:iam::000000000000:user/bob is not authorized to perform: kms:Decrypt", explained.Output, StringComparison.Ordinal);
            Assert.Contains("Evaluated against current policies", explained.Output, StringComparison.Ordinal);
            Assert.Contains($"kms:Decrypt on {key.Arn}: explicitDeny", explained.Output, StringComparison.Ordinal);
            Assert.Contains("explicitly denied by an identity-based policy", explained.Output, StringComparison.Ordinal);
            Assert.Contains("Deny in identity policy 'no-decrypt', statement 0 (Sid NoDecrypt)", explained.Output, StringComparison.Ordinal);

            // An allowed request says what allowed it: here the grant.
            var encrypted = await bob.EncryptAsync(new EncryptRequest { KeyId = key.KeyId, Plaintext = new MemoryStream([9]) });
            var allowed = await Explain(server, encrypted.ResponseMetadata.RequestId);
            Assert.True(allowed.ExitCode == 0, allowed.Output);
            Assert.Contains("outcome:   success", allowed.Output, StringComparison.Ordinal);
            Assert.Contains($"kms:Encrypt on {key.Arn}: allowed", allowed.Output, StringComparison.Ordinal);
            Assert.Contains($"allowed by grant {grant.GrantId} to arn:aws:iam::000000000000:user/bob", allowed.Output, StringComparison.Ordinal);

            // Against current policies: without the deny, the grant now allows the request that was denied.
            Assert.Equal(0, (await Clients.Aws(server, 1, "iam", "delete-user-policy", "--user-name", "bob", "--policy-name", "no-decrypt")).ExitCode);
            var now = await Explain(server, denied.RequestId, "--json");
            Assert.True(now.ExitCode == 0, now.Output);
            var check = JsonDocument.Parse(now.Output).RootElement.GetProperty("checks")[0];
            Assert.Equal("allowed", check.GetProperty("evaluation").GetProperty("evalDecision").GetString());
            Assert.Equal(grant.GrantId, check.GetProperty("grantId").GetString());

            var unknown = await Explain(server, Guid.NewGuid().ToString());
            Assert.Equal(1, unknown.ExitCode);
            Assert.Contains("No audit record has the request id", unknown.Output, StringComparison.Ordinal);
            var notAdmin = await CliProcess.RunAsync(new Dictionary<string, string>
            {
                ["AWS_ACCESS_KEY_ID"] = created.GetProperty("AccessKeyId").GetString()!,
                ["AWS_SECRET_ACCESS_KEY"] = created.GetProperty("SecretAccessKey").GetString()!,
            }, "iam", "explain", denied.RequestId, "--data", server.DataDirectory, "--listen", $"127.0.0.1:{server.Port}");
            Assert.Equal(1, notAdmin.ExitCode);

            // Explanations read the audit trail and the policies: they are audited too.
            var trail = await Clients.Aws(server, 1, "cloudtrail", "lookup-events", "--lookup-attributes", "AttributeKey=EventSource,AttributeValue=admin.citadel", "--output", "json");
            Assert.Contains("ExplainRequest", trail.StdOut, StringComparison.Ordinal);
            Assert.Contains(denied.RequestId, trail.StdOut, StringComparison.Ordinal);
        }
        finally
        {
            server.DeleteData();
        }
    }

    private static Task<CliProcess.Result> Explain(CitadelProcess server, string requestId, params string[] extra)
        => CliProcess.RunAsync(new Dictionary<string, string> { ["AWS_ACCESS_KEY_ID"] = CitadelProcess.AccessKeyId, ["AWS_SECRET_ACCESS_KEY"] = CitadelProcess.SecretAccessKey },
            ["iam", "explain", requestId, "--data", server.DataDirectory, "--listen", $"127.0.0.1:{server.Port}", .. extra]);
}
