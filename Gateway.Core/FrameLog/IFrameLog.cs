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

    /// <summary>
    /// Appends two records of one event in order (a command and its decision); completes when both are durable.
    /// A log may write them with one write.
    /// </summary>
    async ValueTask AppendPairAsync(FrameRecord first, FrameRecord second, CancellationToken cancellationToken = default)
    {
        // Both enqueue in order; awaiting the second covers the first, which is awaited too (its outcome counts).
        var pending = AppendAsync(first, cancellationToken);
        try
        {
            await AppendAsync(second, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await pending.ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Appends a record nobody waits for — a result, recorded after it was forwarded — in order behind the caller's
    /// earlier appends. The log may write it together with its next commit (within a short, bounded delay); a record
    /// it cannot take is dropped (its write failures are the log's to report).
    /// </summary>
    void Post(FrameRecord record) => FrameLogPosting.Observe(AppendAsync(record));
}

/// <summary>Consumes the outcome of an append nobody awaits.</summary>
public static class FrameLogPosting
{
    public static void Observe(ValueTask pending)
    {
        if (pending.IsCompleted)
        {
            try
            {
                pending.GetAwaiter().GetResult();   // also hands a pooled completion back
            }
            catch (FrameLogUnavailableException)
            {
                // Dropped, as documented on IFrameLog.Post.
            }
            return;
        }
        _ = ObserveLaterAsync(pending);
    }

    private static async Task ObserveLaterAsync(ValueTask pending)
    {
        try
        {
            await pending.ConfigureAwait(false);
        }
        catch (FrameLogUnavailableException)
        {
            // As above.
        }
    }
}

/// <summary>The frame log cannot take records (disk full, I/O error, spool full): commands are refused, not run unaudited.</summary>
public sealed class FrameLogUnavailableException : Exception
{
    public FrameLogUnavailableException(string message, Exception? inner = null) : base(message, inner) { }
}
