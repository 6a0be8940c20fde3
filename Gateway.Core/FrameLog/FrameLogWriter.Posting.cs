using Gateway.Core.Config;

namespace Gateway.Core.FrameLog;

/// <summary>
/// Appends that share a write: a command with its decision (<see cref="AppendPairAsync"/>), and records nobody
/// waits for (<see cref="Post"/>), which ride along with the next commit. Both only in <c>durability: buffered</c>
/// with inline commits; otherwise they are plain appends.
/// </summary>
public sealed partial class FrameLogWriter
{
    /// <inheritdoc />
    /// <remarks>In <c>durability: buffered</c> both are written with one write when the caller commits inline.</remarks>
    public ValueTask AppendPairAsync(FrameRecord first, FrameRecord second, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(first);
        ArgumentNullException.ThrowIfNull(second);
        if (_inlineCommits && (_healthy || _time.GetUtcNow().UtcTicks >= Interlocked.Read(ref _retryAtTicks))
            && !(_options.SpoolStatus is { SpoolFull: true } && _config.OnSpoolFull == SpoolFullBehavior.Refuse)
            && TryCommitInline(first, second) is { } committed)
        {
            return committed.AsValueTask();   // both in one batch: the second's outcome is the first's
        }
        return AppendOneByOneAsync(first, second, cancellationToken);
    }

    /// <summary>The pair through the queue (fsync mode, or no inline commit possible): in order, both awaited.</summary>
    private async ValueTask AppendOneByOneAsync(FrameRecord first, FrameRecord second, CancellationToken cancellationToken)
    {
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

    /// <inheritdoc />
    /// <remarks>
    /// In <c>durability: buffered</c> the record waits (in order) for the next commit — typically the session's
    /// next command, so a result and the following command share one write — and at most
    /// <see cref="PostedFlushPeriod"/>; a backlog of <see cref="MaxPosted"/> records is written at once.
    /// </remarks>
    public void Post(FrameRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        if (!_inlineCommits)
        {
            FrameLogPosting.Observe(AppendAsync(record));
            return;
        }
        if (_closed || (!_healthy && _time.GetUtcNow().UtcTicks < Interlocked.Read(ref _retryAtTicks))
            || (_options.SpoolStatus is { SpoolFull: true } && _config.OnSpoolFull == SpoolFullBehavior.Refuse))
            return;   // dropped, as IFrameLog.Post says; the writer reports its own failures
        _posted.Enqueue(AppendTicket.Rent(record, posted: true));
        if (Interlocked.Increment(ref _postedCount) >= MaxPosted && _commitGate.Wait(InlineGateWait))
        {
            try
            {
                if (!_closed)
                    CommitSynchronously(TakeQueued(_inlineBatch));
            }
            finally
            {
                _inlineBatch.Clear();
                _commitGate.Release();
            }
        }
    }

    /// <summary>A posted record waits for the next commit, or about twice this long when the log is idle.</summary>
    public static readonly TimeSpan PostedFlushPeriod = TimeSpan.FromMilliseconds(250);

    private const int MaxPosted = 256;

    /// <summary>Moves posted records, then queued appends, into <paramref name="batch"/> (under the gate): their order.</summary>
    private List<AppendTicket> TakeQueued(List<AppendTicket> batch)
    {
        while (batch.Count < _options.MaxBatchRecords && _posted.TryDequeue(out var posted))
        {
            Interlocked.Decrement(ref _postedCount);
            batch.Add(posted);
        }
        var reader = _queue.Reader;
        while (batch.Count < _options.MaxBatchRecords && reader.TryRead(out var queued))
            batch.Add(queued);
        return batch;
    }

    /// <summary>
    /// Under load the next command's commit takes posted records along; the timer nudges the writer task only when
    /// records are waiting and nothing was committed for a period (an idle log). Each timer tick wakes a pool thread
    /// that then spins: at 20 ms that alone cost ~0.7 context switches per pgbench -S transaction, hence a period of
    /// a quarter second (results are after the fact anyway).
    /// </summary>
    private void StartPostedFlush()
    {
        if (!_inlineCommits)
            return;
        _postedFlush = _time.CreateTimer(static state =>
        {
            var writer = (FrameLogWriter)state!;
            if (!writer._posted.IsEmpty && Environment.TickCount64 - Volatile.Read(ref writer._lastCommitAt) >= (long)PostedFlushPeriod.TotalMilliseconds)
                writer._queue.Writer.TryWrite(AppendTicket.Tick);
        }, this, PostedFlushPeriod, PostedFlushPeriod);
    }
}
