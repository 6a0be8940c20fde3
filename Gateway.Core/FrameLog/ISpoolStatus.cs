namespace Gateway.Core.FrameLog;

/// <summary>
/// What the frame-log writer needs to know about the sinks that ship its segments (the segments are their
/// spool). Implemented by the host's sink set; the writer refuses new records while <see cref="SpoolFull"/>
/// under <c>on_spool_full: refuse</c>, and retention deletes a segment only when every record in it is at or
/// below <see cref="ShippedThroughSeq"/>.
/// </summary>
public interface ISpoolStatus
{
    /// <summary>Bytes of complete and partial segment data not yet shipped by the slowest sink.</summary>
    long UnshippedBytes { get; }

    /// <summary>True while <see cref="UnshippedBytes"/> is at or above <c>audit.max_spool</c>.</summary>
    bool SpoolFull { get; }

    /// <summary>Every sink's durable cursor is at or past this Seq (0 before anything was shipped).</summary>
    long ShippedThroughSeq { get; }

    /// <summary>
    /// The writer reports every committed write, so a measurement taken a moment ago still counts the bytes written
    /// since: the spool bound holds however fast commands arrive, not only at each re-measurement.
    /// </summary>
    void Written(long bytes);
}
