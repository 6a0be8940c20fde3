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
            while (batch.Count < _options.MaxBatchRecords && reader.TryRead(out var ticket))
                batch.Add(ticket);
            await CommitAsync(batch, closing: false).ConfigureAwait(false);
            batch.Clear();
        }
        await CommitAsync(batch, closing: true).ConfigureAwait(false);
    }

    /// <summary>
    /// One group commit: stamps and serialises the batch (plus due internal records and checkpoint), writes
    /// it with one write, fsyncs when configured, then completes the callers. On any failure the chain state
    /// is rolled back, so the records that failed leave no Seq gap, and the writer turns unhealthy.
    /// </summary>
    private async Task CommitAsync(List<AppendTicket> batch, bool closing)
    {
        var now = _time.GetUtcNow();
        if (!_healthy && now.UtcTicks < Interlocked.Read(ref _retryAtTicks))
        {
            FailAll(batch, Unavailable());
            return;
        }

        var (seqBefore, headBefore, checkpointFromBefore, checkpointAtBefore) = (_lastSeq, _head, _checkpointFrom, _lastCheckpointAt);
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

            if (_buffer.Length > 0)
            {
                await _segment!.WriteAsync(_buffer.WrittenMemory, _segmentLength).ConfigureAwait(false);
                if (_config.Durability == Durability.Fsync)
                    _segment.FlushToDisk();
                _segmentLength += _buffer.Length;
            }
        }
        catch (Exception e)
        {
            // Whatever failed (ENOSPC, EIO, a read-only file system, a closed handle), the records did not
            // reach the log as far as callers are concerned: roll back and refuse until a write succeeds.
            (_lastSeq, _head, _checkpointFrom, _lastCheckpointAt) = (seqBefore, headBefore, checkpointFromBefore, checkpointAtBefore);
            _segmentNeedsRepair = true;
            _lastError = $"{e.GetType().Name}: {e.Message}";
            Interlocked.Exchange(ref _retryAtTicks, (now + _options.RetryInterval).UtcTicks);
            if (_healthy)
                Log.WriteFailed(_logger, e, _segmentFirstSeq);
            _healthy = false;
            FailAll(batch, new FrameLogUnavailableException($"the frame log cannot be written: {_lastError}", e));
            return;
        }
        finally
        {
            _buffer.ShrinkIfOversized(4 * 1024 * 1024);
        }

        if (_buffer.Length == 0)
            return; // nothing was written: health is restored only by a write that succeeds
        if (!_healthy)
        {
            _healthy = true;
            Log.WriteRecovered(_logger, _lastSeq);
        }
        _internalRecords.Clear();
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
