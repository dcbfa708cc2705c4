using System.Text.Json;

namespace Citadel.Compatibility.Tests;

/// <summary>IAM user policies and KMS key policies decide what a user may do, through the AWS CLI.</summary>
public sealed class AuthorizationTests
{
    private static Dictionary<string, string> As(JsonElement key) => new()
    {
        ["AWS_ACCESS_KEY_ID"] = key.GetProperty("AccessKeyId").GetString()!,
        ["AWS_SECRET_ACCESS_KEY"] = key.GetProperty("SecretAccessKey").GetString()!,
    };

    private static async Task<string> Json(CitadelProcess server, IReadOnlyDictionary<string, string>? env, string query, params string[] args)
    {
        var result = await Clients.Aws(server, 1, env, [.. args, "--output", "text", "--query", query]);
        Assert.True(result.ExitCode == 0, result.StdErr);
        return result.StdOut.Trim();
    }

    [Fact]
    public async Task UserPoliciesAndKeyPoliciesDecide()
    {
        await using var server = new CitadelProcess();
        try
        {
            await server.StartAsync();
            var k1 = await Json(server, null, "KeyMetadata.Arn", "kms", "create-key");
            var k2 = await Json(server, null, "KeyMetadata.Arn", "kms", "create-key");
            Assert.Equal(0, (await Clients.Aws(server, 1, "iam", "create-user", "--user-name", "alice")).ExitCode);
            var created = await Clients.Aws(server, 1, "iam", "create-access-key", "--user-name", "alice", "--output", "json");
            var alice = As(JsonDocument.Parse(created.StdOut).RootElement.GetProperty("AccessKey"));
            var policy = """
                {"Version":"2012-10-17","Statement":[{"Sid":"AppKey","Effect":"Allow","Action":["kms:Encrypt","kms:Decrypt"],"Resource":"KEY",
                  "Condition":{"StringEquals":{"kms:EncryptionContext:app":"web"}}}]}
                """.Replace("KEY", k1, StringComparison.Ordinal);
            Assert.Equal(0, (await Clients.Aws(server, 1, "iam", "put-user-policy", "--user-name", "alice", "--policy-name", "app", "--policy-document", policy)).ExitCode);

            // Allowed: the key and the encryption context the policy names.
            var blob = await Json(server, alice, "CiphertextBlob", "kms", "encrypt", "--key-id", k1, "--plaintext", "aGVsbG8=", "--encryption-context", "app=web");
            var file = Path.Combine(server.DataDirectory, "blob.bin");
            await File.WriteAllBytesAsync(file, Convert.FromBase64String(blob));
            // CLI v1 sends --plaintext text as raw bytes, so the plaintext is the base64 of the text.
            Assert.Equal("YUdWc2JHOD0=", await Json(server, alice, "Plaintext", "kms", "decrypt", "--ciphertext-blob", $"fileb://{file}", "--encryption-context", "app=web"));

            // Denied: another context, another key, another action — each with AWS's message.
            var otherContext = await Clients.Aws(server, 1, alice, "kms", "encrypt", "--key-id", k1, "--plaintext", "aGVsbG8=", "--encryption-context", "app=ops");
            Assert.Contains($"User: arn:aws:iam::000000000000:user/alice is not authorized to perform: kms:Encrypt on resource: {k1}", otherContext.StdErr, StringComparison.Ordinal);
            Assert.Contains("AccessDeniedException", (await Clients.Aws(server, 1, alice, "kms", "encrypt", "--key-id", k2, "--plaintext", "aGVsbG8=", "--encryption-context", "app=web")).StdErr, StringComparison.Ordinal);
            Assert.Contains("AccessDeniedException", (await Clients.Aws(server, 1, alice, "kms", "describe-key", "--key-id", k1)).StdErr, StringComparison.Ordinal);
            Assert.Contains("AccessDenied", (await Clients.Aws(server, 1, alice, "iam", "list-users")).StdErr, StringComparison.Ordinal);

            // An explicit deny wins over the allow.
            var deny = """{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"kms:Decrypt","Resource":"*"}]}""";
            Assert.Equal(0, (await Clients.Aws(server, 1, "iam", "put-user-policy", "--user-name", "alice", "--policy-name", "no-decrypt", "--policy-document", deny)).ExitCode);
            var denied = await Clients.Aws(server, 1, alice, "kms", "decrypt", "--ciphertext-blob", $"fileb://{file}", "--encryption-context", "app=web");
            Assert.Contains("with an explicit deny in an identity-based policy", denied.StdErr, StringComparison.Ordinal);
            Assert.Equal(0, (await Clients.Aws(server, 1, "iam", "delete-user-policy", "--user-name", "alice", "--policy-name", "no-decrypt")).ExitCode);

            // A key policy that does not delegate to the account makes IAM policies irrelevant for that key,
            // and a key policy statement naming the user grants by itself.
            var keyPolicy = """
                {"Version":"2012-10-17","Statement":[
                  {"Sid":"AliceDescribes","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::000000000000:user/alice"},"Action":"kms:DescribeKey","Resource":"*"}]}
                """;
            // Without the bypass, the lockout safety check refuses a policy that would stop the caller from changing it again.
            var lockout = await Clients.Aws(server, 1, "kms", "put-key-policy", "--key-id", k1, "--policy-name", "default", "--policy", keyPolicy);
            Assert.Contains("MalformedPolicyDocumentException", lockout.StdErr, StringComparison.Ordinal);
            Assert.Contains("will not allow you to update the key policy in the future", lockout.StdErr, StringComparison.Ordinal);
            var malformed = await Clients.Aws(server, 1, "kms", "put-key-policy", "--key-id", k1, "--policy-name", "default", "--policy", """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:*","Resource":"*"}]}""");
            Assert.Contains("MalformedPolicyDocumentException", malformed.StdErr, StringComparison.Ordinal);
            Assert.Equal(0, (await Clients.Aws(server, 1, "kms", "put-key-policy", "--key-id", k1, "--policy-name", "default", "--policy", keyPolicy, "--bypass-policy-lockout-safety-check")).ExitCode);
            var notDelegated = await Clients.Aws(server, 1, alice, "kms", "encrypt", "--key-id", k1, "--plaintext", "aGVsbG8=", "--encryption-context", "app=web");
            Assert.Contains("because no resource-based policy allows the kms:Encrypt action", notDelegated.StdErr, StringComparison.Ordinal);
            Assert.Equal(k1, await Json(server, alice, "KeyMetadata.Arn", "kms", "describe-key", "--key-id", k1));

            // Denials are audit events like any other.
            var trail = await Clients.Aws(server, 1, "cloudtrail", "lookup-events", "--lookup-attributes", "AttributeKey=Username,AttributeValue=alice", "--output", "json");
            Assert.Contains("AccessDeniedException", trail.StdOut, StringComparison.Ordinal);
        }
        finally
        {
            server.DeleteData();
        }
    }

