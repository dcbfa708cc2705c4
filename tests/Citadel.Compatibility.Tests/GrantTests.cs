using System.Text;
using System.Text.Json;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;

namespace Citadel.Compatibility.Tests;

/// <summary>KMS grants end to end: the AWS SDK for .NET, the AWS CLI v1 and boto3 against a real server.</summary>
public sealed class GrantTests
{
    private static async Task<Dictionary<string, string>> NewUser(CitadelProcess server, string name)
    {
        Assert.Equal(0, (await Clients.Aws(server, 1, "iam", "create-user", "--user-name", name)).ExitCode);
        var created = await Clients.Aws(server, 1, "iam", "create-access-key", "--user-name", name, "--output", "json");
        Assert.True(created.ExitCode == 0, created.StdErr);
        var key = JsonDocument.Parse(created.StdOut).RootElement.GetProperty("AccessKey");
        return new Dictionary<string, string>
        {
            ["AWS_ACCESS_KEY_ID"] = key.GetProperty("AccessKeyId").GetString()!,
            ["AWS_SECRET_ACCESS_KEY"] = key.GetProperty("SecretAccessKey").GetString()!,
        };
    }

    private static AmazonKeyManagementServiceClient As(CitadelProcess server, Dictionary<string, string> user)
        => Clients.Kms(server, user["AWS_ACCESS_KEY_ID"], user["AWS_SECRET_ACCESS_KEY"]);

    private static async Task<MemoryStream> Encrypt(AmazonKeyManagementServiceClient kms, string keyId, string text, Dictionary<string, string> context)
        => (await kms.EncryptAsync(new EncryptRequest { KeyId = keyId, Plaintext = new MemoryStream(Encoding.UTF8.GetBytes(text)), EncryptionContext = context })).CiphertextBlob;

    private static Task<DecryptResponse> Decrypt(AmazonKeyManagementServiceClient kms, MemoryStream blob, Dictionary<string, string> context, List<string>? tokens = null)
        => kms.DecryptAsync(new DecryptRequest { CiphertextBlob = new MemoryStream(blob.ToArray()), EncryptionContext = context, GrantTokens = tokens });

    [Fact]
    public async Task AGrantLetsASecondUserDecryptOnlyWithTheRequiredEncryptionContext()
    {
        await using var server = new CitadelProcess();
        try
        {
            await server.StartAsync();
            var admin = Clients.Kms(server);
            var key = (await admin.CreateKeyAsync(new CreateKeyRequest { Description = "grants" })).KeyMetadata;
            var web = new Dictionary<string, string> { ["app"] = "web" };
            var ops = new Dictionary<string, string> { ["app"] = "ops" };
            var forWeb = await Encrypt(admin, key.KeyId, "for web", web);
            var forOps = await Encrypt(admin, key.KeyId, "for ops", ops);
            var bobKeys = await NewUser(server, "bob");
            var bob = As(server, bobKeys);
            var bobArn = "arn:aws:iam::000000000000:user/bob";

            // Bob has no policy: the default key policy leaves him to IAM, which allows nothing.
            var before = await Assert.ThrowsAsync<AmazonKeyManagementServiceException>(() => Decrypt(bob, forWeb, web));
            Assert.Equal("AccessDeniedException", before.ErrorCode);

            var grant = await admin.CreateGrantAsync(new CreateGrantRequest
            {
                KeyId = key.KeyId,
                GranteePrincipal = bobArn,
                Operations = [GrantOperation.Decrypt],
                Constraints = new GrantConstraints { EncryptionContextSubset = web },
            });
            Assert.Matches("^[0-9a-f]{64}$", grant.GrantId);

            // At once, with or without the grant token: the context the grant requires, and only that.
            Assert.Equal("for web", Encoding.UTF8.GetString((await Decrypt(bob, forWeb, web)).Plaintext.ToArray()));
            Assert.Equal("for web", Encoding.UTF8.GetString((await Decrypt(bob, forWeb, web, [grant.GrantToken])).Plaintext.ToArray()));
            var otherContext = await Assert.ThrowsAsync<AmazonKeyManagementServiceException>(() => Decrypt(bob, forOps, ops));
            Assert.Equal("AccessDeniedException", otherContext.ErrorCode);
            Assert.Contains($"User: {bobArn} is not authorized to perform: kms:Decrypt on resource: {key.Arn}", otherContext.Message, StringComparison.Ordinal);
            var noContext = await Assert.ThrowsAsync<AmazonKeyManagementServiceException>(() => Decrypt(bob, forWeb, []));
            Assert.Equal("AccessDeniedException", noContext.ErrorCode);
            // Only the operations the grant names.
            var encrypt = await Assert.ThrowsAsync<AmazonKeyManagementServiceException>(() => Encrypt(bob, key.KeyId, "x", web));
            Assert.Equal("AccessDeniedException", encrypt.ErrorCode);
            // A token the server did not issue is refused as such.
            var forged = await Assert.ThrowsAsync<InvalidGrantTokenException>(() => Decrypt(bob, forWeb, web, [grant.GrantToken[..^4] + "AAAA"]));
            Assert.Equal(400, (int)forged.StatusCode);

            // An explicit deny in bob's own policies still wins over the grant.
            Assert.Equal(0, (await Clients.Aws(server, 1, "iam", "put-user-policy", "--user-name", "bob", "--policy-name", "no-decrypt", "--policy-document",
                """{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"kms:Decrypt","Resource":"*"}]}""")).ExitCode);
            var explicitDeny = await Assert.ThrowsAsync<AmazonKeyManagementServiceException>(() => Decrypt(bob, forWeb, web));
            Assert.Contains("with an explicit deny in an identity-based policy", explicitDeny.Message, StringComparison.Ordinal);
            Assert.Equal(0, (await Clients.Aws(server, 1, "iam", "delete-user-policy", "--user-name", "bob", "--policy-name", "no-decrypt")).ExitCode);
            Assert.Equal("for web", Encoding.UTF8.GetString((await Decrypt(bob, forWeb, web)).Plaintext.ToArray()));

            // The token is a bearer value: it appears nowhere in the data directory (audit journal and index included).
            var trail = await Clients.Aws(server, 1, "cloudtrail", "lookup-events", "--lookup-attributes", "AttributeKey=EventName,AttributeValue=CreateGrant", "--output", "json");
            Assert.Contains(grant.GrantId, trail.StdOut, StringComparison.Ordinal);
            Assert.Contains("\\\"encryptionContextSubset\\\":{\\\"app\\\":\\\"web\\\"}", trail.StdOut, StringComparison.Ordinal);
            await server.StopAsync();
            foreach (var file in Directory.EnumerateFiles(server.DataDirectory, "*", SearchOption.AllDirectories))
                Assert.DoesNotContain(grant.GrantToken, await File.ReadAllTextAsync(file), StringComparison.Ordinal);
        }
        finally
        {
            server.DeleteData();
        }
    }

