using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Citadel.Storage;

namespace Citadel.Server.Security;

/// <summary>
/// The local CA Citadel creates in its data directory (<c>tls/ca.crt</c>, <c>tls/ca.key</c>), and
/// the server certificate it issues for localhost, the loopback addresses, the host name and any
/// configured names. ECDSA P-256 throughout. Clients trust <c>tls/ca.crt</c> (AWS_CA_BUNDLE). Every file is
/// owner-only, certificates too: like the rest of the data directory, only the server's user reads them there.
/// </summary>
public static class LocalCertificateAuthority
{
    /// <summary>The CA certificate path inside a data directory.</summary>
    public static string CaCertificatePath(string dataDirectory) => Path.Combine(dataDirectory, "tls", "ca.crt");

    /// <summary>Ensures the CA and a current server certificate exist; returns the server certificate with its key.</summary>
    public static X509Certificate2 EnsureServerCertificate(string dataDirectory, IEnumerable<string> extraNames, TimeProvider time)
    {
        var dir = Path.Combine(dataDirectory, "tls");
        FilePermissions.CreatePrivateDirectory(dir);
        foreach (var file in Directory.EnumerateFiles(dir)) FilePermissions.RestrictToOwner(file); // written by older versions with the umask's mode
        var now = time.GetUtcNow();
        var caCertPath = Path.Combine(dir, "ca.crt");
        var caKeyPath = Path.Combine(dir, "ca.key");
        if (!File.Exists(caCertPath) || !File.Exists(caKeyPath))
        {
            using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var request = new CertificateRequest("CN=Citadel Local CA, O=Citadel", caKey, HashAlgorithmName.SHA256);
            request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
            request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
            request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
            using var ca = request.CreateSelfSigned(now.AddMinutes(-5), now.AddYears(10));
            FilePermissions.WriteSecretFile(caKeyPath, System.Text.Encoding.ASCII.GetBytes(caKey.ExportPkcs8PrivateKeyPem()));
            FilePermissions.WriteSecretFile(caCertPath, System.Text.Encoding.ASCII.GetBytes(ca.ExportCertificatePem() + "\n"));
            File.Delete(Path.Combine(dir, "server.crt"));
        }

        // s3.localhost and *.s3.localhost serve S3 virtual-host-style addressing (bucket.s3.localhost); TLS libraries
        // refuse a wildcard directly under a single-label name such as *.localhost.
        var names = new SortedSet<string>(StringComparer.OrdinalIgnoreCase) { "localhost", "s3.localhost", "*.s3.localhost", "127.0.0.1", "::1", Dns.GetHostName() };
        foreach (var name in extraNames) names.Add(name);
        var serverCertPath = Path.Combine(dir, "server.crt");
        var serverKeyPath = Path.Combine(dir, "server.key");
        var namesPath = Path.Combine(dir, "server.names");
        var wanted = string.Join(",", names);
        if (File.Exists(serverCertPath) && File.Exists(serverKeyPath) && File.Exists(namesPath) && File.ReadAllText(namesPath) == wanted)
        {
            var existing = X509Certificate2.CreateFromPemFile(serverCertPath, serverKeyPath);
            if (existing.NotAfter.ToUniversalTime() > now.UtcDateTime.AddDays(30)) return existing;
            existing.Dispose();
        }

        using var caCert = X509Certificate2.CreateFromPemFile(caCertPath, caKeyPath);
        using var issuerKey = caCert.GetECDsaPrivateKey()!;
        using var serverKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var serverRequest = new CertificateRequest("CN=Citadel", serverKey, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        foreach (var name in names)
        {
            if (IPAddress.TryParse(name, out var address)) san.AddIpAddress(address);
            else san.AddDnsName(name);
        }
        serverRequest.CertificateExtensions.Add(san.Build());
        serverRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        serverRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        serverRequest.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        serverRequest.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(caCert, true, false));
        var serial = new byte[16];
        RandomNumberGenerator.Fill(serial);
        serial[0] &= 0x7F;
        using var issued = serverRequest.Create(caCert.SubjectName, X509SignatureGenerator.CreateForECDsa(issuerKey), now.AddMinutes(-5), now.AddDays(397), serial);
        FilePermissions.WriteSecretFile(serverKeyPath, System.Text.Encoding.ASCII.GetBytes(serverKey.ExportPkcs8PrivateKeyPem()));
        FilePermissions.WriteSecretFile(serverCertPath, System.Text.Encoding.ASCII.GetBytes(issued.ExportCertificatePem() + "\n" + caCert.ExportCertificatePem() + "\n"));
        FilePermissions.WriteSecretFile(namesPath, System.Text.Encoding.UTF8.GetBytes(wanted));
        return X509Certificate2.CreateFromPemFile(serverCertPath, serverKeyPath);
    }
}
