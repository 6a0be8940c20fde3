namespace Gateway.Core.FrameLog;

/// <summary>
/// The append side of the frame log. <see cref="AppendAsync"/> completes only when the record is durable
/// to the configured level (written to the OS, or fsync'd): protocol sessions forward a command only after
/// its append completes (DESIGN.md invariant 2, audit before forward).
/// </summary>
public interface IFrameLog
{
    /// <exception cref="FrameLogUnavailableException">The record could not be written; the command must be refused.</exception>
    ValueTask AppendAsync(FrameRecord record, CancellationToken cancellationToken = default);
}

/// <summary>The frame log cannot take records (disk full, I/O error, spool full): commands are refused, not run unaudited.</summary>
public sealed class FrameLogUnavailableException : Exception
{
    public FrameLogUnavailableException(string message, Exception? inner = null) : base(message, inner) { }
}
