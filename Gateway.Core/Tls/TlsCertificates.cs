using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Gateway.Core.Config;

namespace Gateway.Core.Tls;

/// <summary>Finds the certificate a listener presents: generated and kept in <c>state_dir</c>, or configured PEM files.</summary>
public static class TlsCertificates
{
    /// <summary>A generated certificate is replaced this long before it expires, so no restart serves an expired one.</summary>
    public static readonly TimeSpan RenewBefore = TimeSpan.FromDays(30);


    /// <summary>Where <c>tls: auto</c> keeps a listener's certificate and key.</summary>
    public static (string Certificate, string Key) AutoPaths(string stateDir, string listenerName)
    {
        var folder = Path.Combine(stateDir, "tls");
        var name = SafeFileName(listenerName);
        return (Path.Combine(folder, name + ".pem"), Path.Combine(folder, name + ".key"));
    }

    /// <summary>
    /// The listener's certificate with its private key, ready for <see cref="System.Net.Security.SslStream"/>.
    /// <c>auto</c>: loads <c>{stateDir}/tls/{listener}.pem</c> and <c>.key</c>, creating them (key mode 0600) when
    /// missing, unreadable, or within <see cref="RenewBefore"/> of expiry. <c>files</c>: loads the configured PEM
    /// certificate and unencrypted key; relative paths resolve against <paramref name="baseDirectory"/>.
    /// </summary>
    /// <exception cref="CryptographicException">Configured files do not hold a certificate and its matching key.</exception>
    /// <exception cref="IOException">A file cannot be read or written.</exception>
    public static X509Certificate2 LoadOrCreate(
        ListenerTlsConfig tls, string stateDir, string listenerName, string? baseDirectory = null, TimeProvider? time = null)
    {
        var now = (time ?? TimeProvider.System).GetUtcNow();
        return tls.Mode switch
        {
            ListenerTlsMode.Auto => LoadOrCreateAuto(stateDir, listenerName, now),
            ListenerTlsMode.Files => LoadFiles(Resolve(tls.Certificate, "certificate", baseDirectory), Resolve(tls.Key, "key", baseDirectory)),
            _ => throw new ArgumentException($"listener {listenerName} has tls: off", nameof(tls)),
        };
    }

    /// <summary>
    /// The handshake context for a listener: the certificate plus any intermediate certificates that follow it
    /// in a configured PEM file, built once so handshakes do not rebuild the chain.
    /// </summary>
    public static SslStreamCertificateContext CreateContext(
        ListenerTlsConfig tls, string stateDir, string listenerName, string? baseDirectory = null, TimeProvider? time = null)
    {
        var certificate = LoadOrCreate(tls, stateDir, listenerName, baseDirectory, time);
        X509Certificate2Collection? intermediates = null;
        if (tls.Mode == ListenerTlsMode.Files)
        {
            intermediates = [];
            intermediates.ImportFromPemFile(Resolve(tls.Certificate, "certificate", baseDirectory));
            for (var i = intermediates.Count - 1; i >= 0; i--)
            {
                if (intermediates[i].RawDataMemory.Span.SequenceEqual(certificate.RawDataMemory.Span))
                    intermediates.RemoveAt(i);
            }
        }
        return SslStreamCertificateContext.Create(certificate, intermediates, offline: true);
    }

    private static X509Certificate2 LoadOrCreateAuto(string stateDir, string listenerName, DateTimeOffset now)
    {
        var (certificatePath, keyPath) = AutoPaths(stateDir, listenerName);
        if (File.Exists(certificatePath) && File.Exists(keyPath))
        {
            try
            {
                var existing = LoadFiles(certificatePath, keyPath);
                if (existing.NotAfter.ToUniversalTime() - RenewBefore > now.UtcDateTime
                    && existing.NotBefore.ToUniversalTime() <= now.UtcDateTime)
                    return existing;
                existing.Dispose();
            }
            catch (CryptographicException)
            {
                // Our own files, half written or damaged: a fresh pair replaces them.
            }
        }

        using var created = SelfSignedCertificate.Create(listenerName, now);
        PrivateFiles.CreateDirectory(Path.GetDirectoryName(certificatePath)!);
        using (var key = created.GetECDsaPrivateKey()!)
            PrivateFiles.Replace(keyPath, Encoding.ASCII.GetBytes(key.ExportPkcs8PrivateKeyPem()));
        PrivateFiles.Replace(certificatePath, Encoding.ASCII.GetBytes(created.ExportCertificatePem()));
        return ForServerUse(created);
    }

    private static X509Certificate2 LoadFiles(string certificatePath, string keyPath)
    {
        X509Certificate2 loaded;
        try
        {
            loaded = X509Certificate2.CreateFromPemFile(certificatePath, keyPath);
        }
        catch (ArgumentException e)
        {
            // What .NET throws when the key is well-formed but belongs to another certificate.
            throw new CryptographicException($"{keyPath} is not the private key of {certificatePath}: {e.Message}", e);
        }
        using var owned = loaded;
        if (!loaded.HasPrivateKey)
            throw new CryptographicException($"{keyPath}: no private key for {certificatePath}");
        return ForServerUse(loaded);
    }

    /// <summary>
    /// A PEM-loaded key is an ephemeral key object; round-tripping through PKCS#12 gives a certificate whose key
    /// every platform's SslStream accepts for the server side.
    /// </summary>
    private static X509Certificate2 ForServerUse(X509Certificate2 certificate) =>
        X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), password: null);

    private static string Resolve(string? path, string key, string? baseDirectory)
    {
        if (string.IsNullOrEmpty(path))
            throw new ArgumentException($"tls.{key} is required when tls names files");
        return baseDirectory is null ? Path.GetFullPath(path) : Path.GetFullPath(Path.Combine(baseDirectory, path));
    }

    /// <summary>A listener name is config text: keep it from naming a path outside the tls folder.</summary>
    private static string SafeFileName(string name)
    {
        var chars = name.ToCharArray();
        for (var i = 0; i < chars.Length; i++)
        {
            if (!char.IsAsciiLetterOrDigit(chars[i]) && chars[i] is not ('-' or '_'))
                chars[i] = '_';
        }
        return chars.Length == 0 ? "_" : new string(chars);
    }
}