    [Fact]
    public async Task GrantsAreListedRetiredAndRevokedWithTheCliAndBoto3AndTakeEffectAtOnce()
    {
        await using var server = new CitadelProcess();
        try
        {
            await server.StartAsync();
            var admin = Clients.Kms(server);
            var key = (await admin.CreateKeyAsync(new CreateKeyRequest())).KeyMetadata;
            var bob = await NewUser(server, "bob");
            var carol = await NewUser(server, "carol");
            const string bobArn = "arn:aws:iam::000000000000:user/bob";
            const string carolArn = "arn:aws:iam::000000000000:user/carol";

            // The AWS CLI v1 creates and lists; --name makes a retry return the same grant.
            string[] create = ["kms", "create-grant", "--key-id", key.KeyId, "--grantee-principal", bobArn, "--operations", "Encrypt", "DescribeKey",
                "--retiring-principal", carolArn, "--name", "bob-encrypt", "--output", "json"];
            var first = await Clients.Aws(server, 1, create);
            Assert.True(first.ExitCode == 0, first.StdErr);
            var grantId = JsonDocument.Parse(first.StdOut).RootElement.GetProperty("GrantId").GetString()!;
            var retry = JsonDocument.Parse((await Clients.Aws(server, 1, create)).StdOut).RootElement;
            Assert.Equal(grantId, retry.GetProperty("GrantId").GetString());
            var listed = await Clients.Aws(server, 1, "kms", "list-grants", "--key-id", key.Arn, "--output", "json");
            Assert.True(listed.ExitCode == 0, listed.StdErr);
            var grant = Assert.Single(JsonDocument.Parse(listed.StdOut).RootElement.GetProperty("Grants").EnumerateArray());
            Assert.Equal(grantId, grant.GetProperty("GrantId").GetString());
            Assert.Equal("bob-encrypt", grant.GetProperty("Name").GetString());
            Assert.Equal(bobArn, grant.GetProperty("GranteePrincipal").GetString());
            Assert.Equal(carolArn, grant.GetProperty("RetiringPrincipal").GetString());
            Assert.Equal("arn:aws:iam::000000000000:root", grant.GetProperty("IssuingAccount").GetString());
            Assert.Equal(key.Arn, grant.GetProperty("KeyId").GetString());
            Assert.Equal(["Encrypt", "DescribeKey"], grant.GetProperty("Operations").EnumerateArray().Select(o => o.GetString()));
            Assert.Contains("InvalidArnException", (await Clients.Aws(server, 1, "kms", "create-grant", "--key-id", key.KeyId, "--grantee-principal",
                "arn:aws:iam::000000000000:user/nobody", "--operations", "Decrypt")).StdErr, StringComparison.Ordinal);
            Assert.Contains("ValidationException", (await Clients.Aws(server, 1, "kms", "create-grant", "--key-id", key.KeyId, "--grantee-principal", bobArn,
                "--operations", "Sign")).StdErr, StringComparison.Ordinal);

            // ListRetirableGrants is authorized by IAM policies only, on no key.
            Assert.Equal(0, (await Clients.Aws(server, 1, "iam", "put-user-policy", "--user-name", "carol", "--policy-name", "retirable", "--policy-document",
                """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:ListRetirableGrants","Resource":"*"}]}""")).ExitCode);

            // boto3 as bob uses the grant; as carol lists what she may retire, and bob (no RetireGrant in his grant) may not retire it.
            var script = """
                import os, boto3, botocore.config
                from botocore.exceptions import ClientError
                config = botocore.config.Config(retries={"max_attempts": 1})
                def client(prefix):
                    return boto3.client("kms", endpoint_url=os.environ["CITADEL_ENDPOINT"], config=config,
                        aws_access_key_id=os.environ[prefix + "_ID"], aws_secret_access_key=os.environ[prefix + "_SECRET"])
                bob, carol, admin = client("BOB"), client("CAROL"), boto3.client("kms", endpoint_url=os.environ["CITADEL_ENDPOINT"], config=config)
                key, grant_id = os.environ["KEY"], os.environ["GRANT"]
                assert bob.describe_key(KeyId=key)["KeyMetadata"]["KeyId"] == key
                bob.encrypt(KeyId=key, Plaintext=b"x")
                retirable = carol.list_retirable_grants(RetiringPrincipal="arn:aws:iam::000000000000:user/carol")["Grants"]
                assert [g["GrantId"] for g in retirable] == [grant_id], retirable
                assert admin.list_grants(KeyId=key, GranteePrincipal="arn:aws:iam::000000000000:user/carol")["Grants"] == []
                # Same name and parameters: the same grant id, a new token.
                again = admin.create_grant(KeyId=key, GranteePrincipal="arn:aws:iam::000000000000:user/bob", Operations=["Encrypt", "DescribeKey"],
                    RetiringPrincipal="arn:aws:iam::000000000000:user/carol", Name="bob-encrypt")
                assert again["GrantId"] == grant_id, again
                # Pages of one.
                extra = admin.create_grant(KeyId=key, GranteePrincipal="arn:aws:iam::000000000000:user/carol", Operations=["Decrypt"])["GrantId"]
                page = admin.list_grants(KeyId=key, Limit=1)
                assert page["Truncated"] and len(page["Grants"]) == 1, page
                rest = admin.list_grants(KeyId=key, Limit=1, Marker=page["NextMarker"])
                assert sorted([page["Grants"][0]["GrantId"], rest["Grants"][0]["GrantId"]]) == sorted([grant_id, extra]), (page, rest)
                try:
                    bob.retire_grant(GrantToken=again["GrantToken"])
                    raise AssertionError("bob retired a grant without RetireGrant")
                except ClientError as e:
                    assert e.response["Error"]["Code"] == "AccessDeniedException", e.response
                # Carol, the retiring principal, retires it with the token; bob loses the permissions at once.
                carol.retire_grant(GrantToken=again["GrantToken"])
                for call in (lambda: bob.encrypt(KeyId=key, Plaintext=b"x"), lambda: bob.describe_key(KeyId=key)):
                    try:
                        call()
                        raise AssertionError("the retired grant still works")
                    except ClientError as e:
                        assert e.response["Error"]["Code"] == "AccessDeniedException", e.response
                try:
                    admin.retire_grant(KeyId=key, GrantId=grant_id)
                    raise AssertionError("retired twice")
                except ClientError as e:
                    assert e.response["Error"]["Code"] == "NotFoundException", e.response
                print("OK")
                """;
            var environment = new Dictionary<string, string>
            {
                ["BOB_ID"] = bob["AWS_ACCESS_KEY_ID"],
                ["BOB_SECRET"] = bob["AWS_SECRET_ACCESS_KEY"],
                ["CAROL_ID"] = carol["AWS_ACCESS_KEY_ID"],
                ["CAROL_SECRET"] = carol["AWS_SECRET_ACCESS_KEY"],
                ["KEY"] = key.KeyId,
                ["GRANT"] = grantId,
            };
            var result = await Clients.Boto3(server, script, environment);
            Assert.True(result.ExitCode == 0 && result.StdOut.Contains("OK", StringComparison.Ordinal), result.StdOut + result.StdErr);

            // RevokeGrant (the administrator's tool) takes a grant away at once too.
            var carolKms = As(server, carol);
            var decryptGrant = JsonDocument.Parse((await Clients.Aws(server, 1, "kms", "list-grants", "--key-id", key.KeyId, "--grantee-principal", carolArn, "--output", "json")).StdOut)
                .RootElement.GetProperty("Grants")[0].GetProperty("GrantId").GetString()!;
            var blob = (await admin.EncryptAsync(new EncryptRequest { KeyId = key.KeyId, Plaintext = new MemoryStream([42]) })).CiphertextBlob;
            Assert.Equal([42], (await carolKms.DecryptAsync(new DecryptRequest { CiphertextBlob = new MemoryStream(blob.ToArray()) })).Plaintext.ToArray());
            Assert.Equal(0, (await Clients.Aws(server, 1, "kms", "revoke-grant", "--key-id", key.KeyId, "--grant-id", decryptGrant)).ExitCode);
            var revoked = await Assert.ThrowsAsync<AmazonKeyManagementServiceException>(() => carolKms.DecryptAsync(new DecryptRequest { CiphertextBlob = new MemoryStream(blob.ToArray()) }));
            Assert.Equal("AccessDeniedException", revoked.ErrorCode);
            Assert.Contains("NotFoundException", (await Clients.Aws(server, 1, "kms", "revoke-grant", "--key-id", key.KeyId, "--grant-id", decryptGrant)).StdErr, StringComparison.Ordinal);
            Assert.Contains("[]", (await Clients.Aws(server, 1, "kms", "list-grants", "--key-id", key.KeyId, "--query", "Grants", "--output", "json")).StdOut, StringComparison.Ordinal);
        }
        finally
        {
            server.DeleteData();
        }
    }

