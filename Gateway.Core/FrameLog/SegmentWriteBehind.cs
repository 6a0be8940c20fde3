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
/// few windows retry them). The lag keeps in memory what a sink polling every 250 ms has yet to read.
/// <para>
/// Measured on the 2-core benchmark VM (docs/performance.md): growing the page cache was ~7 % of the gateway's
/// CPU per pgbench transaction, almost all of it zeroing fresh pages; recycling the dropped ones halves the
/// cost of an append. Durability is unchanged: buffered appends were never on disk before the flusher wrote
/// them, and fsync mode still fsyncs each commit.
/// </para>
/// The calls run on the thread pool, never on the committing thread: starting writeback can block on a busy
/// device queue, and the commit path must not. Linux only; elsewhere the page cache is left to the kernel.
/// </summary>
internal sealed partial class SegmentWriteBehind(SafeFileHandle handle)
{
    public const long Window = 1024 * 1024;
    public const long Lag = 32 * 1024 * 1024;

    /// <summary>How far behind the last drop a pass drops again, for pages that were still being written back.</summary>
    private const long Retry = 8 * Window;

    private long _end;
    private long _writebackStartedTo;
    private long _droppedTo;
    private int _running;

    /// <summary>Notes that the segment now ends at <paramref name="end"/>; starts the work once per window.</summary>
    public void Appended(long end)
    {
        Volatile.Write(ref _end, end);
        if (end - Volatile.Read(ref _writebackStartedTo) < Window || !OperatingSystem.IsLinux())
            return;
        if (Interlocked.CompareExchange(ref _running, 1, 0) != 0)
            return; // the running pass reads the new end, or the next window's append starts another
        ThreadPool.UnsafeQueueUserWorkItem(static state => state.Run(), this, preferLocal: false);
    }

    private void Run()
    {
        try
        {
            var through = Volatile.Read(ref _end) / Window * Window;
            var from = _writebackStartedTo;
            if (through > from)
            {
                _ = SyncFileRange(handle, from, through - from, SyncFileRangeWrite);
                Volatile.Write(ref _writebackStartedTo, through);
            }
            var dropTo = through - Lag;
            if (dropTo > 0)
            {
                var dropFrom = Math.Max(0, _droppedTo - Retry);
                _ = PosixFadvise(handle, dropFrom, dropTo - dropFrom, FadviseDontNeed);
                _droppedTo = dropTo;
            }
        }
        catch (ObjectDisposedException)
        {
            // The segment was rotated and closed meanwhile: its cache goes the kernel's way.
        }
        finally
        {
            Volatile.Write(ref _running, 0);
        }
    }

    // Both are advice: a failure (an unsupported file system, say) costs cache, never data, so errors are ignored.
    private const uint SyncFileRangeWrite = 2;
    private const int FadviseDontNeed = 4;

    [LibraryImport("libc", EntryPoint = "sync_file_range")]
    private static partial int SyncFileRange(SafeFileHandle fd, long offset, long length, uint flags);

    [LibraryImport("libc", EntryPoint = "posix_fadvise")]
    private static partial int PosixFadvise(SafeFileHandle fd, long offset, long length, int advice);
}
