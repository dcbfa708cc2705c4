using Citadel.Kms.Keys;
using Citadel.Kms.Operations;

namespace Citadel.Kms.Tests;

public sealed class PolicyTests : IDisposable
{
    private const string ReadOnlyPolicy = """
        {
          "Version": "2012-10-17",
          "Statement": [
            { "Sid": "root", "Effect": "Allow", "Principal": { "AWS": "arn:aws:iam::111122223333:root" }, "Action": "kms:*", "Resource": "*" },
            { "Sid": "deny", "Effect": "Deny", "Principal": "*", "Action": "kms:ScheduleKeyDeletion", "Resource": "*" }
          ]
        }
        """;

    private readonly TestKms _kms = new();

    public void Dispose() => _kms.Dispose();

    private Task<GetKeyPolicyResponse> Get(string keyId, string? name = null)
        => _kms.Run<GetKeyPolicyResponse>("GetKeyPolicy", new GetKeyPolicyRequest { KeyId = keyId, PolicyName = name });

    private Task<KmsErrorCode> PutFails(string keyId, string policy, string? name = null)
        => _kms.Code("PutKeyPolicy", new PutKeyPolicyRequest { KeyId = keyId, Policy = policy, PolicyName = name });

    [Fact]
    public async Task NewKeysHaveTheDefaultPolicy()
    {
        var keyId = await _kms.NewKey();
        var policy = await Get(keyId);
        Assert.Equal("default", policy.PolicyName);
        Assert.Equal(KeyPolicies.Default(_kms.Settings), policy.Policy);
        Assert.Contains("arn:aws:iam::111122223333:root", policy.Policy, StringComparison.Ordinal);
        Assert.Equal(policy.Policy, (await Get(_kms.Settings.KeyArn(keyId), "default")).Policy);
    }

    [Fact]
    public async Task OnlyTheDefaultPolicyNameExists()
    {
        var keyId = await _kms.NewKey();
        Assert.Equal(KmsErrorCode.NotFound, await _kms.Code("GetKeyPolicy", new GetKeyPolicyRequest { KeyId = keyId, PolicyName = "custom" }));
        Assert.Equal(KmsErrorCode.NotFound, await PutFails(keyId, ReadOnlyPolicy, "custom"));
        Assert.Equal(KeyPolicies.Default(_kms.Settings), (await Get(keyId)).Policy);
    }

    [Fact]
    public async Task PutKeyPolicyReplacesThePolicy()
    {
        var keyId = await _kms.NewKey();
        Assert.Same(EmptyResponse.Instance, await _kms.Run<EmptyResponse>("PutKeyPolicy", new PutKeyPolicyRequest { KeyId = keyId, Policy = ReadOnlyPolicy }));
        Assert.Equal(ReadOnlyPolicy, (await Get(keyId)).Policy);
        await _kms.Run<EmptyResponse>("PutKeyPolicy", new PutKeyPolicyRequest { KeyId = keyId, PolicyName = "default", Policy = KeyPolicies.Default(_kms.Settings), BypassPolicyLockoutSafetyCheck = false });
        Assert.Equal(KeyPolicies.Default(_kms.Settings), (await Get(keyId)).Policy);
    }

    [Fact]
    public async Task MalformedPoliciesAreRefused()
    {
        var keyId = await _kms.NewKey();
        Assert.Equal(KmsErrorCode.MalformedPolicyDocument, await PutFails(keyId, "{ not json"));
        Assert.Equal(KmsErrorCode.MalformedPolicyDocument, await PutFails(keyId, "[]"));
        Assert.Equal(KmsErrorCode.MalformedPolicyDocument, await PutFails(keyId, """{ "Version": "2012-10-17" }"""));
        Assert.Equal(KmsErrorCode.MalformedPolicyDocument, await PutFails(keyId, """{ "Statement": [ { "Effect": "Maybe" } ] }"""));
        Assert.Equal(KeyPolicies.Default(_kms.Settings), (await Get(keyId)).Policy);
    }

    [Fact]
    public async Task PoliciesOfDisabledAndPendingDeletionKeysCanBeReadAndWritten()
    {
        var keyId = await _kms.NewKey();
        await _kms.Run<EmptyResponse>("DisableKey", new DisableKeyRequest { KeyId = keyId });
        await _kms.Run<EmptyResponse>("PutKeyPolicy", new PutKeyPolicyRequest { KeyId = keyId, Policy = ReadOnlyPolicy });
        await _kms.ScheduleDeletion(keyId);
        Assert.Equal(ReadOnlyPolicy, (await Get(keyId)).Policy);
        await _kms.Run<EmptyResponse>("PutKeyPolicy", new PutKeyPolicyRequest { KeyId = keyId, Policy = KeyPolicies.Default(_kms.Settings) });
        Assert.Equal(KeyPolicies.Default(_kms.Settings), (await Get(keyId)).Policy);
    }

    [Fact]
    public async Task AwsManagedKeyPoliciesAreReadOnly()
    {
        var managed = await _kms.ManagedKey();
        Assert.Equal("default", (await Get(managed)).PolicyName);
        Assert.Equal(KmsErrorCode.UnsupportedOperation, await PutFails(managed, ReadOnlyPolicy));
    }

    [Fact]
    public async Task ListKeyPoliciesIsAlwaysDefault()
    {
        var keyId = await _kms.NewKey();
        var listed = await _kms.Run<ListKeyPoliciesResponse>("ListKeyPolicies", new ListKeyPoliciesRequest { KeyId = keyId });
        Assert.Equal(["default"], listed.PolicyNames);
        Assert.False(listed.Truncated);
        Assert.Null(listed.NextMarker);
        listed = await _kms.Run<ListKeyPoliciesResponse>("ListKeyPolicies", new ListKeyPoliciesRequest { KeyId = _kms.Settings.KeyArn(keyId), Limit = 1 });
        Assert.Equal(["default"], listed.PolicyNames);
    }

    [Fact]
    public async Task UnknownKeysAreNotFound()
    {
        var missing = Guid.NewGuid().ToString();
        Assert.Equal(KmsErrorCode.NotFound, await _kms.Code("GetKeyPolicy", new GetKeyPolicyRequest { KeyId = missing }));
        Assert.Equal(KmsErrorCode.NotFound, await _kms.Code("PutKeyPolicy", new PutKeyPolicyRequest { KeyId = missing, Policy = ReadOnlyPolicy }));
        Assert.Equal(KmsErrorCode.NotFound, await _kms.Code("ListKeyPolicies", new ListKeyPoliciesRequest { KeyId = missing }));
    }
}
