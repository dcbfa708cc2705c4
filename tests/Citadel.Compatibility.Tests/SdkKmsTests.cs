using System.Text;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;

namespace Citadel.Compatibility.Tests;

[Collection("citadel")]
public sealed class SdkKmsTests(CitadelFixture fixture)
{
    private readonly AmazonKeyManagementServiceClient _kms = Clients.Kms(fixture.Server);

    [Fact]
    public async Task SymmetricEncryptDecryptWithContext()
    {
        var key = await _kms.CreateKeyAsync(new CreateKeyRequest { Description = "sdk test" });
        Assert.Equal(KeyState.Enabled, key.KeyMetadata.KeyState);
        var plaintext = Encoding.UTF8.GetBytes("attack at dawn");
        var context = new Dictionary<string, string> { ["tenant"] = "a" };
        var encrypted = await _kms.EncryptAsync(new EncryptRequest { KeyId = key.KeyMetadata.KeyId, Plaintext = new MemoryStream(plaintext), EncryptionContext = context });
        var decrypted = await _kms.DecryptAsync(new DecryptRequest { CiphertextBlob = encrypted.CiphertextBlob, EncryptionContext = context });
        Assert.Equal(plaintext, decrypted.Plaintext.ToArray());
        Assert.Equal(key.KeyMetadata.Arn, decrypted.KeyId);

        encrypted.CiphertextBlob.Position = 0;
        var wrongContext = await Assert.ThrowsAsync<InvalidCiphertextException>(() => _kms.DecryptAsync(new DecryptRequest
        {
            CiphertextBlob = encrypted.CiphertextBlob,
            EncryptionContext = new Dictionary<string, string> { ["tenant"] = "b" },
        }));
        Assert.Equal(400, (int)wrongContext.StatusCode);
    }

    [Fact]
    public async Task TamperedCiphertextIsInvalid()
    {
        var key = await _kms.CreateKeyAsync(new CreateKeyRequest());
        var encrypted = await _kms.EncryptAsync(new EncryptRequest { KeyId = key.KeyMetadata.KeyId, Plaintext = new MemoryStream([1, 2, 3]) });
        var blob = encrypted.CiphertextBlob.ToArray();
        blob[^1] ^= 0x80;
        await Assert.ThrowsAsync<InvalidCiphertextException>(() => _kms.DecryptAsync(new DecryptRequest { CiphertextBlob = new MemoryStream(blob) }));
    }

    [Fact]
    public async Task DataKeysDecryptToTheirPlaintext()
    {
        var key = await _kms.CreateKeyAsync(new CreateKeyRequest());
        var dataKey = await _kms.GenerateDataKeyAsync(new GenerateDataKeyRequest { KeyId = key.KeyMetadata.Arn, KeySpec = DataKeySpec.AES_256 });
        Assert.Equal(32, dataKey.Plaintext.Length);
        var decrypted = await _kms.DecryptAsync(new DecryptRequest { CiphertextBlob = dataKey.CiphertextBlob });
        Assert.Equal(dataKey.Plaintext.ToArray(), decrypted.Plaintext.ToArray());
        var without = await _kms.GenerateDataKeyWithoutPlaintextAsync(new GenerateDataKeyWithoutPlaintextRequest { KeyId = key.KeyMetadata.KeyId, NumberOfBytes = 64 });
        var decryptedWithout = await _kms.DecryptAsync(new DecryptRequest { CiphertextBlob = without.CiphertextBlob });
        Assert.Equal(64, decryptedWithout.Plaintext.Length);
        var random = await _kms.GenerateRandomAsync(new GenerateRandomRequest { NumberOfBytes = 1024 });
        Assert.Equal(1024, random.Plaintext.Length);
    }

    [Fact]
    public async Task ReEncryptMovesCiphertextBetweenKeys()
    {
        var first = await _kms.CreateKeyAsync(new CreateKeyRequest());
        var second = await _kms.CreateKeyAsync(new CreateKeyRequest());
        var encrypted = await _kms.EncryptAsync(new EncryptRequest { KeyId = first.KeyMetadata.KeyId, Plaintext = new MemoryStream([42]) });
        var moved = await _kms.ReEncryptAsync(new ReEncryptRequest { CiphertextBlob = encrypted.CiphertextBlob, DestinationKeyId = second.KeyMetadata.KeyId });
        Assert.Equal(second.KeyMetadata.Arn, moved.KeyId);
        var decrypted = await _kms.DecryptAsync(new DecryptRequest { CiphertextBlob = moved.CiphertextBlob });
        Assert.Equal(new byte[] { 42 }, decrypted.Plaintext.ToArray());
    }

