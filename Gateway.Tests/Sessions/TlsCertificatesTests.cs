using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Gateway.Core.Config;
using Gateway.Core.Tls;

namespace Gateway.Tests.Sessions;

public sealed class TlsCertificatesTests
{
    private string _dir = "";

    [SetUp]
    public void CreateDir() => _dir = TestGateway.TempDirectory();

    [TearDown]
    public void DeleteDir() => Directory.Delete(_dir, recursive: true);

    [Test]
    public void Auto_generates_a_p256_certificate_with_a_private_key_file_then_reuses_it()
    {
        using var first = TlsCertificates.LoadOrCreate(ListenerTlsConfig.Auto, _dir, "pg");
        var (certificatePath, keyPath) = TlsCertificates.AutoPaths(_dir, "pg");

        Assert.That(certificatePath, Is.EqualTo(Path.Combine(_dir, "tls", "pg.pem")));
        Assert.That(File.ReadAllText(certificatePath), Does.StartWith("-----BEGIN CERTIFICATE-----"));
        Assert.That(File.ReadAllText(keyPath), Does.StartWith("-----BEGIN PRIVATE KEY-----"));
        if (!OperatingSystem.IsWindows())
            Assert.That(File.GetUnixFileMode(keyPath), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite));
        Assert.That(first.HasPrivateKey, Is.True);
        using (var key = first.GetECDsaPublicKey()!)
            Assert.That(key.ExportParameters(false).Curve.Oid.FriendlyName, Is.EqualTo("nistP256").Or.EqualTo("ECDSA_P256"));

        var names = first.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single();
        Assert.That(names.EnumerateDnsNames(), Does.Contain("localhost"));
        Assert.That(names.EnumerateIPAddresses().Select(a => a.ToString()), Is.SupersetOf(new[] { "127.0.0.1", "::1" }));

        using var second = TlsCertificates.LoadOrCreate(ListenerTlsConfig.Auto, _dir, "pg");
        Assert.That(second.Thumbprint, Is.EqualTo(first.Thumbprint), "the stored certificate is reused");
    }

    [Test]
    public void Auto_replaces_a_certificate_that_expired()
    {
        var created = DateTimeOffset.UtcNow;
        using var first = TlsCertificates.LoadOrCreate(ListenerTlsConfig.Auto, _dir, "pg", time: new FixedTime(created));
        using var later = TlsCertificates.LoadOrCreate(ListenerTlsConfig.Auto, _dir, "pg", time: new FixedTime(created.AddDays(400)));

        Assert.That(later.Thumbprint, Is.Not.EqualTo(first.Thumbprint));
        Assert.That(later.NotAfter.ToUniversalTime(), Is.GreaterThan(created.AddDays(400).UtcDateTime));
        using var reloaded = X509CertificateLoader.LoadCertificateFromFile(TlsCertificates.AutoPaths(_dir, "pg").Certificate);
        Assert.That(reloaded.Thumbprint, Is.EqualTo(later.Thumbprint), "the replacement is what is stored");
    }

    [Test]
    public void Auto_replaces_damaged_files()
    {
        var (certificatePath, keyPath) = TlsCertificates.AutoPaths(_dir, "pg");
        Directory.CreateDirectory(Path.GetDirectoryName(certificatePath)!);
        File.WriteAllText(certificatePath, "-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n");
        File.WriteAllText(keyPath, "garbage");

        using var certificate = TlsCertificates.LoadOrCreate(ListenerTlsConfig.Auto, _dir, "pg");
        Assert.That(certificate.HasPrivateKey, Is.True);
        Assert.That(File.ReadAllText(keyPath), Does.StartWith("-----BEGIN PRIVATE KEY-----"));
    }

    [Test]
    public void A_listener_name_cannot_escape_the_tls_folder()
    {
        var (certificatePath, keyPath) = TlsCertificates.AutoPaths(_dir, "../../etc/passwd");
        Assert.That(Path.GetDirectoryName(certificatePath), Is.EqualTo(Path.Combine(_dir, "tls")));
        Assert.That(Path.GetDirectoryName(keyPath), Is.EqualTo(Path.Combine(_dir, "tls")));
    }

    [Test]
    public void Files_mode_loads_a_pem_certificate_and_key_relative_to_the_config_folder()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=configured", key, HashAlgorithmName.SHA256);
        using var original = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        File.WriteAllText(Path.Combine(_dir, "server.crt"), original.ExportCertificatePem());
        File.WriteAllText(Path.Combine(_dir, "server.key"), key.ExportECPrivateKeyPem());

        var tls = new ListenerTlsConfig { Mode = ListenerTlsMode.Files, Certificate = "server.crt", Key = "server.key" };
        using var loaded = TlsCertificates.LoadOrCreate(tls, "/nonexistent-state", "pg", baseDirectory: _dir);

        Assert.That(loaded.Thumbprint, Is.EqualTo(original.Thumbprint));
        Assert.That(loaded.HasPrivateKey, Is.True);
        Assert.That(Directory.Exists("/nonexistent-state"), Is.False, "files mode writes nothing");
    }

    [Test]
    public void Files_mode_rejects_a_key_that_does_not_match_the_certificate()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var otherKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var certificate = new CertificateRequest("CN=configured", key, HashAlgorithmName.SHA256)
            .CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        File.WriteAllText(Path.Combine(_dir, "server.crt"), certificate.ExportCertificatePem());
        File.WriteAllText(Path.Combine(_dir, "server.key"), otherKey.ExportPkcs8PrivateKeyPem());

        var tls = new ListenerTlsConfig { Mode = ListenerTlsMode.Files, Certificate = "server.crt", Key = "server.key" };
        Assert.Throws<CryptographicException>(() => TlsCertificates.LoadOrCreate(tls, _dir, "pg", baseDirectory: _dir));
    }

    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
