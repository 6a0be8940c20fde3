using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Gateway.Core.FrameLog;

/// <summary>
/// Keeps a segment's written bytes from piling up in the page cache. The log is written once and read back
/// only by a sink just behind the writer (and by <c>replay</c> or <c>verify</c> now and then), yet every byte
/// appended would otherwise stay cached and dirty until the kernel's flusher gets to it: at pgbench rates that
/// is ~20 MB/s of cache nobody reads, taken from PostgreSQL's, then written back in bursts. So, as PostgreSQL
/// does for its WAL (<c>wal_writer_flush_after</c>, <c>posix_fadvise</c> on old segments): every
/// <see cref="Window"/> appended, writeback of that window is started (<c>sync_file_range</c>, which does not
/// wait), and whatever lies more than <see cref="Lag"/> behind the end is dropped from the cache
/// (<c>POSIX_FADV_DONTNEED</c>, which drops clean pages only; pages still being written back stay, and the next
/// few windows retry them). The lag keeps in memory what a sink polling every 250 ms has yet to read. When the
/// segment is closed (rotation, shutdown) a last pass waits for its writeback and drops all of it, then closes
/// the file: a sink still behind reads that tail from disk.
/// <para>
/// Measured on the 2-core benchmark VM (docs/performance.md): growing the page cache was ~7 % of the gateway's
/// CPU per pgbench transaction, almost all of it zeroing fresh pages; recycling the dropped ones halves the
/// cost of an append. Durability is unchanged: buffered appends were never on disk before the flusher wrote
/// them, and fsync mode still fsyncs each commit.
/// </para>
/// The calls run on the thread pool, never on the committing thread: starting writeback can block on a busy
/// device queue, and the commit path must not. 64-bit Linux on x64 or Arm64 only (where <c>off_t</c> is 64 bits
/// and <c>POSIX_FADV_DONTNEED</c> is 4); elsewhere the page cache is left to the kernel. Both calls are advice:
/// anything failing turns the write-behind off for the segment, never the log.
/// </summary>
internal sealed partial class SegmentWriteBehind(SafeFileHandle handle)
{
    public const long Window = 1024 * 1024;
    public const long Lag = 32 * 1024 * 1024;

    /// <summary>How far behind the last drop a pass drops again, for pages that were still being written back.</summary>
    private const long Retry = 8 * Window;

    public static bool Supported { get; } = OperatingSystem.IsLinux()
        && RuntimeInformation.ProcessArchitecture is Architecture.X64 or Architecture.Arm64;

    private long _end;
    private long _writebackStartedTo;
    private long _droppedTo;
    private int _running;
    private volatile bool _closing;
    private volatile bool _off = !Supported;

    /// <summary>Notes that the segment now ends at <paramref name="end"/>; starts a pass once per window.</summary>
    public void Appended(long end)
    {
        Volatile.Write(ref _end, end);
        if (!_off && end - Volatile.Read(ref _writebackStartedTo) >= Window)
            TryStartPass();
    }

    /// <summary>
    /// The segment is done with: the last pass writes it back, drops it and closes the handle (at once where
    /// write-behind is off). A pass still running closes it when it ends.
    /// </summary>
    public void Close()
    {
        _closing = true;
        if (_off)
        {
            handle.Dispose();
            return;
        }
        TryStartPass();
    }

    private void TryStartPass()
    {
        if (Interlocked.CompareExchange(ref _running, 1, 0) == 0)
            ThreadPool.UnsafeQueueUserWorkItem(static state => state.Run(), this, preferLocal: false);
    }

    private void Run()
    {
        var closing = _closing;
        try
        {
            if (closing)
                FinalPass();
            else if (!_off)
                Pass();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A missing entry point, an odd libc: cache, not data, is at stake, so write-behind stops here.
            _off = true;
        }
        finally
        {
            if (closing)
            {
                handle.Dispose();
            }
            else
            {
                Volatile.Write(ref _running, 0);
                // Close() or a window's append may have come while this pass ran and found it busy.
                if (_closing || (!_off && Volatile.Read(ref _end) - Volatile.Read(ref _writebackStartedTo) >= Window))
                    TryStartPass();
            }
        }
    }

    private void Pass()
    {
        var through = Volatile.Read(ref _end) / Window * Window;
        var from = _writebackStartedTo;
        if (through > from)
        {
            _ = SyncFileRange(handle, from, through - from, SyncFileRangeWrite);
            Volatile.Write(ref _writebackStartedTo, through);
        }
        var dropTo = through - Lag;
        var dropFrom = Math.Max(0, _droppedTo - Retry);
        if (dropTo > dropFrom)
        {
            _ = PosixFadvise(handle, dropFrom, dropTo - dropFrom, FadviseDontNeed);
            _droppedTo = dropTo;
        }
    }

    /// <summary>Waits for the whole file's writeback, then drops all of it (length 0: to the end of the file).</summary>
    private void FinalPass()
    {
        if (_off)
            return;
        _ = SyncFileRange(handle, 0, 0, SyncFileRangeWaitBefore | SyncFileRangeWrite | SyncFileRangeWaitAfter);
        _ = PosixFadvise(handle, 0, 0, FadviseDontNeed);
    }

    private const uint SyncFileRangeWaitBefore = 1;
    private const uint SyncFileRangeWrite = 2;
    private const uint SyncFileRangeWaitAfter = 4;
    private const int FadviseDontNeed = 4;

    [LibraryImport("libc", EntryPoint = "sync_file_range")]
    private static partial int SyncFileRange(SafeFileHandle fd, long offset, long length, uint flags);

    /// <summary>Returns the error number (0 on success) rather than setting errno.</summary>
    [LibraryImport("libc", EntryPoint = "posix_fadvise")]
    private static partial int PosixFadvise(SafeFileHandle fd, long offset, long length, int advice);
}
