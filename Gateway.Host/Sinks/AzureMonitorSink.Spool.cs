using Gateway.Core.Config;

namespace Gateway.Host.Sinks;

public sealed partial class AzureMonitorSink
{
    /// <summary>How often a waiting sink re-measures its spool (drop_oldest must act during long outages too).</summary>
    private static readonly TimeSpan SpoolCheckInterval = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// Under <c>drop_oldest</c>, while the unshipped bytes reach <c>max_spool</c>, moves the cursor past the segment
    /// it is in (never past the growing one) and records the skipped Seq range as a gap in the cursor file, the log
    /// and the <c>dropped.records</c> metric. Under <c>refuse</c> this only measures; the writer refuses records.
    /// </summary>
    /// <returns>True when records were dropped (the current batch is then discarded and reading restarts).</returns>
    private async Task<bool> EnforceSpoolLimitAsync(CancellationToken cancellationToken)
    {
        var unshipped = _spool.Refresh().UnshippedBytes;
        if (_options.OnSpoolFull != SpoolFullBehavior.DropOldest || unshipped < _options.MaxSpoolBytes)
            return false;

        var dropped = false;
        while (unshipped >= _options.MaxSpoolBytes)
        {
            var segments = SpoolSegment.List(_options.LogDirectory);
            var current = SpoolSegment.IndexAfter(segments, _cursor);
            if (current < 0 || current >= segments.Count - 1)
                break; // only the growing segment is left; the writer's rotation bounds it

            var next = segments[current + 1];
            var from = Math.Max(_cursor.Seq + 1, segments[current].FirstSeq);
            var gap = new SpoolGap(from, next.FirstSeq - 1, _time.GetUtcNow(), "spool full (drop_oldest)");
            var gaps = gap.Count > 0 ? _cursor.Gaps.Append(gap).TakeLast(SpoolCursorStore.MaxRecordedGaps).ToList() : _cursor.Gaps;
            var cursor = new SpoolCursor(Math.Max(_cursor.Seq, next.FirstSeq - 1), next.Name, 0) { Gaps = gaps };
            await _cursorStore.SaveAsync(cursor, cancellationToken);
            _cursor = cursor;
            if (gap.Count > 0)
            {
                AzureMonitorSinkLog.DroppedOldest(_logger, Name, _options.MaxSpoolBytes, gap.FromSeq, gap.ToSeq);
                _metrics.Dropped(gap.Count, "spool_full");
            }
            dropped = true;
            unshipped = _spool.Refresh().UnshippedBytes;
        }
        if (dropped)
            Reposition();
        return dropped;
    }

    /// <summary>
    /// Waits <paramref name="delay"/> (or, when <paramref name="untilResumed"/>, until <see cref="Resume"/>), checking
    /// the spool limit meanwhile.
    /// </summary>
    /// <returns>False when drop_oldest moved the cursor and the batch was discarded.</returns>
    private async Task<bool> WaitAsync(TimeSpan? delay, bool untilResumed, CancellationToken cancellationToken)
    {
        var deadline = delay is { } wait ? _time.GetUtcNow() + wait : DateTimeOffset.MaxValue;
        while (true)
        {
            if (await EnforceSpoolLimitAsync(cancellationToken))
                return false;
            if (untilResumed && _resume.Task.IsCompleted)
                return true;
            var remaining = deadline - _time.GetUtcNow();
            if (!untilResumed && remaining <= TimeSpan.Zero)
                return true;
            var slice = remaining < SpoolCheckInterval ? remaining : SpoolCheckInterval;
            if (untilResumed)
                await Task.WhenAny(_resume.Task, Task.Delay(SpoolCheckInterval, _time, cancellationToken));
            else
                await Task.Delay(slice, _time, cancellationToken);
            cancellationToken.ThrowIfCancellationRequested();
        }
    }
}