    [Fact]
    public async Task ManagedPoliciesAttachVersionAndDecide()
    {
        await using var server = new CitadelProcess();
        try
        {
            await server.StartAsync();
            Assert.Equal(0, (await Clients.Aws(server, 1, "iam", "create-user", "--user-name", "carol")).ExitCode);
            var carol = As(JsonDocument.Parse((await Clients.Aws(server, 1, "iam", "create-access-key", "--user-name", "carol", "--output", "json")).StdOut).RootElement.GetProperty("AccessKey"));
            const string listKeys = """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:ListKeys","Resource":"*"}]}""";
            var arn = await Json(server, null, "Policy.Arn", "iam", "create-policy", "--policy-name", "kms-read", "--path", "/team/", "--policy-document", listKeys);
            Assert.Equal("arn:aws:iam::000000000000:policy/team/kms-read", arn);
            Assert.Contains("AccessDeniedException", (await Clients.Aws(server, 1, carol, "kms", "list-keys")).StdErr, StringComparison.Ordinal);

            Assert.Equal(0, (await Clients.Aws(server, 2, "iam", "attach-user-policy", "--user-name", "carol", "--policy-arn", arn)).ExitCode);
            Assert.Equal(arn, await Json(server, null, "AttachedPolicies[0].PolicyArn", "iam", "list-attached-user-policies", "--user-name", "carol"));
            Assert.Equal("1", await Json(server, null, "Policy.AttachmentCount", "iam", "get-policy", "--policy-arn", arn));
            Assert.Equal(0, (await Clients.Aws(server, 1, carol, "kms", "list-keys")).ExitCode);
            Assert.Contains("AccessDeniedException", (await Clients.Aws(server, 1, carol, "kms", "create-key")).StdErr, StringComparison.Ordinal);

            // A new default version takes effect at once; the old one stays readable.
            const string createKeys = """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["kms:ListKeys","kms:CreateKey"],"Resource":"*"}]}""";
            Assert.Equal("v2", await Json(server, null, "PolicyVersion.VersionId", "iam", "create-policy-version", "--policy-arn", arn, "--policy-document", createKeys, "--set-as-default"));
            Assert.Equal(0, (await Clients.Aws(server, 1, carol, "kms", "create-key")).ExitCode);
            var v1 = await Clients.Aws(server, 1, "iam", "get-policy-version", "--policy-arn", arn, "--version-id", "v1", "--output", "json");
            Assert.Equal("kms:ListKeys", JsonDocument.Parse(v1.StdOut).RootElement.GetProperty("PolicyVersion").GetProperty("Document").GetProperty("Statement")[0].GetProperty("Action").GetString());

            Assert.Contains("DeleteConflict", (await Clients.Aws(server, 1, "iam", "delete-policy", "--policy-arn", arn)).StdErr, StringComparison.Ordinal);
            Assert.Contains("DeleteConflict", (await Clients.Aws(server, 1, "iam", "delete-policy-version", "--policy-arn", arn, "--version-id", "v2")).StdErr, StringComparison.Ordinal);
            Assert.Equal(0, (await Clients.Aws(server, 1, "iam", "detach-user-policy", "--user-name", "carol", "--policy-arn", arn)).ExitCode);
            Assert.Contains("AccessDeniedException", (await Clients.Aws(server, 1, carol, "kms", "list-keys")).StdErr, StringComparison.Ordinal);
            Assert.Equal(0, (await Clients.Aws(server, 1, "iam", "delete-policy-version", "--policy-arn", arn, "--version-id", "v1")).ExitCode);
            Assert.Equal(0, (await Clients.Aws(server, 1, "iam", "delete-policy", "--policy-arn", arn)).ExitCode);
            Assert.Contains("MalformedPolicyDocument", (await Clients.Aws(server, 1, "iam", "create-policy", "--policy-name", "bad", "--policy-document", """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"kms:*","Resource":"*"}]}""")).StdErr, StringComparison.Ordinal);
        }
        finally
        {
            server.DeleteData();
        }
    }

