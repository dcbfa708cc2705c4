using System.Text.Json;

namespace Citadel.Compatibility.Tests;

/// <summary>IAM users and access keys through the AWS CLI (query protocol, XML), and what a new user may do: nothing yet.</summary>
public sealed class IamTests
{
    private static Dictionary<string, string> As(string accessKeyId, string secret) => new() { ["AWS_ACCESS_KEY_ID"] = accessKeyId, ["AWS_SECRET_ACCESS_KEY"] = secret };

    [Fact]
    public async Task UsersGetWorkingCredentialsButNoPermissionsAndKeysSurviveRestarts()
    {
        var server = new CitadelProcess();
        try
        {
            await server.StartAsync();
            Assert.Equal(0, (await Clients.Aws(server, 1, "iam", "create-user", "--user-name", "alice")).ExitCode);
            var duplicate = await Clients.Aws(server, 1, "iam", "create-user", "--user-name", "ALICE");
            Assert.Contains("EntityAlreadyExists", duplicate.StdErr, StringComparison.Ordinal);
            var created = await Clients.Aws(server, 1, "iam", "create-access-key", "--user-name", "alice", "--output", "json");
            Assert.True(created.ExitCode == 0, created.StdErr);
            var key = JsonDocument.Parse(created.StdOut).RootElement.GetProperty("AccessKey");
            var alice = As(key.GetProperty("AccessKeyId").GetString()!, key.GetProperty("SecretAccessKey").GetString()!);

            foreach (var version in new[] { 1, 2 })
            {
                var identity = await Clients.Aws(server, version, alice, "sts", "get-caller-identity", "--output", "json");
                Assert.True(identity.ExitCode == 0, identity.StdErr);
                Assert.Equal("arn:aws:iam::000000000000:user/alice", JsonDocument.Parse(identity.StdOut).RootElement.GetProperty("Arn").GetString());
            }
            var kms = await Clients.Aws(server, 1, alice, "kms", "list-keys");
            Assert.Contains("AccessDeniedException", kms.StdErr, StringComparison.Ordinal);
            Assert.Contains("User: arn:aws:iam::000000000000:user/alice is not authorized to perform: kms:ListKeys", kms.StdErr, StringComparison.Ordinal);
            var iam = await Clients.Aws(server, 2, alice, "iam", "list-users");
            Assert.Contains("AccessDenied", iam.StdErr, StringComparison.Ordinal);

            // Deactivated keys authenticate nothing; reactivated ones do again.
            var keyId = key.GetProperty("AccessKeyId").GetString()!;
            Assert.Equal(0, (await Clients.Aws(server, 1, "iam", "update-access-key", "--user-name", "alice", "--access-key-id", keyId, "--status", "Inactive")).ExitCode);
            Assert.Contains("InvalidClientTokenId", (await Clients.Aws(server, 1, alice, "sts", "get-caller-identity")).StdErr, StringComparison.Ordinal);
            Assert.Equal(0, (await Clients.Aws(server, 1, "iam", "update-access-key", "--user-name", "alice", "--access-key-id", keyId, "--status", "Active")).ExitCode);

            // The key survives a kill -9 and a restart, and its secret is nowhere on disk in plaintext.
            await server.StopAsync(kill: true);
            foreach (var file in Directory.EnumerateFiles(server.DataDirectory, "*", SearchOption.AllDirectories))
                Assert.DoesNotContain(alice["AWS_SECRET_ACCESS_KEY"], await File.ReadAllTextAsync(file), StringComparison.Ordinal);
            await using var restarted = new CitadelProcess(server.DataDirectory);
            await restarted.StartAsync();
            Assert.Equal(0, (await Clients.Aws(restarted, 1, alice, "sts", "get-caller-identity")).ExitCode);

            var listed = await Clients.Aws(restarted, 1, "iam", "list-access-keys", "--user-name", "alice", "--output", "json");
            Assert.Equal(keyId, JsonDocument.Parse(listed.StdOut).RootElement.GetProperty("AccessKeyMetadata")[0].GetProperty("AccessKeyId").GetString());
            Assert.Contains("DeleteConflict", (await Clients.Aws(restarted, 1, "iam", "delete-user", "--user-name", "alice")).StdErr, StringComparison.Ordinal);
            Assert.Equal(0, (await Clients.Aws(restarted, 1, "iam", "delete-access-key", "--user-name", "alice", "--access-key-id", keyId)).ExitCode);
            Assert.Equal(0, (await Clients.Aws(restarted, 1, "iam", "delete-user", "--user-name", "alice")).ExitCode);
            Assert.Contains("NoSuchEntity", (await Clients.Aws(restarted, 2, "iam", "get-user", "--user-name", "alice")).StdErr, StringComparison.Ordinal);
            Assert.Contains("InvalidClientTokenId", (await Clients.Aws(restarted, 1, alice, "sts", "get-caller-identity")).StdErr, StringComparison.Ordinal);
        }
        finally
        {
            await server.DisposeAsync();
            server.DeleteData();
        }
    }

