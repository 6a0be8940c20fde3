using System.Security.Cryptography;
using System.Text;

namespace Gateway.Core.Identity;

/// <summary>
/// The dev issuer's ES256 private key as a PKCS#8 PEM file, created on first use with mode 0600 in a 0700
/// directory. Two processes starting together agree on one key, and a reader never sees half a key
/// (<see cref="PrivateFiles.TryCreate"/>: a sibling lock file, a private temp file renamed into place).
/// </summary>
internal static class DevIssuerKeyFile
{
    private const UnixFileMode PrivateFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode GroupOrOther =
        UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute |
        UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;
    private const string NistP256Oid = "1.2.840.10045.3.1.7";

    /// <exception cref="InvalidOperationException">The file exists but is not a private P-256 key, or cannot be written.</exception>
    public static ECDsa LoadOrCreate(string path)
    {
        PrivateFiles.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        if (TryLoad(path, out var existing))
            return existing;

        var created = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        bool published;
        try
        {
            published = PrivateFiles.TryCreate(path, Encoding.ASCII.GetBytes(created.ExportPkcs8PrivateKeyPem()));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            created.Dispose();
            throw new InvalidOperationException($"cannot create dev issuer key {path}: {e.Message}", e);
        }
        if (published)
            return created;
        // Another process created the key first: theirs is the issuer's key.
        created.Dispose();
        return TryLoad(path, out existing) ? existing : throw new InvalidOperationException($"cannot read dev issuer key {path}");
    }

    private static bool TryLoad(string path, out ECDsa key)
    {
        key = null!;
        string pem;
        try
        {
            if (!OperatingSystem.IsWindows() && File.Exists(path) && (File.GetUnixFileMode(path) & GroupOrOther) != 0)
            {
                throw new InvalidOperationException(
                    $"dev issuer key {path} is accessible to group or others; anyone who reads it can mint tokens (chmod 600 it)");
            }
            pem = File.ReadAllText(path, Encoding.ASCII);
        }
        catch (FileNotFoundException)
        {
            return false;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidOperationException($"cannot read dev issuer key {path}: {e.Message}", e);
        }

        var candidate = ECDsa.Create();
        try
        {
            candidate.ImportFromPem(pem);
            if (candidate.ExportParameters(false).Curve.Oid.Value != NistP256Oid)
                throw new InvalidOperationException($"dev issuer key {path} is not a P-256 key (ES256 needs one)");
        }
        catch (Exception e) when (e is ArgumentException or CryptographicException)
        {
            candidate.Dispose();
            throw new InvalidOperationException($"dev issuer key {path} is not a PKCS#8 PEM private key: {e.Message}", e);
        }
        catch
        {
            candidate.Dispose();
            throw;
        }
        key = candidate;
        return true;
    }
}
