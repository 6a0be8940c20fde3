using System.Security.Cryptography;
using System.Text;

namespace Gateway.Core.Identity;

/// <summary>
/// The dev issuer's ES256 private key as a PKCS#8 PEM file, created on first use with mode 0600 in a 0700
/// directory. Two processes starting together agree on one key: creation happens under an exclusive lock
/// on a sibling lock file (released by the OS if the holder dies), and the key is written to a private
/// temp file and renamed into place, so a reader never sees half a key.
/// </summary>
internal static class DevIssuerKeyFile
{
    private const UnixFileMode PrivateFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode PrivateDirectory = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode GroupOrOther =
        UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute |
        UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;
    private const string NistP256Oid = "1.2.840.10045.3.1.7";
    private static readonly TimeSpan LockTimeout = TimeSpan.FromSeconds(10);

    /// <exception cref="InvalidOperationException">The file exists but is not a private P-256 key, or cannot be written.</exception>
    public static ECDsa LoadOrCreate(string path)
    {
        EnsurePrivateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        if (TryLoad(path, out var existing))
            return existing;

        using (AcquireCreationLock(path))
        {
            // Another process may have created the key while we waited for the lock.
            if (TryLoad(path, out existing))
                return existing;
            var created = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            try
            {
                Publish(path, created.ExportPkcs8PrivateKeyPem());
                return created;
            }
            catch
            {
                created.Dispose();
                throw;
            }
        }
    }

    /// <summary>An exclusive lock (flock on Unix) on <c>{path}.lock</c>; the file stays, the lock goes with the handle.</summary>
    private static FileStream AcquireCreationLock(string path)
    {
        var options = new FileStreamOptions { Mode = FileMode.OpenOrCreate, Access = FileAccess.ReadWrite, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
            options.UnixCreateMode = PrivateFile;
        var deadline = DateTime.UtcNow + LockTimeout;
        while (true)
        {
            try
            {
                return new FileStream($"{path}.lock", options);
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                // Held by another process creating the key; it takes milliseconds.
                Thread.Sleep(20);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new InvalidOperationException($"cannot lock {path}.lock to create the dev issuer key: {e.Message}", e);
            }
        }
    }

    private static void EnsurePrivateDirectory(string directory)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(directory);
            return;
        }
        Directory.CreateDirectory(directory, PrivateDirectory);
        if ((File.GetUnixFileMode(directory) & GroupOrOther) != 0)
            File.SetUnixFileMode(directory, PrivateDirectory);
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

    /// <summary>Writes the key to a private temp file, flushes it, and renames it into place (under the lock).</summary>
    private static void Publish(string path, string pem)
    {
        var temp = $"{path}.{Guid.NewGuid():N}.tmp";
        try
        {
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
            if (!OperatingSystem.IsWindows())
                options.UnixCreateMode = PrivateFile;
            using (var stream = new FileStream(temp, options))
            {
                stream.Write(Encoding.ASCII.GetBytes(pem));
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, path, overwrite: false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidOperationException($"cannot create dev issuer key {path}: {e.Message}", e);
        }
        finally
        {
            File.Delete(temp);
        }
    }
}