    [Fact]
    public async Task UnknownKeyIsNotFound()
    {
        await Assert.ThrowsAsync<NotFoundException>(() => _kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = Guid.NewGuid().ToString() }));
        await Assert.ThrowsAsync<NotFoundException>(() => _kms.EncryptAsync(new EncryptRequest { KeyId = "alias/does-not-exist", Plaintext = new MemoryStream([1]) }));
    }

    [Fact]
    public async Task OversizePlaintextIsAValidationError()
    {
        var key = await _kms.CreateKeyAsync(new CreateKeyRequest());
        var error = await Assert.ThrowsAnyAsync<AmazonKeyManagementServiceException>(() => _kms.EncryptAsync(new EncryptRequest { KeyId = key.KeyMetadata.KeyId, Plaintext = new MemoryStream(new byte[4097]) }));
        Assert.Equal("ValidationException", error.ErrorCode);
        Assert.Contains("plaintext", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WrongSecretIsInvalidSignatureAndUnknownKeyIsUnrecognized()
    {
        using var wrongSecret = Clients.Kms(fixture.Server, secret: "not-the-right-secret-at-all");
        var signature = await Assert.ThrowsAnyAsync<AmazonKeyManagementServiceException>(() => wrongSecret.ListKeysAsync(new ListKeysRequest()));
        Assert.Equal("InvalidSignatureException", signature.ErrorCode);
        using var unknown = Clients.Kms(fixture.Server, accessKeyId: "AKIAUNKNOWNUNKNOWN00");
        var unrecognized = await Assert.ThrowsAnyAsync<AmazonKeyManagementServiceException>(() => unknown.ListKeysAsync(new ListKeysRequest()));
        Assert.Equal("UnrecognizedClientException", unrecognized.ErrorCode);
    }

    [Fact]
    public async Task ListKeysPaginatesThroughEveryKey()
    {
        var created = new HashSet<string>();
        for (var i = 0; i < 3; i++) created.Add((await _kms.CreateKeyAsync(new CreateKeyRequest())).KeyMetadata.KeyId);
        var seen = new HashSet<string>();
        string? marker = null;
        do
        {
            var page = await _kms.ListKeysAsync(new ListKeysRequest { Limit = 2, Marker = marker });
            foreach (var k in page.Keys) seen.Add(k.KeyId);
            marker = page.Truncated == true ? page.NextMarker : null;
        } while (marker is not null);
        Assert.Superset(created, seen);
    }

    [Fact]
    public async Task KeyLastUsageIsTheNewestSuccessfulCryptographicCall()
    {
        var key = await _kms.CreateKeyAsync(new CreateKeyRequest());
        var unused = await _kms.GetKeyLastUsageAsync(new GetKeyLastUsageRequest { KeyId = key.KeyMetadata.KeyId });
        Assert.Null(unused.KeyLastUsage);
        Assert.Equal(key.KeyMetadata.CreationDate, unused.KeyCreationDate);

        var context = new Dictionary<string, string> { ["a"] = "b" };
        var encrypted = await _kms.EncryptAsync(new EncryptRequest { KeyId = key.KeyMetadata.KeyId, Plaintext = new MemoryStream([1]), EncryptionContext = context });
        await _kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = key.KeyMetadata.KeyId });
        encrypted.CiphertextBlob.Position = 0;
        await Assert.ThrowsAsync<InvalidCiphertextException>(() => _kms.DecryptAsync(new DecryptRequest { CiphertextBlob = encrypted.CiphertextBlob }));

        var used = await _kms.GetKeyLastUsageAsync(new GetKeyLastUsageRequest { KeyId = key.KeyMetadata.Arn });
        Assert.Equal("Encrypt", used.KeyLastUsage.Operation.Value);
        Assert.Equal(encrypted.ResponseMetadata.RequestId, used.KeyLastUsage.KmsRequestId);
        Assert.False(string.IsNullOrEmpty(used.KeyLastUsage.CloudTrailEventId));

        var cli = await Clients.Aws(fixture.Server, 1, "kms", "get-key-last-usage", "--key-id", key.KeyMetadata.KeyId, "--output", "json");
        Assert.True(cli.ExitCode == 0, cli.StdErr);
        Assert.Contains(used.KeyLastUsage.CloudTrailEventId, cli.StdOut, StringComparison.Ordinal);

        var admin = new Dictionary<string, string> { ["AWS_ACCESS_KEY_ID"] = CitadelProcess.AccessKeyId, ["AWS_SECRET_ACCESS_KEY"] = CitadelProcess.SecretAccessKey };
        var lastUsed = await CliProcess.RunAsync(admin, "kms", "last-used", key.KeyMetadata.KeyId, "--data", fixture.Server.DataDirectory, "--listen", $"127.0.0.1:{fixture.Server.Port}");
        Assert.True(lastUsed.ExitCode == 0, lastUsed.Output);
        Assert.Contains("last use: Encrypt", lastUsed.Output, StringComparison.Ordinal);
        Assert.Contains($"event id: {used.KeyLastUsage.CloudTrailEventId}", lastUsed.Output, StringComparison.Ordinal);
        Assert.Contains("by:       arn:aws:iam::000000000000:root from 127.0.0.1", lastUsed.Output, StringComparison.Ordinal);
    }
}