    [Fact]
    public async Task GroupPoliciesApplyToTheirMembers()
    {
        await using var server = new CitadelProcess();
        try
        {
            await server.StartAsync();
            Assert.Equal(0, (await Clients.Aws(server, 1, "iam", "create-user", "--user-name", "frank")).ExitCode);
            var frank = As(JsonDocument.Parse((await Clients.Aws(server, 1, "iam", "create-access-key", "--user-name", "frank", "--output", "json")).StdOut).RootElement.GetProperty("AccessKey"));
            Assert.Equal("arn:aws:iam::000000000000:group/ops/readers", await Json(server, null, "Group.Arn", "iam", "create-group", "--group-name", "readers", "--path", "/ops/"));
            Assert.Equal(0, (await Clients.Aws(server, 1, "iam", "put-group-policy", "--group-name", "readers", "--policy-name", "list", "--policy-document",
                """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:ListKeys","Resource":"*"}]}""")).ExitCode);
            Assert.Contains("AccessDeniedException", (await Clients.Aws(server, 1, frank, "kms", "list-keys")).StdErr, StringComparison.Ordinal);

            Assert.Equal(0, (await Clients.Aws(server, 2, "iam", "add-user-to-group", "--group-name", "readers", "--user-name", "frank")).ExitCode);
            Assert.Equal("readers", await Json(server, null, "Groups[0].GroupName", "iam", "list-groups-for-user", "--user-name", "frank"));
            Assert.Equal("frank", await Json(server, null, "Users[0].UserName", "iam", "get-group", "--group-name", "readers"));
            Assert.Equal(0, (await Clients.Aws(server, 1, frank, "kms", "list-keys")).ExitCode);

            Assert.Contains("DeleteConflict", (await Clients.Aws(server, 1, "iam", "delete-user", "--user-name", "frank")).StdErr, StringComparison.Ordinal);
            Assert.Equal(0, (await Clients.Aws(server, 1, "iam", "remove-user-from-group", "--group-name", "readers", "--user-name", "frank")).ExitCode);
            Assert.Contains("AccessDeniedException", (await Clients.Aws(server, 1, frank, "kms", "list-keys")).StdErr, StringComparison.Ordinal);
            Assert.Contains("DeleteConflict", (await Clients.Aws(server, 1, "iam", "delete-group", "--group-name", "readers")).StdErr, StringComparison.Ordinal);
            Assert.Equal(0, (await Clients.Aws(server, 1, "iam", "delete-group-policy", "--group-name", "readers", "--policy-name", "list")).ExitCode);
            Assert.Equal(0, (await Clients.Aws(server, 1, "iam", "delete-group", "--group-name", "readers")).ExitCode);
        }
        finally
        {
            server.DeleteData();
        }
    }

