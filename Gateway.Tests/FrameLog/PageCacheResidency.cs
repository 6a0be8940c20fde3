using System.IO.MemoryMappedFiles;
using System.Runtime.InteropServices;

namespace Gateway.Tests.FrameLog;

/// <summary>How much of a file is in the page cache: <c>mincore(2)</c> over a read-only mapping (which faults nothing in).</summary>
internal static partial class PageCacheResidency
{
    public static unsafe long ResidentBytes(string path)
    {
        var length = new FileInfo(path).Length;
        if (length == 0)
            return 0;
        using var file = MemoryMappedFile.CreateFromFile(path, FileMode.Open, null, 0, MemoryMappedFileAccess.Read);
        using var view = file.CreateViewAccessor(0, length, MemoryMappedFileAccess.Read);
        var pageSize = Environment.SystemPageSize;
        var pages = (length + pageSize - 1) / pageSize;
        var vector = new byte[pages];
        byte* start = null;
        view.SafeMemoryMappedViewHandle.AcquirePointer(ref start);
        try
        {
            if (Mincore(start + view.PointerOffset, (nuint)length, vector) != 0)
                throw new IOException($"mincore failed (errno {Marshal.GetLastPInvokeError()})");
        }
        finally
        {
            view.SafeMemoryMappedViewHandle.ReleasePointer();
        }
        return vector.LongCount(page => (page & 1) != 0) * pageSize;
    }

    [LibraryImport("libc", EntryPoint = "mincore", SetLastError = true)]
    private static unsafe partial int Mincore(byte* address, nuint length, byte[] vector);
}