    [Fact]
    public async Task CreateGrantIsBoundedByTheGrantThatAllowsItAndByGrantConditionKeys()
    {
        await using var server = new CitadelProcess();
        try
        {
            await server.StartAsync();
            var admin = Clients.Kms(server);
            var key = (await admin.CreateKeyAsync(new CreateKeyRequest())).KeyMetadata;
            var bob = As(server, await NewUser(server, "bob"));
            var carol = As(server, await NewUser(server, "carol"));
            await NewUser(server, "dave");
            const string bobArn = "arn:aws:iam::000000000000:user/bob";
            const string daveArn = "arn:aws:iam::000000000000:user/dave";
            var web = new Dictionary<string, string> { ["app"] = "web" };

            // Bob may pass on Decrypt for app=web, no more.
            await admin.CreateGrantAsync(new CreateGrantRequest
            {
                KeyId = key.KeyId,
                GranteePrincipal = bobArn,
                Operations = [GrantOperation.CreateGrant, GrantOperation.Decrypt],
                Constraints = new GrantConstraints { EncryptionContextSubset = web },
            });
            var passed = await bob.CreateGrantAsync(new CreateGrantRequest
            {
                KeyId = key.KeyId,
                GranteePrincipal = daveArn,
                Operations = [GrantOperation.Decrypt],
                Constraints = new GrantConstraints { EncryptionContextEquals = new Dictionary<string, string> { ["app"] = "web", ["env"] = "prod" } },
            });
            Assert.Matches("^[0-9a-f]{64}$", passed.GrantId);
            foreach (var wider in new[]
            {
                new CreateGrantRequest { KeyId = key.KeyId, GranteePrincipal = daveArn, Operations = [GrantOperation.Decrypt] },
                new CreateGrantRequest { KeyId = key.KeyId, GranteePrincipal = daveArn, Operations = [GrantOperation.Encrypt], Constraints = new GrantConstraints { EncryptionContextSubset = web } },
                new CreateGrantRequest { KeyId = key.KeyId, GranteePrincipal = daveArn, Operations = [GrantOperation.Decrypt], Constraints = new GrantConstraints { EncryptionContextSubset = new Dictionary<string, string> { ["app"] = "ops" } } },
            })
            {
                var refused = await Assert.ThrowsAsync<AmazonKeyManagementServiceException>(() => bob.CreateGrantAsync(wider));
                Assert.Equal("AccessDeniedException", refused.ErrorCode);
            }

            // Carol's IAM policy lets her grant only Decrypt, only to dave, only with a constraint (kms:Grant* condition keys).
            Assert.Equal(0, (await Clients.Aws(server, 1, "iam", "put-user-policy", "--user-name", "carol", "--policy-name", "grant-dave", "--policy-document", """
                {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:CreateGrant","Resource":"KEY","Condition":{
                  "StringEquals":{"kms:GranteePrincipal":"DAVE"},
                  "ForAllValues:StringEquals":{"kms:GrantOperations":["Decrypt"]},
                  "Null":{"kms:GrantConstraintType":"false"},
                  "Bool":{"kms:GrantIsForAWSResource":"false"}}}]}
                """.Replace("KEY", key.Arn, StringComparison.Ordinal).Replace("DAVE", daveArn, StringComparison.Ordinal))).ExitCode);
            await carol.CreateGrantAsync(new CreateGrantRequest { KeyId = key.KeyId, GranteePrincipal = daveArn, Operations = [GrantOperation.Decrypt], Constraints = new GrantConstraints { EncryptionContextSubset = web } });
            foreach (var outside in new[]
            {
                new CreateGrantRequest { KeyId = key.KeyId, GranteePrincipal = bobArn, Operations = [GrantOperation.Decrypt], Constraints = new GrantConstraints { EncryptionContextSubset = web } },
                new CreateGrantRequest { KeyId = key.KeyId, GranteePrincipal = daveArn, Operations = [GrantOperation.Decrypt, GrantOperation.Encrypt], Constraints = new GrantConstraints { EncryptionContextSubset = web } },
                new CreateGrantRequest { KeyId = key.KeyId, GranteePrincipal = daveArn, Operations = [GrantOperation.Decrypt] },
            })
            {
                var refused = await Assert.ThrowsAsync<AmazonKeyManagementServiceException>(() => carol.CreateGrantAsync(outside));
                Assert.Equal("AccessDeniedException", refused.ErrorCode);
            }
            Assert.Equal(3, (await admin.ListGrantsAsync(new ListGrantsRequest { KeyId = key.KeyId })).Grants.Count);
        }
        finally
        {
            server.DeleteData();
        }
    }

