using System.Text.Json;

namespace Gateway.Host.Sinks;

/// <summary>
/// Measures a sink's spool from the segment folder and its durable cursor: bytes not yet shipped and the Seq of
/// the newest complete line. Readers on other threads (the frame-log writer asks before every record) get the
/// last snapshot, refreshed when older than <c>maxAge</c>, so asking costs a field read almost always.
/// </summary>
internal sealed class SpoolScanner(string logDirectory, Func<SpoolCursor> cursor, TimeProvider time, TimeSpan maxAge)
{
    /// <summary>How far back from the end of the newest segment to look for its last complete line.</summary>
    private const int TailWindowBytes = 64 * 1024;

    private readonly byte[] _tailWindow = new byte[TailWindowBytes];
    private volatile Snapshot? _snapshot;
    private int _refreshing;

    // Bytes the writer reported since the last snapshot's listing began: added to it, so the estimate never lags.
    private long _writtenTotal;
    private long _writtenAtSnapshot;

    /// <param name="FirstAvailableSeq">First Seq of the oldest segment on disk (records before it are gone).</param>
    public sealed record Snapshot(long UnshippedBytes, long LastWrittenSeq, long FirstAvailableSeq, DateTimeOffset TakenAt)
    {
        /// <summary>Records on disk after <paramref name="shippedSeq"/>.</summary>
        public long RecordsAfter(long shippedSeq) => Math.Max(0, LastWrittenSeq - Math.Max(shippedSeq, FirstAvailableSeq - 1));
    }

    public Snapshot Current
    {
        get
        {
            var snapshot = _snapshot;
            if (snapshot is not null && time.GetUtcNow() - snapshot.TakenAt < maxAge)
                return snapshot;
            if (Interlocked.CompareExchange(ref _refreshing, 1, 0) != 0)
                return snapshot ?? new Snapshot(0, -1, 0, default);
            try
            {
                return Measure(readNewestLine: false);
            }
            finally
            {
                Volatile.Write(ref _refreshing, 0);
            }
        }
    }

    /// <summary>Unshipped bytes: the last measurement plus what the writer committed since it began.</summary>
    public long CurrentUnshippedBytes
    {
        get
        {
            var snapshot = Current;
            return snapshot.UnshippedBytes + Math.Max(0, Interlocked.Read(ref _writtenTotal) - Interlocked.Read(ref _writtenAtSnapshot));
        }
    }

    public void Written(long bytes) => Interlocked.Add(ref _writtenTotal, bytes);

    /// <summary>Measures now, including the newest Seq (only the sink's loop calls this; it owns the tail buffer).</summary>
    public Snapshot Refresh() => Measure(readNewestLine: true);

    /// <remarks>Other threads only list the folder; reading the newest line is left to the sink's loop.</remarks>
    private Snapshot Measure(bool readNewestLine)
    {
        // Taken before listing: a write that lands during the listing is counted twice at worst, never missed.
        var writtenBefore = Interlocked.Read(ref _writtenTotal);
        var position = cursor();
        var segments = SpoolSegment.List(logDirectory);
        var unshipped = 0L;
        var from = SpoolSegment.IndexAfter(segments, position);
        if (from >= 0)
        {
            for (var i = from; i < segments.Count; i++)
                unshipped += segments[i].Length;
            if (segments[from].Name == position.Segment)
                unshipped -= Math.Min(position.Offset, segments[from].Length);
        }
        var known = _snapshot?.LastWrittenSeq ?? position.Seq;
        var lastSeq = segments.Count == 0 ? position.Seq : readNewestLine ? LastSeq(segments[^1]) ?? known : known;
        var firstSeq = segments.Count == 0 ? position.Seq + 1 : segments[0].FirstSeq;
        var snapshot = new Snapshot(Math.Max(unshipped, 0), Math.Max(lastSeq, position.Seq), firstSeq, time.GetUtcNow());
        _snapshot = snapshot;
        Interlocked.Exchange(ref _writtenAtSnapshot, writtenBefore);
        return snapshot;
    }

    /// <summary>The Seq of the last complete line of <paramref name="segment"/>; its first Seq - 1 when it is empty.</summary>
    private long? LastSeq(SpoolSegment segment)
    {
        try
        {
            using var handle = File.OpenHandle(segment.FullPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            var length = RandomAccess.GetLength(handle);
            if (length == 0)
                return segment.FirstSeq - 1;
            var window = (int)Math.Min(length, TailWindowBytes);
            var read = RandomAccess.Read(handle, _tailWindow.AsSpan(0, window), length - window);
            var span = _tailWindow.AsSpan(0, read);
            var end = span.LastIndexOf((byte)'\n');
            if (end < 0)
                return segment.FirstSeq - 1;
            var start = span[..end].LastIndexOf((byte)'\n') + 1;
            if (start == 0 && window < length)
                return null; // the last line is longer than the window; keep the previous figure
            return TryReadSeq(span[start..end]);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static long? TryReadSeq(ReadOnlySpan<byte> line)
    {
        var reader = new Utf8JsonReader(line);
        try
        {
            while (reader.Read())
            {
                if (reader.TokenType == JsonTokenType.PropertyName && reader.CurrentDepth == 1 && reader.ValueTextEquals("Seq"u8))
                    return reader.Read() && reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var seq) ? seq : null;
            }
        }
        catch (JsonException)
        {
            // A line being torn is no reason to fail a gauge.
        }
        return null;
    }
}
