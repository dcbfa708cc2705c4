using System.Diagnostics;

namespace Citadel.Compatibility.Tests;

/// <summary>The listener speaks TLS 1.2 and 1.3 with AES-256-GCM suites only, checked with the openssl client.</summary>
[Collection("citadel")]
public sealed class TlsPolicyTests(CitadelFixture fixture)
{
    [Theory]
    [InlineData("-tls1_3", "-ciphersuites", "TLS_AES_256_GCM_SHA384", true)]
    [InlineData("-tls1_3", "-ciphersuites", "TLS_AES_128_GCM_SHA256", false)]
    [InlineData("-tls1_3", "-ciphersuites", "TLS_CHACHA20_POLY1305_SHA256", false)]
    [InlineData("-tls1_2", "-cipher", "ECDHE-ECDSA-AES256-GCM-SHA384", true)]
    [InlineData("-tls1_2", "-cipher", "ECDHE-ECDSA-AES128-GCM-SHA256", false)]
    [InlineData("-tls1_2", "-cipher", "ECDHE-ECDSA-CHACHA20-POLY1305", false)]
    [InlineData("-tls1_1", "-cipher", "DEFAULT@SECLEVEL=0", false)]
    public async Task OnlyAes256GcmOnTls12And13(string version, string suiteFlag, string suite, bool accepted)
    {
        var start = new ProcessStartInfo("openssl")
        {
            ArgumentList = { "s_client", "-connect", $"127.0.0.1:{fixture.Server.Port}", "-servername", "localhost", version, suiteFlag, suite, "-CAfile", fixture.Server.CaBundle, "-verify_return_error" },
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        var output = await process.StandardOutput.ReadToEndAsync() + await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        var negotiated = output.Contains("Verify return code: 0 (ok)", StringComparison.Ordinal) && !output.Contains("Cipher is (NONE)", StringComparison.Ordinal);
        Assert.True(accepted == negotiated, $"{version} {suite}: expected {(accepted ? "a handshake" : "a refusal")}\n{output}");
    }
}