    [Fact]
    public async Task InlineUserPoliciesAreValidatedStoredAndReturned()
    {
        await using var server = new CitadelProcess();
        try
        {
            await server.StartAsync();
            Assert.Equal(0, (await Clients.Aws(server, 1, "iam", "create-user", "--user-name", "bob")).ExitCode);
            const string policy = """{"Version":"2012-10-17","Statement":[{"Sid":"UseAppKey","Effect":"Allow","Action":["kms:Encrypt","kms:Decrypt"],"Resource":"arn:aws:kms:us-east-1:000000000000:key/*","Condition":{"StringEquals":{"kms:EncryptionContext:app":"web"}}}]}""";
            var put = await Clients.Aws(server, 2, "iam", "put-user-policy", "--user-name", "bob", "--policy-name", "kms-use", "--policy-document", policy);
            Assert.True(put.ExitCode == 0, put.StdErr);
            var got = await Clients.Aws(server, 1, "iam", "get-user-policy", "--user-name", "bob", "--policy-name", "kms-use", "--output", "json");
            Assert.True(got.ExitCode == 0, got.StdErr);
            // The CLI decodes IAM's URL-encoded document back into JSON.
            var document = JsonDocument.Parse(got.StdOut).RootElement.GetProperty("PolicyDocument");
            Assert.Equal("UseAppKey", document.GetProperty("Statement")[0].GetProperty("Sid").GetString());
            var listed = await Clients.Aws(server, 1, "iam", "list-user-policies", "--user-name", "bob", "--output", "json");
            Assert.Equal("kms-use", JsonDocument.Parse(listed.StdOut).RootElement.GetProperty("PolicyNames")[0].GetString());

            var malformed = await Clients.Aws(server, 1, "iam", "put-user-policy", "--user-name", "bob", "--policy-name", "bad", "--policy-document", """{"Version":"2012-10-17","Statement":[{"Effect":"Maybe","Action":"kms:*","Resource":"*"}]}""");
            Assert.Contains("MalformedPolicyDocument", malformed.StdErr, StringComparison.Ordinal);
            Assert.Contains("DeleteConflict", (await Clients.Aws(server, 1, "iam", "delete-user", "--user-name", "bob")).StdErr, StringComparison.Ordinal);
            Assert.Equal(0, (await Clients.Aws(server, 1, "iam", "delete-user-policy", "--user-name", "bob", "--policy-name", "kms-use")).ExitCode);
            Assert.Contains("NoSuchEntity", (await Clients.Aws(server, 1, "iam", "get-user-policy", "--user-name", "bob", "--policy-name", "kms-use")).StdErr, StringComparison.Ordinal);
            Assert.Equal(0, (await Clients.Aws(server, 1, "iam", "delete-user", "--user-name", "bob")).ExitCode);
        }
        finally
        {
            server.DeleteData();
        }
    }

