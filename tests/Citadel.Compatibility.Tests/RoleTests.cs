using System.Text.Json;

namespace Citadel.Compatibility.Tests;

/// <summary>Roles and STS AssumeRole through the AWS CLI: trust policies decide who may assume, role policies what the session may do.</summary>
public sealed class RoleTests
{
    [Fact]
    public async Task TrustedUsersAssumeRolesAndSessionsHaveTheRolesPermissions()
    {
        await using var server = new CitadelProcess();
        try
        {
            await server.StartAsync();
            Assert.Equal(0, (await Clients.Aws(server, 1, "iam", "create-user", "--user-name", "dave")).ExitCode);
            Assert.Equal(0, (await Clients.Aws(server, 1, "iam", "create-user", "--user-name", "erin")).ExitCode);
            var dave = Keys(JsonDocument.Parse((await Clients.Aws(server, 1, "iam", "create-access-key", "--user-name", "dave", "--output", "json")).StdOut).RootElement.GetProperty("AccessKey"));
            var erin = Keys(JsonDocument.Parse((await Clients.Aws(server, 1, "iam", "create-access-key", "--user-name", "erin", "--output", "json")).StdOut).RootElement.GetProperty("AccessKey"));
            const string trust = """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::000000000000:user/dave"},"Action":"sts:AssumeRole"}]}""";
            var created = await Clients.Aws(server, 1, "iam", "create-role", "--role-name", "app", "--assume-role-policy-document", trust, "--output", "json");
            Assert.True(created.ExitCode == 0, created.StdErr);
            var roleArn = JsonDocument.Parse(created.StdOut).RootElement.GetProperty("Role").GetProperty("Arn").GetString()!;
            Assert.Equal(0, (await Clients.Aws(server, 1, "iam", "put-role-policy", "--role-name", "app", "--policy-name", "list", "--policy-document",
                """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:ListKeys","Resource":"*"}]}""")).ExitCode);

            // The root may not assume roles; a user the trust policy does not name may not either.
            Assert.Contains("Roles may not be assumed by root accounts", (await Clients.Aws(server, 1, "sts", "assume-role", "--role-arn", roleArn, "--role-session-name", "xx")).StdErr, StringComparison.Ordinal);
            Assert.Contains("AccessDenied", (await Clients.Aws(server, 1, erin, "sts", "assume-role", "--role-arn", roleArn, "--role-session-name", "xx")).StdErr, StringComparison.Ordinal);

            foreach (var version in new[] { 1, 2 })
            {
                var assumed = await Clients.Aws(server, version, dave, "sts", "assume-role", "--role-arn", roleArn, "--role-session-name", $"s{version}", "--duration-seconds", "900", "--output", "json");
                Assert.True(assumed.ExitCode == 0, assumed.StdErr);
                var credentials = JsonDocument.Parse(assumed.StdOut).RootElement.GetProperty("Credentials");
                var session = Keys(credentials);
                session["AWS_SESSION_TOKEN"] = credentials.GetProperty("SessionToken").GetString()!;
                var identity = await Clients.Aws(server, version, session, "sts", "get-caller-identity", "--output", "json");
                Assert.True(identity.ExitCode == 0, identity.StdErr);
                Assert.Equal($"arn:aws:sts::000000000000:assumed-role/app/s{version}", JsonDocument.Parse(identity.StdOut).RootElement.GetProperty("Arn").GetString());
                Assert.Equal(0, (await Clients.Aws(server, version, session, "kms", "list-keys")).ExitCode);
                Assert.Contains($"assumed-role/app/s{version} is not authorized to perform: kms:CreateKey", (await Clients.Aws(server, version, session, "kms", "create-key")).StdErr, StringComparison.Ordinal);

                // A token changed by one character is not a token.
                var token = session["AWS_SESSION_TOKEN"];
                session["AWS_SESSION_TOKEN"] = token[..10] + (token[10] == 'A' ? 'B' : 'A') + token[11..];
                Assert.Contains("InvalidClientTokenId", (await Clients.Aws(server, version, session, "sts", "get-caller-identity")).StdErr, StringComparison.Ordinal);
            }

            // A trust policy naming the account delegates: erin may assume once her own policy allows it.
            Assert.Equal(0, (await Clients.Aws(server, 1, "iam", "update-assume-role-policy", "--role-name", "app", "--policy-document",
                """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::000000000000:root"},"Action":"sts:AssumeRole"}]}""")).ExitCode);
            Assert.Contains("AccessDenied", (await Clients.Aws(server, 1, erin, "sts", "assume-role", "--role-arn", roleArn, "--role-session-name", "ee")).StdErr, StringComparison.Ordinal);
            Assert.Equal(0, (await Clients.Aws(server, 1, "iam", "put-user-policy", "--user-name", "erin", "--policy-name", "assume", "--policy-document",
                "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"sts:AssumeRole\",\"Resource\":\"" + roleArn + "\"}]}")).ExitCode);
            Assert.Equal(0, (await Clients.Aws(server, 1, erin, "sts", "assume-role", "--role-arn", roleArn, "--role-session-name", "ee")).ExitCode);

            var listed = await Clients.Aws(server, 1, "iam", "list-role-policies", "--role-name", "app", "--output", "json");
            Assert.Equal("list", JsonDocument.Parse(listed.StdOut).RootElement.GetProperty("PolicyNames")[0].GetString());
            var got = await Clients.Aws(server, 2, "iam", "get-role-policy", "--role-name", "app", "--policy-name", "list", "--output", "json");
            Assert.Equal("kms:ListKeys", JsonDocument.Parse(got.StdOut).RootElement.GetProperty("PolicyDocument").GetProperty("Statement")[0].GetProperty("Action").GetString());
            var attached = await Clients.Aws(server, 1, "iam", "list-attached-role-policies", "--role-name", "app", "--output", "json");
            Assert.Equal(0, JsonDocument.Parse(attached.StdOut).RootElement.GetProperty("AttachedPolicies").GetArrayLength());
            Assert.Contains("DeleteConflict", (await Clients.Aws(server, 1, "iam", "delete-role", "--role-name", "app")).StdErr, StringComparison.Ordinal);
            Assert.Equal(0, (await Clients.Aws(server, 1, "iam", "delete-role-policy", "--role-name", "app", "--policy-name", "list")).ExitCode);
            Assert.Equal(0, (await Clients.Aws(server, 1, "iam", "delete-role", "--role-name", "app")).ExitCode);
        }
        finally
        {
            server.DeleteData();
        }
    }

    private static Dictionary<string, string> Keys(JsonElement key) => new()
    {
        ["AWS_ACCESS_KEY_ID"] = key.GetProperty("AccessKeyId").GetString()!,
        ["AWS_SECRET_ACCESS_KEY"] = key.GetProperty("SecretAccessKey").GetString()!,
    };
}
