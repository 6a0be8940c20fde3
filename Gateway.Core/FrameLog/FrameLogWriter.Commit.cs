using Gateway.Core.Config;

namespace Gateway.Core.FrameLog;

public sealed partial class FrameLogWriter
{
    private async Task RunAsync()
    {
        var reader = _queue.Reader;
        var batch = new List<AppendTicket>(_options.MaxBatchRecords);
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            // Tickets are taken off the queue only under the gate, so an inline commit (which drains the queue
            // first) can never overtake a record that was queued before it.
            await _commitGate.WaitAsync().ConfigureAwait(false);
            try
            {
                TakeQueued(batch);
                if (batch.Count > 0)
                    await CommitOnWriterAsync(batch, closing: false).ConfigureAwait(false);
            }
            finally
            {
                _commitGate.Release();
                batch.Clear();
            }
        }
        await _commitGate.WaitAsync().ConfigureAwait(false);
        try
        {
            _closed = true;
            while (!_posted.IsEmpty)
            {
                await CommitOnWriterAsync(TakeQueued(batch), closing: false).ConfigureAwait(false);
                batch.Clear();
            }
            await CommitOnWriterAsync(batch, closing: true).ConfigureAwait(false);
        }
        finally
        {
            _commitGate.Release();
        }
    }

    /// <summary>
    /// The writer task's commit. Where callers commit inline, it writes synchronously too, so the gate is never
    /// held across an await and an inline caller waiting for it waits for one page-cache write at most.
    /// </summary>
    private Task CommitOnWriterAsync(List<AppendTicket> batch, bool closing)
    {
        if (!_inlineCommits)
            return CommitAsync(batch, closing);
        CommitSynchronously(batch, closing);
        return Task.CompletedTask;
    }

    /// <summary>
    /// The caller's own group commit, for <c>durability: buffered</c>: the records queued so far (timer ticks,
    /// appends that gave up waiting), then <paramref name="record"/>, written with one synchronous write (to the
    /// page cache) on the caller's thread. It saves the two thread hops of the writer task (to it and back),
    /// which cost more than the write itself. A caller that finds another commit running waits for it (one
    /// serialisation and one page-cache write, every holder commits synchronously) rather than hop threads.
    /// Returns null when the record must take the queue instead.
    /// </summary>
    private AppendTicket? TryCommitInline(FrameRecord record, FrameRecord? second = null)
    {
        if (!_commitGate.Wait(InlineGateWait))
            return null;
        try
        {
            if (_closed)
                return null;
            var batch = TakeQueued(_inlineBatch);
            if (batch.Count >= _options.MaxBatchRecords)
            {
                // More queued than one batch holds: this record goes behind them through the queue.
                CommitSynchronously(batch);
                return null;
            }
            var ticket = AppendTicket.Rent(record);
            batch.Add(ticket);
            AppendTicket? secondTicket = null;
            if (second is not null)
            {
                secondTicket = AppendTicket.Rent(second);
                batch.Add(secondTicket);
            }
            CommitSynchronously(batch);
            if (secondTicket is null)
                return ticket;
            // One batch, but each record can still be refused alone (too large): a failed first is what the caller
            // must see; otherwise the second's outcome is the pair's.
            var first = ticket.AsValueTask();
            if (!first.IsCompletedSuccessfully)
            {
                FrameLogPosting.Observe(secondTicket.AsValueTask());
                return ticket;
            }
            first.GetAwaiter().GetResult();   // hands the first's completion back to the pool
            return secondTicket;
        }
        finally
        {
            _inlineBatch.Clear();
            _commitGate.Release();
        }
    }

    /// <summary>
    /// One group commit: stamps and serialises the batch (plus due internal records and checkpoint), writes
    /// it with one write, fsyncs when configured, then completes the callers. On any failure the chain state
    /// is rolled back, so the records that failed leave no Seq gap, and the writer turns unhealthy.
    /// </summary>
    private async Task CommitAsync(List<AppendTicket> batch, bool closing)
    {
        if (!TryStartCommit(batch, closing, out var commit))
            return;
        try
        {
            if (_buffer.Length > 0)
            {
                await _segment!.WriteAsync(_buffer.WrittenMemory, _segmentLength).ConfigureAwait(false);
                if (_config.Durability == Durability.Fsync)
                    _segment.FlushToDisk();
            }
        }
        catch (Exception e)
        {
            FailCommit(batch, commit, e);
            return;
        }
        FinishCommit(batch, commit);
    }

    /// <summary>A stalled disk makes inline callers queue (and wait asynchronously) instead of blocking a thread longer.</summary>
    private static readonly TimeSpan InlineGateWait = TimeSpan.FromMilliseconds(50);

    /// <summary><see cref="CommitAsync"/> with a synchronous write: the inline path of <c>durability: buffered</c>.</summary>
    private void CommitSynchronously(List<AppendTicket> batch, bool closing = false)
    {
        if (!TryStartCommit(batch, closing, out var commit))
            return;
        try
        {
            if (_buffer.Length > 0)
                _segment!.Write(_buffer.WrittenSpan, _segmentLength);
        }
        catch (Exception e)
        {
            FailCommit(batch, commit, e);
            return;
        }
        FinishCommit(batch, commit);
    }

    /// <summary>The chain state before a commit, restored when the commit fails.</summary>
    private readonly record struct CommitStart(DateTimeOffset Now, long Seq, string Head, long CheckpointFrom, DateTimeOffset CheckpointAt)
    {
        public int Written { get; init; }
    }

    /// <summary>Stamps and serialises the batch into the buffer; false when the batch was refused or failed.</summary>
    private bool TryStartCommit(List<AppendTicket> batch, bool closing, out CommitStart commit)
    {
        var now = _time.GetUtcNow();
        commit = new CommitStart(now, _lastSeq, _head, _checkpointFrom, _lastCheckpointAt);
        if (!_healthy && now.UtcTicks < Interlocked.Read(ref _retryAtTicks))
        {
            FailAll(batch, Unavailable());
            return false;
        }

        var written = 0;
        try
        {
            PrepareSegment(now);
            _buffer.Clear();
            foreach (var record in _internalRecords)
                AppendRecord(record);
            for (var i = 0; i < batch.Count; i++)
            {
                var ticket = batch[i];
                if (ticket.Record is null)
                    continue;
                if (!TryAppendCallerRecord(ticket))
                {
                    batch[i] = AppendTicket.Tick;
                    continue;
                }
                written++;
                if (_lastSeq - _checkpointFrom + 1 >= _config.CheckpointEvery)
                    AppendCheckpoint(now);
            }
            if (_lastSeq >= _checkpointFrom && (closing || now - _lastCheckpointAt >= _config.CheckpointInterval))
                AppendCheckpoint(now);
        }
        catch (Exception e)
        {
            FailCommit(batch, commit, e);
            return false;
        }
        commit = commit with { Written = written };
        return true;
    }

    private void FailCommit(List<AppendTicket> batch, in CommitStart commit, Exception e)
    {
        // Whatever failed (ENOSPC, EIO, a read-only file system, a closed handle), the records did not
        // reach the log as far as callers are concerned: roll back and refuse until a write succeeds.
        (_lastSeq, _head, _checkpointFrom, _lastCheckpointAt) = (commit.Seq, commit.Head, commit.CheckpointFrom, commit.CheckpointAt);
        _segmentNeedsRepair = true;
        _lastError = $"{e.GetType().Name}: {e.Message}";
        Interlocked.Exchange(ref _retryAtTicks, (commit.Now + _options.RetryInterval).UtcTicks);
        if (_healthy)
            Log.WriteFailed(_logger, e, _segmentFirstSeq);
        _healthy = false;
        _buffer.Clear();
        _buffer.ShrinkIfOversized(4 * 1024 * 1024);
        FailAll(batch, new FrameLogUnavailableException($"the frame log cannot be written: {_lastError}", e));
    }

    private void FinishCommit(List<AppendTicket> batch, in CommitStart commit)
    {
        var wroteAnything = _buffer.Length > 0;
        Volatile.Write(ref _lastCommitAt, Environment.TickCount64);
        _segmentLength += _buffer.Length;
        if (wroteAnything)
            _options.SpoolStatus?.Written(_buffer.Length);
        _buffer.Clear();
        _buffer.ShrinkIfOversized(4 * 1024 * 1024);
        if (!wroteAnything)
            return; // nothing was written: health is restored only by a write that succeeds
        if (!_healthy)
        {
            _healthy = true;
            Log.WriteRecovered(_logger, _lastSeq);
        }
        _internalRecords.Clear();
        var written = commit.Written;
        if (written > 0)
        {
            Interlocked.Add(ref _records, written);
            Interlocked.Increment(ref _batches);
            if (written > _largestBatch)
                Volatile.Write(ref _largestBatch, written);
        }
        Volatile.Write(ref _lastSeqPublished, _lastSeq);
        foreach (var ticket in batch)
        {
            if (ticket.Record is not null)
                ticket.Succeed();
        }
    }

    private static void FailAll(List<AppendTicket> batch, Exception error)
    {
        foreach (var ticket in batch)
        {
            if (ticket.Record is not null)
                ticket.Fail(error);
        }
    }

    private bool TryAppendCallerRecord(AppendTicket ticket)
    {
        var start = _buffer.Length;
        AppendRecord(ticket.Record!);
        if (_buffer.Length - start <= _options.MaxRecordBytes)
            return true;

        // Too large for the log: refuse this record alone and give its Seq back.
        var size = _buffer.Length - start;
        _buffer.Truncate(start);
        _lastSeq--;
        _head = ticket.Record!.PrevHash;
        ticket.Fail(new FrameLogUnavailableException(
            $"the record is {size} bytes, more than the frame log's {_options.MaxRecordBytes}-byte cap"));
        return false;
    }

    /// <summary>Stamps the record with the chain columns and serialises it to the batch buffer.</summary>
    private void AppendRecord(FrameRecord record)
    {
        record.TimeGenerated = _time.GetUtcNow();
        record.Seq = _lastSeq + 1;
        record.PrevHash = _head;
        record.Node = _node;

        var start = _buffer.Length;
        _json.Reset(_buffer);
        FrameRecordJson.WriteCanonical(_json, record);
        _json.Flush();

        // The canonical JSON ends in '}': hash it, then replace that brace with the Hash member.
        var body = _buffer.WrittenSpan[start..^1];
        Span<char> hash = stackalloc char[FrameRecordJson.HashHexLength];
        _hash.Compute(_head, body, hash);
        _buffer.Truncate(_buffer.Length - 1);
        FrameRecordJson.WriteHashSuffix(_buffer.GetSpan(FrameRecordJson.HashSuffixWithNewline), hash);
        _buffer.Advance(FrameRecordJson.HashSuffixWithNewline);

        record.Hash = new string(hash);
        _lastSeq = record.Seq;
        _head = record.Hash;
    }

    private void AppendCheckpoint(DateTimeOffset now)
    {
        var checkpoint = Checkpoint.Create(_key, _node, _checkpointFrom, _lastSeq, _head);
        AppendRecord(GatewayRecord(FrameKinds.Checkpoint, checkpoint.ToPayload()));
        _checkpointFrom = _lastSeq + 1;
        _lastCheckpointAt = now;
    }
}
