using Microsoft.Win32.SafeHandles;

namespace Gateway.Core.FrameLog;

/// <summary>
/// The file layer under the writer: opening a segment, positional writes, fsync, truncation. An interface so
/// tests can inject what a real disk does only on bad days (ENOSPC, EIO, a read-only remount); as root, file
/// permissions cannot simulate those.
/// </summary>
internal interface ISegmentStorage
{
    /// <summary>Opens (creating if absent) a segment for writing at its end.</summary>
    ISegmentHandle Open(string path);

    /// <summary>True when <see cref="ISegmentHandle.Write"/> is a plain synchronous write (callers may commit inline).</summary>
    bool WritesSynchronously => false;

    /// <summary>Makes a created file's directory entry durable (fsync mode, once per new segment).</summary>
    void SyncDirectory(string directory);
}

internal interface ISegmentHandle : IDisposable
{
    long Length { get; }

    /// <summary>One positional write of the whole buffer (the writer's group commit is one syscall).</summary>
    ValueTask WriteAsync(ReadOnlyMemory<byte> data, long offset);

    /// <summary>The same write, synchronously (only called when the storage <c>WritesSynchronously</c>).</summary>
    void Write(ReadOnlySpan<byte> data, long offset) => throw new NotSupportedException("this storage writes asynchronously only");

    /// <summary>fsync: blocks the writer task, which is the only one waiting on it anyway.</summary>
    void FlushToDisk();

    void SetLength(long length);
}

/// <summary>
/// Segments on the local file system through <see cref="RandomAccess"/> (no user-space buffering), their page
/// cache kept small by <see cref="SegmentWriteBehind"/>.
/// </summary>
internal sealed class DiskSegmentStorage : ISegmentStorage
{
    public static readonly DiskSegmentStorage Instance = new();

    public ISegmentHandle Open(string path) =>
        new DiskSegmentHandle(File.OpenHandle(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read | FileShare.Delete));

    public void SyncDirectory(string directory) => DirectorySync.Fsync(directory);

    public bool WritesSynchronously => true;

    private sealed class DiskSegmentHandle(SafeFileHandle handle) : ISegmentHandle
    {
        private readonly SegmentWriteBehind _writeBehind = new(handle);

        public long Length => RandomAccess.GetLength(handle);

        public async ValueTask WriteAsync(ReadOnlyMemory<byte> data, long offset)
        {
            await RandomAccess.WriteAsync(handle, data, offset).ConfigureAwait(false);
            _writeBehind.Appended(offset + data.Length);
        }

        public void Write(ReadOnlySpan<byte> data, long offset)
        {
            RandomAccess.Write(handle, data, offset);
            _writeBehind.Appended(offset + data.Length);
        }

        public void FlushToDisk() => RandomAccess.FlushToDisk(handle);

        public void SetLength(long length) => RandomAccess.SetLength(handle, length);

        /// <summary>The write-behind's last pass closes the file once its cache is written back and dropped.</summary>
        public void Dispose() => _writeBehind.Close();
    }
}
