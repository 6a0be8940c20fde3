using System.Runtime.InteropServices;

namespace Gateway.Core.FrameLog;

/// <summary>
/// fsync of a directory, so a newly created segment's name survives a power loss as its fsync'd data does
/// (POSIX: fsync on a file does not persist its directory entry). .NET cannot open a directory handle, hence libc.
/// </summary>
internal static partial class DirectorySync
{
    // O_RDONLY opens a directory; O_DIRECTORY is left out because its value differs between architectures.
    private const int ReadOnly = 0;

    public static void Fsync(string path)
    {
        if (!OperatingSystem.IsLinux())
            return;
        var fd = Open(path, ReadOnly);
        if (fd < 0)
            throw new IOException($"cannot open {path} to fsync it (errno {Marshal.GetLastPInvokeError()})");
        try
        {
            if (FsyncFd(fd) != 0)
                throw new IOException($"fsync of {path} failed (errno {Marshal.GetLastPInvokeError()})");
        }
        finally
        {
            _ = Close(fd);
        }
    }

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int FsyncFd(int fd);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);
}
