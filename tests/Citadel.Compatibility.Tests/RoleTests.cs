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

    /// <summary>boto3 clients from the environment (endpoint CITADEL_ENDPOINT, CA bundle, region, the administrator's keys), and
    /// clients for other credentials.</summary>
    private const string Prelude = """
        import datetime, json, os, time
        import boto3, botocore.config
        from botocore.exceptions import ClientError

        endpoint = os.environ["CITADEL_ENDPOINT"]
        config = botocore.config.Config(retries={"max_attempts": 1})
        iam = boto3.client("iam", endpoint_url=endpoint, config=config)

        def client(service, credentials):
            return boto3.client(service, endpoint_url=endpoint, config=config, aws_access_key_id=credentials["AccessKeyId"],
                aws_secret_access_key=credentials["SecretAccessKey"], aws_session_token=credentials.get("SessionToken"))

        def error_code(call, **kwargs):
            try:
                call(**kwargs)
            except ClientError as e:
                return e.response["Error"]["Code"]
            raise AssertionError(f"{call.__name__} succeeded with {kwargs}")

        def policy(*statements):
            return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})

        def user(name):
            arn = iam.create_user(UserName=name)["User"]["Arn"]
            return arn, iam.create_access_key(UserName=name)["AccessKey"]

        """;

    private static async Task RunBoto3(string script)
    {
        await using var server = new CitadelProcess();
        try
        {
            await server.StartAsync();
            var result = await Clients.Boto3(server, Prelude + script + "\nprint(\"OK\")\n");
            Assert.True(result.ExitCode == 0 && result.StdOut.Contains("OK", StringComparison.Ordinal), result.StdOut + result.StdErr);
        }
        finally
        {
            server.DeleteData();
        }
    }

    [Fact]
    public Task ASessionOfADeletedRoleIsRefusedAlsoOnceARoleOfTheSameNameExists() => RunBoto3("""
        dave_arn, dave = user("dave")
        trust = policy({"Effect": "Allow", "Principal": {"AWS": dave_arn}, "Action": "sts:AssumeRole"})
        role = iam.create_role(RoleName="app", AssumeRolePolicyDocument=trust)["Role"]
        iam.put_role_policy(RoleName="app", PolicyName="list", PolicyDocument=policy({"Effect": "Allow", "Action": "kms:ListKeys", "Resource": "*"}))
        sts = client("sts", dave)
        old = sts.assume_role(RoleArn=role["Arn"], RoleSessionName="old", DurationSeconds=900)["Credentials"]
        client("kms", old).list_keys()
        assert error_code(client("kms", old).create_key) == "AccessDeniedException"

        # The role is deleted, and a role of the same name is created with wider permissions: another role (new id), of
        # which the old session is no session. Its token is refused at authentication, as an invalid token.
        iam.delete_role_policy(RoleName="app", PolicyName="list")
        iam.delete_role(RoleName="app")
        again = iam.create_role(RoleName="app", AssumeRolePolicyDocument=trust)["Role"]
        assert again["Arn"] == role["Arn"] and again["RoleId"] != role["RoleId"], again
        iam.put_role_policy(RoleName="app", PolicyName="all", PolicyDocument=policy({"Effect": "Allow", "Action": "*", "Resource": "*"}))
        assert error_code(client("kms", old).create_key) == "UnrecognizedClientException"
        assert error_code(client("kms", old).list_keys) == "UnrecognizedClientException"
        assert error_code(client("sts", old).get_caller_identity) == "InvalidClientTokenId"
        # A new session of the new role has the new role's permissions.
        new = sts.assume_role(RoleArn=again["Arn"], RoleSessionName="new", DurationSeconds=900)["Credentials"]
        client("kms", new).create_key()
        assert client("sts", new).get_caller_identity()["UserId"] == again["RoleId"] + ":new"
        # Deleted for good: its sessions go with it.
        iam.delete_role_policy(RoleName="app", PolicyName="all")
        iam.delete_role(RoleName="app")
        assert error_code(client("sts", new).get_caller_identity) == "InvalidClientTokenId"
        """);

    [Fact]
    public Task ADenyOnTokenIssueTimeRevokesTheSessionsIssuedBeforeItAndNotTheLaterOnes() => RunBoto3("""
        dave_arn, dave = user("dave")
        role = iam.create_role(RoleName="app", AssumeRolePolicyDocument=policy({"Effect": "Allow", "Principal": {"AWS": dave_arn}, "Action": "sts:AssumeRole"}))["Role"]
        iam.put_role_policy(RoleName="app", PolicyName="list", PolicyDocument=policy({"Effect": "Allow", "Action": "kms:ListKeys", "Resource": "*"}))
        sts = client("sts", dave)

        # What AWS's console does to revoke a role's sessions (the AWSRevokeOlderSessions inline policy): a Deny on
        # aws:TokenIssueTime before a time. A session's issue time is its expiry less its duration (whole seconds); the later
        # session is taken once the server's clock has passed the first one's second, so the two differ whatever the timing.
        def issued(credentials):
            return credentials["Expiration"] - datetime.timedelta(seconds=900)
        first = sts.assume_role(RoleArn=role["Arn"], RoleSessionName="first", DurationSeconds=900)["Credentials"]
        for _ in range(100):
            later = sts.assume_role(RoleArn=role["Arn"], RoleSessionName="later", DurationSeconds=900)["Credentials"]
            if issued(later) > issued(first):
                break
            time.sleep(0.1)
        assert issued(later) > issued(first)
        client("kms", first).list_keys()
        revoke_before = issued(later).astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        iam.put_role_policy(RoleName="app", PolicyName="AWSRevokeOlderSessions", PolicyDocument=policy(
            {"Effect": "Deny", "Action": ["*"], "Resource": ["*"], "Condition": {"DateLessThan": {"aws:TokenIssueTime": revoke_before}}}))
        assert error_code(client("kms", first).list_keys) == "AccessDeniedException"
        # Issued at the policy's time, or after it: not revoked.
        client("kms", later).list_keys()
        client("kms", sts.assume_role(RoleArn=role["Arn"], RoleSessionName="after", DurationSeconds=900)["Credentials"]).list_keys()
        """);

    [Fact]
    public Task TrustPoliciesSeeTheExternalIdAndTheSessionName() => RunBoto3("""
        dave_arn, dave = user("dave")
        sts = client("sts", dave)
        role = iam.create_role(RoleName="app", AssumeRolePolicyDocument=policy(
            {"Effect": "Allow", "Principal": {"AWS": dave_arn}, "Action": "sts:AssumeRole",
             "Condition": {"StringEquals": {"sts:ExternalId": "abc"}, "StringLike": {"sts:RoleSessionName": "build-*"}}}))["Role"]
        sts.assume_role(RoleArn=role["Arn"], RoleSessionName="build-1", ExternalId="abc")
        assert error_code(sts.assume_role, RoleArn=role["Arn"], RoleSessionName="build-1", ExternalId="abd") == "AccessDenied"
        assert error_code(sts.assume_role, RoleArn=role["Arn"], RoleSessionName="build-1") == "AccessDenied"
        assert error_code(sts.assume_role, RoleArn=role["Arn"], RoleSessionName="deploy-1", ExternalId="abc") == "AccessDenied"
        """);

    [Fact]
    public Task ASourceIdentityNeedsSetSourceIdentityAndIsSeenByTrustAndRolePolicies() => RunBoto3("""
        dave_arn, dave = user("dave")
        sts = client("sts", dave)
        role = iam.create_role(RoleName="app", AssumeRolePolicyDocument=policy(
            {"Effect": "Allow", "Principal": {"AWS": dave_arn}, "Action": "sts:AssumeRole"},
            {"Effect": "Allow", "Principal": {"AWS": dave_arn}, "Action": "sts:SetSourceIdentity", "Condition": {"StringEquals": {"sts:SourceIdentity": "alice"}}}))["Role"]
        iam.put_role_policy(RoleName="app", PolicyName="traced", PolicyDocument=policy(
            {"Effect": "Allow", "Action": "kms:ListAliases", "Resource": "*", "Condition": {"StringEquals": {"aws:SourceIdentity": "alice"}}}))

        traced = sts.assume_role(RoleArn=role["Arn"], RoleSessionName="s1", SourceIdentity="alice")["Credentials"]
        assert error_code(sts.assume_role, RoleArn=role["Arn"], RoleSessionName="s1", SourceIdentity="mallory") == "AccessDenied"
        # The model's length and pattern, and the reserved prefix.
        assert error_code(sts.assume_role, RoleArn=role["Arn"], RoleSessionName="s1", SourceIdentity="has space") == "ValidationError"
        assert error_code(sts.assume_role, RoleArn=role["Arn"], RoleSessionName="s1", SourceIdentity="aws:alice") == "ValidationError"
        plain = sts.assume_role(RoleArn=role["Arn"], RoleSessionName="s2")["Credentials"]
        client("kms", traced).list_aliases()
        assert error_code(client("kms", plain).list_aliases) == "AccessDeniedException"

        # Without sts:SetSourceIdentity in the trust policy, no source identity.
        iam.update_assume_role_policy(RoleName="app", PolicyDocument=policy({"Effect": "Allow", "Principal": {"AWS": dave_arn}, "Action": "sts:AssumeRole"}))
        assert error_code(sts.assume_role, RoleArn=role["Arn"], RoleSessionName="s3", SourceIdentity="alice") == "AccessDenied"
        """);

    [Fact]
    public Task SessionTagsNeedTagSessionAndBecomePrincipalTagsBesideTheRoles() => RunBoto3("""
        dave_arn, dave = user("dave")
        sts = client("sts", dave)
        role = iam.create_role(RoleName="app", Tags=[{"Key": "team", "Value": "red"}], AssumeRolePolicyDocument=policy(
            {"Effect": "Allow", "Principal": {"AWS": dave_arn}, "Action": "sts:AssumeRole"},
            {"Effect": "Allow", "Principal": {"AWS": dave_arn}, "Action": "sts:TagSession",
             "Condition": {"StringEquals": {"aws:RequestTag/project": "blue"}, "ForAllValues:StringEquals": {"aws:TagKeys": ["project"]}}}))["Role"]
        iam.put_role_policy(RoleName="app", PolicyName="abac", PolicyDocument=policy(
            {"Effect": "Allow", "Action": "kms:ListKeys", "Resource": "*", "Condition": {"StringEquals": {"aws:PrincipalTag/project": "blue", "aws:PrincipalTag/team": "red"}}}))

        # The sts:TagSession statement sees aws:RequestTag/* and aws:TagKeys.
        tagged = sts.assume_role(RoleArn=role["Arn"], RoleSessionName="s1", Tags=[{"Key": "project", "Value": "blue"}])["Credentials"]
        assert error_code(sts.assume_role, RoleArn=role["Arn"], RoleSessionName="s1", Tags=[{"Key": "project", "Value": "red"}]) == "AccessDenied"
        assert error_code(sts.assume_role, RoleArn=role["Arn"], RoleSessionName="s1", Tags=[{"Key": "project", "Value": "blue"}, {"Key": "other", "Value": "x"}]) == "AccessDenied"
        # Tag keys are case-insensitive.
        assert error_code(sts.assume_role, RoleArn=role["Arn"], RoleSessionName="s1", Tags=[{"Key": "project", "Value": "blue"}, {"Key": "Project", "Value": "blue"}]) == "InvalidParameterValue"
        # The session's tags are principal tags of the session, beside the role's own.
        plain = sts.assume_role(RoleArn=role["Arn"], RoleSessionName="s2")["Credentials"]
        client("kms", tagged).list_keys()
        assert error_code(client("kms", plain).list_keys) == "AccessDeniedException"

        # A trust policy that allows sts:AssumeRole only: no session tags.
        iam.update_assume_role_policy(RoleName="app", PolicyDocument=policy({"Effect": "Allow", "Principal": {"AWS": dave_arn}, "Action": "sts:AssumeRole"}))
        assert error_code(sts.assume_role, RoleArn=role["Arn"], RoleSessionName="s3", Tags=[{"Key": "project", "Value": "blue"}]) == "AccessDenied"
        assert error_code(sts.assume_role, RoleArn=role["Arn"], RoleSessionName="s3", TransitiveTagKeys=["project"]) == "AccessDenied"
        sts.assume_role(RoleArn=role["Arn"], RoleSessionName="s3")
        """);

    private static Dictionary<string, string> Keys(JsonElement key) => new()
    {
        ["AWS_ACCESS_KEY_ID"] = key.GetProperty("AccessKeyId").GetString()!,
        ["AWS_SECRET_ACCESS_KEY"] = key.GetProperty("SecretAccessKey").GetString()!,
    };
}
