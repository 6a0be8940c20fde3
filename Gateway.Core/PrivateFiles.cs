namespace Gateway.Core;

/// <summary>
/// Where the gateway keeps what it creates for itself and no one else may read (the node's signing key, the dev
/// issuer's key, the masking key, auto-generated TLS keys): directories 0700, files 0600, and a file appears whole
/// or not at all (written to a private temporary file, flushed to disk, renamed into place).
/// </summary>
internal static class PrivateFiles
{
    private const UnixFileMode PrivateFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode PrivateDirectory = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode GroupOrOther =
        UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute |
        UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;
    private static readonly TimeSpan LockTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Creates <paramref name="directory"/> 0700, or takes group and other access away from one that exists.</summary>
    public static void CreateDirectory(string directory)
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

    /// <summary>
    /// Creates <paramref name="path"/> with <paramref name="contents"/>, whole, unless it exists: false then, and the
    /// existing file is the one to use. Creators in this and other processes take turns on <c>{path}.lock</c>, so
    /// exactly one of several starters racing for a new key writes it.
    /// </summary>
    public static bool TryCreate(string path, ReadOnlySpan<byte> contents)
    {
        using var turn = Lock(path);
        if (File.Exists(path))
            return false;
        Write(path, contents, overwrite: false);
        return true;
    }

    /// <summary>Writes <paramref name="path"/> whole, replacing what was there.</summary>
    public static void Replace(string path, ReadOnlySpan<byte> contents) => Write(path, contents, overwrite: true);

    private static void Write(string path, ReadOnlySpan<byte> contents, bool overwrite)
    {
        var temporary = $"{path}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
            options.UnixCreateMode = PrivateFile;
        try
        {
            using (var stream = new FileStream(temporary, options))
            {
                stream.Write(contents);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temporary, path, overwrite);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    /// <summary>An exclusive lock (flock on Unix) on <c>{path}.lock</c>; the file stays, the lock goes with the handle.</summary>
    private static FileStream Lock(string path)
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
                // Held by another creator; writing a key takes milliseconds.
                Thread.Sleep(20);
            }
        }
    }
}
