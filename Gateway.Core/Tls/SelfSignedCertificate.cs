using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Gateway.Core.Tls;

/// <summary>
/// The certificate behind <c>tls: auto</c>: ECDSA P-256, self-signed, valid for the names a local client
/// uses (localhost, 127.0.0.1, ::1, this machine's name). Clients pin it or use it as their root
/// (e.g. psql <c>sslrootcert</c>).
/// </summary>
internal static class SelfSignedCertificate
{
    public static readonly TimeSpan Validity = TimeSpan.FromDays(365);

    /// <summary>Backdated so a client whose clock is a little behind still accepts a fresh certificate.</summary>
    private static readonly TimeSpan Backdate = TimeSpan.FromHours(1);

    public static X509Certificate2 Create(string listenerName, DateTimeOffset now)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(
            new X500DistinguishedName($"CN={Environment.MachineName}, O=gateway, OU=listener {Escape(listenerName)}"),
            key, HashAlgorithmName.SHA256);

        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddIpAddress(IPAddress.Loopback);
        names.AddIpAddress(IPAddress.IPv6Loopback);
        if (Uri.CheckHostName(Environment.MachineName) == UriHostNameType.Dns)
            names.AddDnsName(Environment.MachineName);

        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [new Oid("1.3.6.1.5.5.7.3.1", "Server Authentication")], critical: false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));

        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F; // a positive serial number, as RFC 5280 requires
        return request.Create(request.SubjectName, X509SignatureGenerator.CreateForECDsa(key),
            now - Backdate, now + Validity, serial).CopyWithPrivateKey(key);
    }

    /// <summary>Keeps a listener name from adding attributes to the distinguished name.</summary>
    private static string Escape(string value)
    {
        Span<char> buffer = stackalloc char[Math.Min(value.Length, 64)];
        for (var i = 0; i < buffer.Length; i++)
            buffer[i] = char.IsAsciiLetterOrDigit(value[i]) || value[i] is '-' or '_' or '.' ? value[i] : '_';
        return new string(buffer);
    }
}
