using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Gateway.Core.Tls;

/// <summary>
/// The certificates of a <c>ca_file</c> (PEM, one or more), cached per file and reloaded when the file
/// changes, so an upstream connect does not parse the bundle every time and a rotated bundle is picked up.
/// </summary>
internal static class TrustedRoots
{
    private static readonly ConcurrentDictionary<string, (DateTime Written, X509Certificate2Collection Roots)> Cache =
        new(StringComparer.Ordinal);

    public static X509Certificate2Collection Load(string caFile)
    {
        var path = Path.GetFullPath(caFile);
        var written = File.GetLastWriteTimeUtc(path);
        if (Cache.TryGetValue(path, out var cached) && cached.Written == written)
            return cached.Roots;

        var roots = new X509Certificate2Collection();
        try
        {
            roots.ImportFromPemFile(path);
        }
        catch (CryptographicException e)
        {
            throw new CryptographicException($"ca_file {path}: not a PEM certificate bundle ({e.Message})", e);
        }
        if (roots.Count == 0)
            throw new CryptographicException($"ca_file {path}: no certificate in it");
        Cache[path] = (written, roots);
        return roots;
    }
}