    [Fact]
    public async Task RenamedUsersKeepTheirKeysPoliciesAndGroups()
    {
        await using var server = new CitadelProcess();
        try
        {
            await server.StartAsync();
            Assert.Equal(0, (await Clients.Aws(server, 1, "iam", "create-user", "--user-name", "bob")).ExitCode);
            Assert.Equal(0, (await Clients.Aws(server, 1, "iam", "create-user", "--user-name", "carol")).ExitCode);
            var key = JsonDocument.Parse((await Clients.Aws(server, 1, "iam", "create-access-key", "--user-name", "bob", "--output", "json")).StdOut).RootElement.GetProperty("AccessKey");
            var bob = As(key.GetProperty("AccessKeyId").GetString()!, key.GetProperty("SecretAccessKey").GetString()!);
            // One permission from each source: a group's inline policy, the user's inline policy, a managed policy.
            Assert.Equal(0, (await Clients.Aws(server, 1, "iam", "create-group", "--group-name", "readers")).ExitCode);
            Assert.Equal(0, (await Clients.Aws(server, 1, "iam", "put-group-policy", "--group-name", "readers", "--policy-name", "list-keys", "--policy-document",
                """{"Version":"2012-10-17","Statement":[{"Sid":"ListKeys","Effect":"Allow","Action":"kms:ListKeys","Resource":"*"}]}""")).ExitCode);
            Assert.Equal(0, (await Clients.Aws(server, 1, "iam", "add-user-to-group", "--group-name", "readers", "--user-name", "bob")).ExitCode);
            Assert.Equal(0, (await Clients.Aws(server, 1, "iam", "put-user-policy", "--user-name", "bob", "--policy-name", "aliases", "--policy-document",
                """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:ListAliases","Resource":"*"}]}""")).ExitCode);
            var managed = JsonDocument.Parse((await Clients.Aws(server, 1, "iam", "create-policy", "--policy-name", "random", "--output", "json", "--policy-document",
                """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:GenerateRandom","Resource":"*"}]}""")).StdOut).RootElement.GetProperty("Policy").GetProperty("Arn").GetString()!;
            Assert.Equal(0, (await Clients.Aws(server, 1, "iam", "attach-user-policy", "--user-name", "bob", "--policy-arn", managed)).ExitCode);

            // GetGroupPolicy returns the document URL-encoded; the CLI decodes it.
            var groupPolicy = await Clients.Aws(server, 1, "iam", "get-group-policy", "--group-name", "readers", "--policy-name", "list-keys", "--output", "json");
            Assert.True(groupPolicy.ExitCode == 0, groupPolicy.StdErr);
            var groupDocument = JsonDocument.Parse(groupPolicy.StdOut).RootElement;
            Assert.Equal("readers", groupDocument.GetProperty("GroupName").GetString());
            Assert.Equal("ListKeys", groupDocument.GetProperty("PolicyDocument").GetProperty("Statement")[0].GetProperty("Sid").GetString());
            Assert.Contains("NoSuchEntity", (await Clients.Aws(server, 2, "iam", "get-group-policy", "--group-name", "readers", "--policy-name", "nope")).StdErr, StringComparison.Ordinal);

            Assert.Contains("EntityAlreadyExists", (await Clients.Aws(server, 1, "iam", "update-user", "--user-name", "bob", "--new-user-name", "Carol")).StdErr, StringComparison.Ordinal);
            var renamed = await Clients.Aws(server, 2, "iam", "update-user", "--user-name", "bob", "--new-user-name", "robert", "--new-path", "/eng/");
            Assert.True(renamed.ExitCode == 0, renamed.StdErr);

            // The same access key now signs as robert, with everything bob had.
            var identity = await Clients.Aws(server, 1, bob, "sts", "get-caller-identity", "--output", "json");
            Assert.Equal("arn:aws:iam::000000000000:user/eng/robert", JsonDocument.Parse(identity.StdOut).RootElement.GetProperty("Arn").GetString());
            foreach (var allowed in new[] { new[] { "kms", "list-keys" }, ["kms", "list-aliases"], ["kms", "generate-random", "--number-of-bytes", "8"] })
            {
                var result = await Clients.Aws(server, 1, bob, allowed);
                Assert.True(result.ExitCode == 0, string.Join(' ', allowed) + ": " + result.StdErr);
            }
            Assert.Contains("user/eng/robert is not authorized to perform: kms:CreateKey", (await Clients.Aws(server, 1, bob, "kms", "create-key")).StdErr, StringComparison.Ordinal);
            Assert.Contains("NoSuchEntity", (await Clients.Aws(server, 1, "iam", "get-user", "--user-name", "bob")).StdErr, StringComparison.Ordinal);
            var user = JsonDocument.Parse((await Clients.Aws(server, 1, "iam", "get-user", "--user-name", "robert", "--output", "json")).StdOut).RootElement.GetProperty("User");
            Assert.Equal("/eng/", user.GetProperty("Path").GetString());
            Assert.Equal(key.GetProperty("AccessKeyId").GetString(), JsonDocument.Parse((await Clients.Aws(server, 1, "iam", "list-access-keys", "--user-name", "robert", "--output", "json")).StdOut)
                .RootElement.GetProperty("AccessKeyMetadata")[0].GetProperty("AccessKeyId").GetString());
            Assert.Equal("readers", JsonDocument.Parse((await Clients.Aws(server, 1, "iam", "list-groups-for-user", "--user-name", "robert", "--output", "json")).StdOut)
                .RootElement.GetProperty("Groups")[0].GetProperty("GroupName").GetString());
            Assert.Equal("robert", JsonDocument.Parse((await Clients.Aws(server, 1, "iam", "get-group", "--group-name", "readers", "--output", "json")).StdOut)
                .RootElement.GetProperty("Users")[0].GetProperty("UserName").GetString());
            Assert.Equal(managed, JsonDocument.Parse((await Clients.Aws(server, 1, "iam", "list-attached-user-policies", "--user-name", "robert", "--output", "json")).StdOut)
                .RootElement.GetProperty("AttachedPolicies")[0].GetProperty("PolicyArn").GetString());

            // Renaming needs the permission on the user as it is and as it will be.
            Assert.Equal(0, (await Clients.Aws(server, 1, "iam", "create-user", "--user-name", "ops")).ExitCode);
            var opsKey = JsonDocument.Parse((await Clients.Aws(server, 1, "iam", "create-access-key", "--user-name", "ops", "--output", "json")).StdOut).RootElement.GetProperty("AccessKey");
            var ops = As(opsKey.GetProperty("AccessKeyId").GetString()!, opsKey.GetProperty("SecretAccessKey").GetString()!);
            Assert.Equal(0, (await Clients.Aws(server, 1, "iam", "put-user-policy", "--user-name", "ops", "--policy-name", "rename-carol", "--policy-document",
                """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:UpdateUser","Resource":"arn:aws:iam::000000000000:user/carol"}]}""")).ExitCode);
            var halfAllowed = await Clients.Aws(server, 1, ops, "iam", "update-user", "--user-name", "carol", "--new-user-name", "dave");
            Assert.Contains("not authorized to perform: iam:UpdateUser on resource: arn:aws:iam::000000000000:user/dave", halfAllowed.StdErr, StringComparison.Ordinal);
            Assert.Equal(0, (await Clients.Aws(server, 1, "iam", "get-user", "--user-name", "carol")).ExitCode);

            // The rename survives a restart.
            await server.StopAsync();
            await using var restarted = new CitadelProcess(server.DataDirectory);
            await restarted.StartAsync();
            var again = await Clients.Aws(restarted, 1, bob, "sts", "get-caller-identity", "--output", "json");
            Assert.True(again.ExitCode == 0, again.StdErr);
            Assert.Equal("arn:aws:iam::000000000000:user/eng/robert", JsonDocument.Parse(again.StdOut).RootElement.GetProperty("Arn").GetString());
            Assert.Equal(0, (await Clients.Aws(restarted, 1, bob, "kms", "list-keys")).ExitCode);
        }
        finally
        {
            server.DeleteData();
        }
    }

    [Fact]
    public async Task QueryProtocolValidationAndUnknownActionsGetXmlErrors()
    {
        await using var server = new CitadelProcess();
        try
        {
            await server.StartAsync();
            var invalid = await Clients.Aws(server, 1, "iam", "create-user", "--user-name", "bad name!");
            Assert.Contains("ValidationError", invalid.StdErr, StringComparison.Ordinal);
            var tooLong = await Clients.Aws(server, 1, "iam", "create-user", "--user-name", new string('a', 65));
            Assert.Contains("Member must have length less than or equal to 64", tooLong.StdErr, StringComparison.Ordinal);
        }
        finally
        {
            server.DeleteData();
        }
    }
}
