using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using Amazon.Runtime;

namespace Citadel.Compatibility.Tests;

/// <summary>Servers started, stopped, killed and restarted on the same data directory.</summary>
public sealed class LifecycleTests
{
    [Fact]
    public async Task SecondStartResumesWithEverythingIntact()
    {
        var first = new CitadelProcess();
        try
        {
            await first.StartAsync();
            string keyId;
            MemoryStream blob;
            using (var kms = Clients.Kms(first))
            {
                keyId = (await kms.CreateKeyAsync(new CreateKeyRequest { Description = "survives restarts" })).KeyMetadata.KeyId;
                await kms.CreateAliasAsync(new CreateAliasRequest { AliasName = "alias/restart", TargetKeyId = keyId });
                blob = (await kms.EncryptAsync(new EncryptRequest { KeyId = "alias/restart", Plaintext = new MemoryStream([7, 7, 7]) })).CiphertextBlob;
            }
            await first.StopAsync();
            Assert.Equal(0, first.ExitCode);

            await using var second = new CitadelProcess(first.DataDirectory);
            await second.StartAsync();
            using var again = Clients.Kms(second);
            var described = await again.DescribeKeyAsync(new DescribeKeyRequest { KeyId = "alias/restart" });
            Assert.Equal(keyId, described.KeyMetadata.KeyId);
            Assert.Equal("survives restarts", described.KeyMetadata.Description);
            var decrypted = await again.DecryptAsync(new DecryptRequest { CiphertextBlob = blob });
            Assert.Equal(new byte[] { 7, 7, 7 }, decrypted.Plaintext.ToArray());
        }
        finally
        {
            await first.DisposeAsync();
            first.DeleteData();
        }
    }

    [Fact]
    public async Task AcknowledgedWritesSurviveKillNine()
    {
        var server = new CitadelProcess();
        try
        {
            await server.StartAsync();
            var acknowledged = new ConcurrentBag<(string KeyId, byte[] Blob, byte[] Plaintext)>();
            using var stop = new CancellationTokenSource();
            var workers = Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
            {
                using var kms = Clients.Kms(server);
                string? keyId = null;
                var i = 0;
                while (!stop.IsCancellationRequested)
                {
                    try
                    {
                        if (i++ % 5 == 0) keyId = (await kms.CreateKeyAsync(new CreateKeyRequest())).KeyMetadata.KeyId;
                        var plaintext = RandomNumberGenerator.GetBytes(32);
                        var blob = await kms.EncryptAsync(new EncryptRequest { KeyId = keyId, Plaintext = new MemoryStream(plaintext) });
                        acknowledged.Add((keyId!, blob.CiphertextBlob.ToArray(), plaintext));
                    }
                    catch (Exception) when (stop.IsCancellationRequested)
                    {
                        return;
                    }
                    catch (HttpRequestException)
                    {
                        return;
                    }
                    catch (AmazonServiceException e) when (e.InnerException is HttpRequestException or IOException)
                    {
                        return;
                    }
                }
            })).ToList();

            await Task.Delay(TimeSpan.FromSeconds(3));
            await server.StopAsync(kill: true);
            await stop.CancelAsync();
            await Task.WhenAll(workers);
            Assert.True(acknowledged.Count > 20, $"only {acknowledged.Count} operations were acknowledged before the kill");

