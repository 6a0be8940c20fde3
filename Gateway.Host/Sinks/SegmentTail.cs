using Microsoft.Win32.SafeHandles;

namespace Gateway.Host.Sinks;

/// <summary>
/// Reads complete lines (ending in <c>\n</c>) from the frame-log segments, starting at a cursor and following
/// rotation. A line is peeked with <see cref="TryPeekLineAsync"/> and only passed with <see cref="Consume"/>, so a
/// line that does not fit the current batch stays for the next one.
/// </summary>
internal sealed class SegmentTail : IDisposable
{
    private const int InitialBufferBytes = 64 * 1024;

    private readonly string _logDirectory;
    private readonly int _maxLineBytes;
    private byte[] _buffer = new byte[InitialBufferBytes];
    private int _start;
    private int _end;
    private int _lineLength = -1;
    private bool _discardingOversizedLine;
    private SafeFileHandle? _file;
    private long _fileOffset;

    public SegmentTail(string logDirectory, int maxLineBytes)
    {
        _logDirectory = logDirectory;
        _maxLineBytes = maxLineBytes;
    }

    /// <summary>The segment being read; null before the first segment exists.</summary>
    public SpoolSegment? Segment { get; private set; }

    /// <summary>File offset of the next unconsumed byte in <see cref="Segment"/>.</summary>
    public long Offset => _fileOffset - (_end - _start);

    /// <summary>Bytes of a final segment that never became a complete line (a crash mid-write), skipped.</summary>
    public long TornBytesSkipped { get; private set; }

    /// <summary>Lines longer than the line cap, skipped without being buffered.</summary>
    public long OversizedLinesSkipped { get; private set; }

    /// <summary>The peeked line without its <c>\n</c>; valid until the next call on this reader.</summary>
    public ReadOnlySpan<byte> Line => _lineLength >= 0 ? _buffer.AsSpan(_start, _lineLength) : default;

    /// <summary>Positions the reader at the line after <paramref name="cursor"/>.</summary>
    /// <remarks>
    /// When the cursor's segment or offset cannot be trusted (segment gone, offset past the end or not at a line
    /// start), reading starts at the beginning of the segment that holds <c>Seq + 1</c>; the caller skips lines at or
    /// below the cursor's Seq, so this costs a re-read, never a loss.
    /// </remarks>
    public void Open(SpoolCursor cursor)
    {
        CloseFile();
        var segments = SpoolSegment.List(_logDirectory);
        var index = SpoolSegment.IndexAfter(segments, cursor);
        if (index < 0)
        {
            Segment = null;
            return;
        }
        var segment = segments[index];
        var offset = segment.Name == cursor.Segment && cursor.Offset <= segment.Length && IsLineStart(segment, cursor.Offset)
            ? cursor.Offset
            : 0;
        OpenSegment(segment, offset);
    }

    /// <returns>True with <see cref="Line"/> set; false when no complete line is available yet.</returns>
    public async ValueTask<bool> TryPeekLineAsync(CancellationToken cancellationToken)
    {
        if (_lineLength >= 0)
            return true;
        while (true)
        {
            if (Segment is null && !TryOpenFirstSegment())
                return false;

            if (TryFindLine())
                return true;

            if (await ReadMoreAsync(cancellationToken) > 0)
                continue;

            // End of this segment. It is final only once a newer segment exists (the writer rotated); read once
            // more after seeing that, because the last lines may have landed between our read and the listing.
            var next = NextSegment();
            if (next is null)
                return false;
            if (await ReadMoreAsync(cancellationToken) > 0)
                continue;

            if (_end > _start || _discardingOversizedLine)
                TornBytesSkipped += _end - _start;
            OpenSegment(next, 0);
        }
    }

    public void Consume()
    {
        if (_lineLength < 0)
            throw new InvalidOperationException("no line was peeked");
        _start += _lineLength + 1;
        _lineLength = -1;
    }

    /// <summary>Forgets buffered data and re-positions (after drop_oldest moved the cursor).</summary>
    public void Reposition(SpoolCursor cursor) => Open(cursor);

    public void Dispose() => CloseFile();

    private bool TryFindLine()
    {
        while (true)
        {
            var newline = _buffer.AsSpan(_start, _end - _start).IndexOf((byte)'\n');
            if (newline < 0)
            {
                if (_end - _start > _maxLineBytes)
                {
                    // Never buffer past the cap: drop what we have and the rest of this line as it arrives.
                    _discardingOversizedLine = true;
                    _start = _end;
                }
                return false;
            }
            if (_discardingOversizedLine || newline > _maxLineBytes)
            {
                _discardingOversizedLine = false;
                OversizedLinesSkipped++;
                _start += newline + 1;
                continue;
            }
            _lineLength = newline;
            return true;
        }
    }

    private async ValueTask<int> ReadMoreAsync(CancellationToken cancellationToken)
    {
        if (_start == _end)
        {
            _start = 0;
            _end = 0;
        }
        if (_end == _buffer.Length)
        {
            if (_start > 0)
            {
                Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
                _end -= _start;
                _start = 0;
            }
            else
            {
                Array.Resize(ref _buffer, Math.Min(_buffer.Length * 2, _maxLineBytes + InitialBufferBytes));
            }
        }
        var read = await RandomAccess.ReadAsync(_file!, _buffer.AsMemory(_end), _fileOffset, cancellationToken);
        _end += read;
        _fileOffset += read;
        return read;
    }

    private SpoolSegment? NextSegment()
    {
        foreach (var segment in SpoolSegment.List(_logDirectory))
        {
            if (segment.FirstSeq > Segment!.FirstSeq)
                return segment;
        }
        return null;
    }

    private bool TryOpenFirstSegment()
    {
        var segments = SpoolSegment.List(_logDirectory);
        if (segments.Count == 0)
            return false;
        OpenSegment(segments[0], 0);
        return true;
    }

    private void OpenSegment(SpoolSegment segment, long offset)
    {
        CloseFile();
        // ReadWrite | Delete: the writer keeps appending, and retention may unlink a segment we no longer need.
        _file = File.OpenHandle(segment.FullPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete,
            FileOptions.Asynchronous);
        Segment = segment;
        _fileOffset = offset;
        _start = 0;
        _end = 0;
        _lineLength = -1;
        _discardingOversizedLine = false;
    }

    private void CloseFile()
    {
        _file?.Dispose();
        _file = null;
    }

    private static bool IsLineStart(SpoolSegment segment, long offset)
    {
        if (offset == 0)
            return true;
        using var handle = File.OpenHandle(segment.FullPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        Span<byte> previous = stackalloc byte[1];
        return RandomAccess.Read(handle, previous, offset - 1) == 1 && previous[0] == (byte)'\n';
    }
}
