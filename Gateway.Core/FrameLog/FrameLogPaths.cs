using System.Globalization;

namespace Gateway.Core.FrameLog;

/// <summary>
/// Where the frame log lives under <c>state_dir</c>. The segment naming is a contract: sinks read the same
/// files as their spool, and file name order is Seq order.
/// </summary>
public static class FrameLogPaths
{
    public static string LogDirectory(string stateDirectory) => Path.Combine(stateDirectory, "log");

    public static string SigningKeyPath(string stateDirectory) => Path.Combine(stateDirectory, "keys", "node-signing.pem");

    /// <summary>Sinks write <c>{name}.json</c> here with <c>{"seq": N}</c>: everything through N is shipped.</summary>
    public static string CursorDirectory(string stateDirectory) => Path.Combine(stateDirectory, "cursors");

    /// <summary><c>segment-{firstSeq:D20}.jsonl</c>.</summary>
    public static string SegmentFileName(long firstSeq) =>
        string.Create(CultureInfo.InvariantCulture, $"segment-{firstSeq:D20}.jsonl");

    public static bool TryParseSegmentFileName(string fileName, out long firstSeq)
    {
        firstSeq = 0;
        var name = Path.GetFileName(fileName.AsSpan());
        return name.Length == "segment-".Length + 20 + ".jsonl".Length
            && name.StartsWith("segment-", StringComparison.Ordinal)
            && name.EndsWith(".jsonl", StringComparison.Ordinal)
            && long.TryParse(name.Slice("segment-".Length, 20), NumberStyles.None, CultureInfo.InvariantCulture, out firstSeq);
    }

    /// <summary>The segments in a log directory, oldest first (by first Seq).</summary>
    public static IReadOnlyList<SegmentFile> ListSegments(string logDirectory)
    {
        if (!Directory.Exists(logDirectory))
            return [];
        var segments = new List<SegmentFile>();
        foreach (var path in Directory.EnumerateFiles(logDirectory, "segment-*.jsonl"))
        {
            if (TryParseSegmentFileName(path, out var firstSeq))
                segments.Add(new SegmentFile(path, firstSeq));
        }
        segments.Sort((a, b) => a.FirstSeq.CompareTo(b.FirstSeq));
        return segments;
    }
}

/// <summary>A segment file and the Seq its name says it starts at.</summary>
public sealed record SegmentFile(string Path, long FirstSeq)
{
    public string Name => System.IO.Path.GetFileName(Path);
}
