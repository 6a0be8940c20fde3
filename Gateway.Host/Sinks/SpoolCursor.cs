namespace Gateway.Host.Sinks;

/// <summary>
/// How far a sink has durably shipped: the last shipped <see cref="Seq"/>, and the segment file and byte offset of
/// the line after it. Written to <c>{state_dir}/cursors/{sink}.json</c> after every accepted call.
/// </summary>
public sealed record SpoolCursor(long Seq, string? Segment, long Offset)
{
    /// <summary>Nothing shipped yet: start at the oldest segment (Seq -1, so a log that starts at Seq 0 is shipped whole).</summary>
    public static readonly SpoolCursor Beginning = new(-1, null, 0);

    /// <summary>Records skipped by <c>on_spool_full: drop_oldest</c>, most recent last (bounded).</summary>
    public IReadOnlyList<SpoolGap> Gaps { get; init; } = [];
}

/// <summary>Records <see cref="FromSeq"/>..<see cref="ToSeq"/> (inclusive) were never shipped by this sink.</summary>
public sealed record SpoolGap(long FromSeq, long ToSeq, DateTimeOffset At, string Reason)
{
    public long Count => ToSeq - FromSeq + 1;
}