    [Fact]
    public async Task SimulationsExplainDecisionsBeforeAnyoneTries()
    {
        await using var server = new CitadelProcess();
        try
        {
            await server.StartAsync();
            Assert.Equal(0, (await Clients.Aws(server, 1, "iam", "create-user", "--user-name", "gina")).ExitCode);
            Assert.Equal(0, (await Clients.Aws(server, 1, "iam", "put-user-policy", "--user-name", "gina", "--policy-name", "enc", "--policy-document",
                """{"Version":"2012-10-17","Statement":[{"Sid":"Enc","Effect":"Allow","Action":"kms:Encrypt","Resource":"*","Condition":{"StringEquals":{"kms:EncryptionContext:app":"web"}}}]}""")).ExitCode);
            var simulated = await Clients.Aws(server, 1, "iam", "simulate-principal-policy", "--policy-source-arn", "arn:aws:iam::000000000000:user/gina",
                "--action-names", "kms:Encrypt", "kms:Decrypt", "--context-entries", "ContextKeyName=kms:EncryptionContext:app,ContextKeyValues=web,ContextKeyType=string", "--output", "json");
            Assert.True(simulated.ExitCode == 0, simulated.StdErr);
            var results = JsonDocument.Parse(simulated.StdOut).RootElement.GetProperty("EvaluationResults");
            Assert.Equal("allowed", results[0].GetProperty("EvalDecision").GetString());
            Assert.Equal("enc", results[0].GetProperty("MatchedStatements")[0].GetProperty("SourcePolicyId").GetString());
            Assert.Equal("implicitDeny", results[1].GetProperty("EvalDecision").GetString());

            var custom = await Clients.Aws(server, 2, "iam", "simulate-custom-policy", "--action-names", "kms:Decrypt", "--policy-input-list",
                """{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"kms:*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}""", "--output", "json");
            Assert.True(custom.ExitCode == 0, custom.StdErr);
            var result = JsonDocument.Parse(custom.StdOut).RootElement.GetProperty("EvaluationResults")[0];
            Assert.Equal("implicitDeny", result.GetProperty("EvalDecision").GetString());
            Assert.Equal("aws:SecureTransport", result.GetProperty("MissingContextValues")[0].GetString());
        }
        finally
        {
            server.DeleteData();
        }
    }

    [Fact]
    public async Task AttributeBasedAccessWithPrincipalAndResourceTags()
    {
        await using var server = new CitadelProcess();
        try
        {
            await server.StartAsync();
            var red = await Json(server, null, "KeyMetadata.Arn", "kms", "create-key", "--tags", "TagKey=team,TagValue=red");
            var blue = await Json(server, null, "KeyMetadata.Arn", "kms", "create-key", "--tags", "TagKey=team,TagValue=blue");
            Assert.Equal(0, (await Clients.Aws(server, 1, "iam", "create-user", "--user-name", "hank", "--tags", "Key=team,Value=red")).ExitCode);
            var hank = As(JsonDocument.Parse((await Clients.Aws(server, 1, "iam", "create-access-key", "--user-name", "hank", "--output", "json")).StdOut).RootElement.GetProperty("AccessKey"));
            Assert.Equal(0, (await Clients.Aws(server, 1, "iam", "put-user-policy", "--user-name", "hank", "--policy-name", "abac", "--policy-document",
                """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:Encrypt","Resource":"*","Condition":{"StringEquals":{"aws:ResourceTag/team":"${aws:PrincipalTag/team}"}}}]}""")).ExitCode);
            Assert.Equal(0, (await Clients.Aws(server, 1, hank, "kms", "encrypt", "--key-id", red, "--plaintext", "aGk=")).ExitCode);
            Assert.Contains("AccessDeniedException", (await Clients.Aws(server, 1, hank, "kms", "encrypt", "--key-id", blue, "--plaintext", "aGk=")).StdErr, StringComparison.Ordinal);

            Assert.Equal(0, (await Clients.Aws(server, 1, "iam", "tag-user", "--user-name", "hank", "--tags", "Key=team,Value=blue")).ExitCode);
            Assert.Equal("blue", await Json(server, null, "Tags[?Key=='team'].Value | [0]", "iam", "list-user-tags", "--user-name", "hank"));
            Assert.Equal(0, (await Clients.Aws(server, 1, hank, "kms", "encrypt", "--key-id", blue, "--plaintext", "aGk=")).ExitCode);
            Assert.Contains("AccessDeniedException", (await Clients.Aws(server, 1, hank, "kms", "encrypt", "--key-id", red, "--plaintext", "aGk=")).StdErr, StringComparison.Ordinal);
            Assert.Contains("InvalidInput", (await Clients.Aws(server, 1, "iam", "tag-user", "--user-name", "hank", "--tags", "Key=aws:x,Value=y")).StdErr, StringComparison.Ordinal);
        }
        finally
        {
            server.DeleteData();
        }
    }
}