            await using var restarted = new CitadelProcess(server.DataDirectory);
            await restarted.StartAsync();
            using var check = Clients.Kms(restarted);
            foreach (var keyId in acknowledged.Select(a => a.KeyId).Distinct())
                Assert.Equal(KeyState.Enabled, (await check.DescribeKeyAsync(new DescribeKeyRequest { KeyId = keyId })).KeyMetadata.KeyState);
            foreach (var (keyId, blob, plaintext) in acknowledged)
            {
                var decrypted = await check.DecryptAsync(new DecryptRequest { CiphertextBlob = new MemoryStream(blob) });
                Assert.Equal(plaintext, decrypted.Plaintext.ToArray());
                Assert.EndsWith(keyId, decrypted.KeyId, StringComparison.Ordinal);
            }
        }
        finally
        {
            await server.DisposeAsync();
            server.DeleteData();
        }
    }

    [Fact]
    public async Task ImportedKeyMaterialNeverReachesDiskInPlaintext()
    {
        var server = new CitadelProcess();
        try
        {
            await server.StartAsync();
            using var kms = Clients.Kms(server);
            var material = RandomNumberGenerator.GetBytes(32);
            var keyId = (await kms.CreateKeyAsync(new CreateKeyRequest { Origin = OriginType.EXTERNAL })).KeyMetadata.KeyId;
            var parameters = await kms.GetParametersForImportAsync(new GetParametersForImportRequest
            {
                KeyId = keyId,
                WrappingAlgorithm = AlgorithmSpec.RSAES_OAEP_SHA_256,
                WrappingKeySpec = WrappingKeySpec.RSA_2048,
            });
            using var rsa = RSA.Create();
            rsa.ImportSubjectPublicKeyInfo(parameters.PublicKey.ToArray(), out _);
            await kms.ImportKeyMaterialAsync(new ImportKeyMaterialRequest
            {
                KeyId = keyId,
                ImportToken = parameters.ImportToken,
                EncryptedKeyMaterial = new MemoryStream(rsa.Encrypt(material, RSAEncryptionPadding.OaepSHA256)),
                ExpirationModel = ExpirationModelType.KEY_MATERIAL_DOES_NOT_EXPIRE,
            });
            var secretPlaintext = RandomNumberGenerator.GetBytes(48);
            var encrypted = await kms.EncryptAsync(new EncryptRequest { KeyId = keyId, Plaintext = new MemoryStream(secretPlaintext) });
            var decrypted = await kms.DecryptAsync(new DecryptRequest { CiphertextBlob = encrypted.CiphertextBlob });
            Assert.Equal(secretPlaintext, decrypted.Plaintext.ToArray());
            var dataKey = await kms.GenerateDataKeyAsync(new GenerateDataKeyRequest { KeyId = keyId, NumberOfBytes = 32 });
            var generated = (await kms.CreateKeyAsync(new CreateKeyRequest())).KeyMetadata.KeyId;
            await kms.EncryptAsync(new EncryptRequest { KeyId = generated, Plaintext = new MemoryStream(secretPlaintext) });

            // Kill -9 so the WAL files are left exactly as the running server had them.
            await server.StopAsync(kill: true);
            var secrets = new Dictionary<string, byte[]>
            {
                ["imported key material"] = material,
                ["plaintext"] = secretPlaintext,
                ["data key"] = dataKey.Plaintext.ToArray(),
                ["admin secret"] = System.Text.Encoding.UTF8.GetBytes(CitadelProcess.SecretAccessKey),
            };
            foreach (var file in Directory.EnumerateFiles(server.DataDirectory, "*", SearchOption.AllDirectories))
            {
                var bytes = await File.ReadAllBytesAsync(file);
                foreach (var (name, secret) in secrets)
                {
                    foreach (var form in new[] { secret, System.Text.Encoding.ASCII.GetBytes(Convert.ToBase64String(secret)), System.Text.Encoding.ASCII.GetBytes(Convert.ToHexString(secret)), System.Text.Encoding.ASCII.GetBytes(Convert.ToHexStringLower(secret)) })
                        Assert.False(bytes.AsSpan().IndexOf(form) >= 0, $"{name} found in {file}");
                }
            }
            Assert.Contains(Directory.EnumerateFiles(server.DataDirectory), f => f.EndsWith("-wal", StringComparison.Ordinal));
        }
        finally
        {
            await server.DisposeAsync();
            server.DeleteData();
        }
    }

    [Fact]
    public async Task ShamirSealedServerRefusesUntilUnsealedWithThresholdShares()
    {
        var server = new CitadelProcess(null, false, null, "--seal", "shamir");
        try
        {
            await server.StartAsync();
            using var http = server.HttpClient();
            Assert.Equal(HttpStatusCode.ServiceUnavailable, (await http.GetAsync($"{server.Endpoint}/health/ready")).StatusCode);
            using var kms = Clients.Kms(server);
            var sealedError = await Assert.ThrowsAnyAsync<AmazonKeyManagementServiceException>(() => kms.ListKeysAsync(new ListKeysRequest()));
            Assert.Equal("ServiceUnavailableException", sealedError.ErrorCode);

            var common = new[] { "--data", server.DataDirectory, "--listen", $"127.0.0.1:{server.Port}" };
            var init = await CliProcess.RunAsync(null, ["operator", "init", "--shares", "3", "--threshold", "2", .. common]);
            Assert.Equal(0, init.ExitCode);
            var shares = JsonDocument.Parse(init.Output).RootElement.GetProperty("shares").EnumerateArray().Select(s => s.GetString()!).ToList();
            Assert.Equal(3, shares.Count);
            var again = await CliProcess.RunAsync(null, ["operator", "init", "--shares", "3", "--threshold", "2", .. common]);
            Assert.NotEqual(0, again.ExitCode);

            Assert.Equal(0, (await CliProcess.RunAsync(null, ["operator", "unseal", shares[0], .. common])).ExitCode);
            await Assert.ThrowsAnyAsync<AmazonKeyManagementServiceException>(() => kms.ListKeysAsync(new ListKeysRequest()));
            Assert.Equal(0, (await CliProcess.RunAsync(null, ["operator", "unseal", shares[2], .. common])).ExitCode);
            var keyId = (await kms.CreateKeyAsync(new CreateKeyRequest())).KeyMetadata.KeyId;
            var blob = (await kms.EncryptAsync(new EncryptRequest { KeyId = keyId, Plaintext = new MemoryStream([5]) })).CiphertextBlob.ToArray();

            var admin = new Dictionary<string, string> { ["AWS_ACCESS_KEY_ID"] = CitadelProcess.AccessKeyId, ["AWS_SECRET_ACCESS_KEY"] = CitadelProcess.SecretAccessKey };
            Assert.NotEqual(0, (await CliProcess.RunAsync(null, ["operator", "seal", .. common])).ExitCode);
            Assert.Equal(0, (await CliProcess.RunAsync(admin, ["operator", "seal", .. common])).ExitCode);
            Assert.Equal("ServiceUnavailableException", (await Assert.ThrowsAnyAsync<AmazonKeyManagementServiceException>(() => kms.ListKeysAsync(new ListKeysRequest()))).ErrorCode);

            await server.StopAsync();
            await using var restarted = new CitadelProcess(server.DataDirectory, false, null, "--seal", "shamir");
            await restarted.StartAsync();
            var restartedCommon = new[] { "--data", server.DataDirectory, "--listen", $"127.0.0.1:{restarted.Port}" };
            var tampered = shares[1][..^4] + (shares[1][^4] == '0' ? "1" : "0") + shares[1][^3..];
            await CliProcess.RunAsync(null, ["operator", "unseal", shares[0], .. restartedCommon]);
            var wrong = await CliProcess.RunAsync(null, ["operator", "unseal", tampered, .. restartedCommon]);
            Assert.NotEqual(0, wrong.ExitCode);
            Assert.Contains("do not reconstruct", wrong.Output, StringComparison.Ordinal);
            await CliProcess.RunAsync(null, ["operator", "unseal", shares[1], .. restartedCommon]);
            await CliProcess.RunAsync(null, ["operator", "unseal", shares[2], .. restartedCommon]);
            using var kms2 = Clients.Kms(restarted);
            var decrypted = await kms2.DecryptAsync(new DecryptRequest { CiphertextBlob = new MemoryStream(blob) });
            Assert.Equal(new byte[] { 5 }, decrypted.Plaintext.ToArray());
        }
        finally
        {
            await server.DisposeAsync();
            server.DeleteData();
        }
    }

    [Fact]
    public async Task NothingIsAnsweredWithoutAnAuditRecordAndServiceResumesWhenTheDiskDoes()
    {
        // The whole data directory on a small tmpfs, so the disk can really fill up.
        var mount = Path.Combine(Path.GetTempPath(), "citadel-full-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(mount);
        Assert.Equal(0, (await CliProcess.RunProgramAsync("mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", mount)).ExitCode);
        var server = new CitadelProcess(Path.Combine(mount, "data"));
        try
        {
            await server.StartAsync();
            using var kms = Clients.Kms(server);
            var keyId = (await kms.CreateKeyAsync(new CreateKeyRequest())).KeyMetadata.KeyId;
            var fill = Path.Combine(mount, "fill");
            await CliProcess.RunProgramAsync("dd", "if=/dev/zero", $"of={fill}", "bs=1M", "count=64");
            var refused = await Assert.ThrowsAnyAsync<AmazonKeyManagementServiceException>(() => kms.EncryptAsync(new EncryptRequest
            {
                KeyId = keyId,
                Plaintext = new MemoryStream([1]),
                EncryptionContext = new Dictionary<string, string> { ["padding"] = new string('p', 8000) },
            }));
            Assert.Equal("KMSInternalException", refused.ErrorCode);
            Assert.Contains("audit", refused.Message, StringComparison.Ordinal);
            File.Delete(fill);
            var encrypted = await kms.EncryptAsync(new EncryptRequest { KeyId = keyId, Plaintext = new MemoryStream([1]) });
            Assert.NotNull(encrypted.CiphertextBlob);
        }
        finally
        {
            await server.DisposeAsync();
            await CliProcess.RunProgramAsync("umount", "-l", mount);
            Directory.Delete(mount, true);
        }
    }

    [Fact]
    public async Task The_working_directory_is_neither_read_for_settings_nor_watched()
    {
        // Started where a user keeps the data directory (./data) beside an unrelated appsettings.json: the server's
        // settings are its own (docs/configuration.md), and it puts no file watches on the tree it was started in
        // (a recursive watch costs one inotify watch per directory and an event for every write beneath it).
        var work = Path.Combine(Path.GetTempPath(), "citadel-cwd-" + Guid.NewGuid().ToString("N"));
        for (var i = 0; i < 20; i++) Directory.CreateDirectory(Path.Combine(work, "tree", i.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        var stray = CitadelProcess.FreePort();
        await File.WriteAllTextAsync(Path.Combine(work, "appsettings.json"), JsonSerializer.Serialize(new { Kestrel = new { Endpoints = new { Stray = new { Url = $"http://127.0.0.1:{stray}" } } } }));
        var server = new CitadelProcess(Path.Combine(work, "data"), http: true) { WorkingDirectory = work };
        try
        {
            await server.StartAsync();
            using (var kms = Clients.Kms(server))
                await kms.CreateKeyAsync(new CreateKeyRequest());
            var watches = Directory.EnumerateFiles($"/proc/{server.ProcessId}/fd")
                .Where(fd => new FileInfo(fd).LinkTarget == "anon_inode:inotify")
                .Sum(fd => File.ReadLines($"/proc/{server.ProcessId}/fdinfo/{Path.GetFileName(fd)}").Count(l => l.StartsWith("inotify ", StringComparison.Ordinal)));
            Assert.Equal(0, watches);
            using var probe = new System.Net.Sockets.TcpClient();
            await Assert.ThrowsAnyAsync<System.Net.Sockets.SocketException>(() => probe.ConnectAsync(IPAddress.Loopback, stray));
        }
        finally
        {
            await server.DisposeAsync();
            Directory.Delete(work, true);
        }
    }

    [Fact]
    public async Task AuditVerifyChecksTheChainOfARealServerAndFindsAnEdit()
    {
        var server = new CitadelProcess();
        try
        {
            await server.StartAsync();
            using (var kms = Clients.Kms(server))
            {
                var keyId = (await kms.CreateKeyAsync(new CreateKeyRequest { Description = "chain" })).KeyMetadata.KeyId;
                for (var i = 0; i < 5; i++) await kms.EncryptAsync(new EncryptRequest { KeyId = keyId, Plaintext = new MemoryStream([(byte)i]) });
            }
            await server.StopAsync();
            var ok = await CliProcess.RunAsync(null, "audit", "verify", "--data", server.DataDirectory);
            Assert.True(ok.ExitCode == 0, ok.Output);
            Assert.Contains("OK: 6 records", ok.Output, StringComparison.Ordinal);

            var journal = Directory.EnumerateFiles(Path.Combine(server.DataDirectory, "audit"), "journal-*.log").Single();
            var text = await File.ReadAllTextAsync(journal);
            await File.WriteAllTextAsync(journal, text.Replace("\"description\":\"chain\"", "\"description\":\"chair\"", StringComparison.Ordinal));
            var tampered = await CliProcess.RunAsync(null, "audit", "verify", "--data", server.DataDirectory);
            Assert.Equal(1, tampered.ExitCode);
            Assert.Contains("TAMPERED: record 1 breaks the hash chain", tampered.Output, StringComparison.Ordinal);
        }
        finally
        {
            await server.DisposeAsync();
            server.DeleteData();
        }
    }

    [Theory]
    [InlineData("--listen", "not-an-address", "Citadel:Listen")]
    [InlineData("--region", "Mars", "Citadel:Region")]
    [InlineData("--account-id", "12", "Citadel:AccountId")]
    [InlineData("--seal", "magic", "Citadel:Seal")]
    public async Task InvalidSettingsStopTheStartNamingTheSetting(string flag, string value, string setting)
    {
        var data = Path.Combine(Path.GetTempPath(), "citadel-bad-" + Guid.NewGuid().ToString("N"));
        var result = await CliProcess.RunAsync(null, "serve", "--data", data, flag, value);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains(setting, result.Output, StringComparison.Ordinal);
        if (Directory.Exists(data)) Directory.Delete(data, true);
    }

    [Fact]
    public async Task A_listen_address_in_use_stops_the_start_naming_the_setting()
    {
        using var taken = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;
        var data = Path.Combine(Path.GetTempPath(), "citadel-inuse-" + Guid.NewGuid().ToString("N"));
        try
        {
            var result = await CliProcess.RunAsync(null, "serve", "--data", data, "--listen", $"127.0.0.1:{port}", "--http");
            Assert.Equal(2, result.ExitCode);
            Assert.Contains($"Citadel:Listen '127.0.0.1:{port}': the address is already in use", result.Output, StringComparison.Ordinal);
            Assert.DoesNotContain("Unhandled exception", result.Output, StringComparison.Ordinal);
        }
        finally
        {
            if (Directory.Exists(data)) Directory.Delete(data, true);
        }
    }
}
