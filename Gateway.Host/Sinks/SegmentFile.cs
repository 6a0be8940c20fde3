using System.Globalization;

namespace Gateway.Host.Sinks;

/// <summary>
/// One frame-log segment, <c>{state_dir}/log/segment-{firstSeq:D20}.jsonl</c> (the frame-log writer's on-disk
/// contract). Zero-padded names sort in Seq order; the newest segment is the one still growing.
/// </summary>
public sealed record SegmentFile(string Name, string FullPath, long FirstSeq, long Length)
{
    private const string Prefix = "segment-";
    private const string Suffix = ".jsonl";
    private const int SeqDigits = 20;

    public static string NameFor(long firstSeq) => $"{Prefix}{firstSeq.ToString("D20", CultureInfo.InvariantCulture)}{Suffix}";

    public static bool TryParseName(string name, out long firstSeq)
    {
        firstSeq = 0;
        return name.Length == Prefix.Length + SeqDigits + Suffix.Length
            && name.StartsWith(Prefix, StringComparison.Ordinal)
            && name.EndsWith(Suffix, StringComparison.Ordinal)
            && long.TryParse(name.AsSpan(Prefix.Length, SeqDigits), NumberStyles.None, CultureInfo.InvariantCulture, out firstSeq);
    }

    /// <summary>The segments in <paramref name="logDirectory"/>, oldest first (empty when the folder does not exist yet).</summary>
    public static List<SegmentFile> List(string logDirectory)
    {
        var segments = new List<SegmentFile>();
        var directory = new DirectoryInfo(logDirectory);
        if (!directory.Exists)
            return segments;
        foreach (var file in directory.EnumerateFiles(Prefix + "*" + Suffix))
        {
            if (TryParseName(file.Name, out var firstSeq))
                segments.Add(new SegmentFile(file.Name, file.FullName, firstSeq, file.Length));
        }
        segments.Sort((a, b) => a.FirstSeq.CompareTo(b.FirstSeq));
        return segments;
    }

    /// <summary>
    /// Index of the segment that holds the record after <paramref name="cursor"/>: its own segment when that still
    /// exists, else the last segment starting at or before <c>Seq + 1</c>, else the first one; -1 when there is none.
    /// </summary>
    public static int IndexAfter(List<SegmentFile> segments, SpoolCursor cursor)
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
