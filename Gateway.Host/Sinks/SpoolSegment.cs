using Gateway.Core.FrameLog;

namespace Gateway.Host.Sinks;

/// <summary>
/// A frame-log segment as a sink's spool sees it: the writer's segment (named and listed by
/// <see cref="FrameLogPaths"/>, the on-disk contract) plus its current length. The newest one is still growing.
/// </summary>
public sealed record SpoolSegment(string Name, string FullPath, long FirstSeq, long Length)
{
    public static string NameFor(long firstSeq) => FrameLogPaths.SegmentFileName(firstSeq);

    /// <summary>The segments in <paramref name="logDirectory"/>, oldest first (empty when the folder does not exist yet).</summary>
    public static List<SpoolSegment> List(string logDirectory)
    {
        var segments = new List<SpoolSegment>();
        foreach (var segment in FrameLogPaths.ListSegments(logDirectory))
        {
            var file = new FileInfo(segment.Path);
            if (file.Exists)
                segments.Add(new SpoolSegment(segment.Name, segment.Path, segment.FirstSeq, file.Length));
        }
        return segments;
    }

    /// <summary>
    /// Index of the segment that holds the record after <paramref name="cursor"/>: its own segment when that still
    /// exists, else the last segment starting at or before <c>Seq + 1</c>, else the first one; -1 when there is none.
    /// </summary>
    public static int IndexAfter(List<SpoolSegment> segments, SpoolCursor cursor)
    {
        if (segments.Count == 0)
            return -1;
        if (cursor.Segment is not null)
        {
            var own = segments.FindIndex(s => s.Name == cursor.Segment);
            if (own >= 0)
                return own;
        }
        var index = 0;
        for (var i = 0; i < segments.Count; i++)
        {
            if (segments[i].FirstSeq <= cursor.Seq + 1)
                index = i;
        }
        return index;
    }
}