    [Fact]
    public async Task AGrantToARoleWorksForItsSessions()
    {
        await using var server = new CitadelProcess();
        try
        {
            await server.StartAsync();
            var admin = Clients.Kms(server);
            var key = (await admin.CreateKeyAsync(new CreateKeyRequest())).KeyMetadata;
            var dave = await NewUser(server, "dave");
            Assert.Equal(0, (await Clients.Aws(server, 1, "iam", "create-role", "--role-name", "worker", "--assume-role-policy-document",
                """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::000000000000:user/dave"},"Action":"sts:AssumeRole"}]}""")).ExitCode);
            await admin.CreateGrantAsync(new CreateGrantRequest { KeyId = key.KeyId, GranteePrincipal = "arn:aws:iam::000000000000:role/worker", Operations = [GrantOperation.GenerateDataKey] });
            var assumed = await Clients.Aws(server, 2, dave, "sts", "assume-role", "--role-arn", "arn:aws:iam::000000000000:role/worker", "--role-session-name", "job-1", "--output", "json");
            Assert.True(assumed.ExitCode == 0, assumed.StdErr);
            var credentials = JsonDocument.Parse(assumed.StdOut).RootElement.GetProperty("Credentials");
            var session = new Dictionary<string, string>
            {
                ["AWS_ACCESS_KEY_ID"] = credentials.GetProperty("AccessKeyId").GetString()!,
                ["AWS_SECRET_ACCESS_KEY"] = credentials.GetProperty("SecretAccessKey").GetString()!,
                ["AWS_SESSION_TOKEN"] = credentials.GetProperty("SessionToken").GetString()!,
            };
            var dataKey = await Clients.Aws(server, 2, session, "kms", "generate-data-key", "--key-id", key.KeyId, "--key-spec", "AES_256", "--output", "json");
            Assert.True(dataKey.ExitCode == 0, dataKey.StdErr);
            Assert.Contains("AccessDeniedException", (await Clients.Aws(server, 2, session, "kms", "encrypt", "--key-id", key.KeyId, "--plaintext", "aGk=")).StdErr, StringComparison.Ordinal);
        }
        finally
        {
            server.DeleteData();
        }
    }
}
