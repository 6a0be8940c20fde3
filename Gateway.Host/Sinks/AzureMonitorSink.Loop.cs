using Gateway.Host.Azure;

namespace Gateway.Host.Sinks;

public sealed partial class AzureMonitorSink
{
    private async Task RunAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await StepAsync(cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // A segment vanished or the disk failed under us: start again from the durable cursor after a pause.
                AzureMonitorSinkLog.SpoolReadFailed(_logger, Name, e);
                SetHealth(SinkState.Retrying, $"reading the spool: {e.Message}");
                try
                {
                    await Task.Delay(_backoff.Next(null), _time, cancellationToken);
                    Reposition();
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception again) when (again is IOException or UnauthorizedAccessException)
                {
                    AzureMonitorSinkLog.SpoolReadFailed(_logger, Name, again);
                }
            }
        }
    }

    /// <summary>One turn: respect the spool limit, read what is there, and send when the batch is full or due.</summary>
    private async Task StepAsync(CancellationToken cancellationToken)
    {
        await EnforceSpoolLimitAsync(cancellationToken);
        var full = await FillBatchAsync(cancellationToken);
        ReportSkippedBytes();
        if (_batch.Count == 0)
        {
            if (_health.State is SinkState.Starting or SinkState.Retrying)
                SetHealth(SinkState.Healthy, "caught up");
            await Task.Delay(_options.PollInterval, _time, cancellationToken);
            return;
        }
        if (!full && _time.GetUtcNow() - _batch.StartedAt < _options.FlushInterval)
        {
            await Task.Delay(_options.PollInterval, _time, cancellationToken);
            return;
        }
        await ShipAsync(cancellationToken);
    }

    /// <summary>Torn tails and over-long lines the reader passed over, as metrics and a log line (not silently).</summary>
    private void ReportSkippedBytes()
    {
        if (_tail.TornBytesSkipped != _reportedTornBytes)
        {
            AzureMonitorSinkLog.MalformedLine(_logger, Name, _tail.Segment?.Name ?? "", _tail.Offset);
            _metrics.Skipped("torn");
            _reportedTornBytes = _tail.TornBytesSkipped;
        }
        if (_tail.OversizedLinesSkipped != _reportedOversizedLines)
        {
            AzureMonitorSinkLog.MalformedLine(_logger, Name, _tail.Segment?.Name ?? "", _tail.Offset);
            _metrics.Skipped("oversized", _tail.OversizedLinesSkipped - _reportedOversizedLines);
            _reportedOversizedLines = _tail.OversizedLinesSkipped;
        }
    }

    private long _reportedTornBytes;
    private long _reportedOversizedLines;

    /// <returns>True when the batch cannot take more (record count or body size reached).</returns>
    private async Task<bool> FillBatchAsync(CancellationToken cancellationToken)
    {
        while (_batch.Count < _options.BatchRecords)
        {
            if (!await _tail.TryPeekLineAsync(cancellationToken))
                return false;
            if (!TryTakeLine())
                return true;
        }
        return true;
    }

    /// <returns>False when the peeked line does not fit and the batch must be sent first.</returns>
    private bool TryTakeLine()
    {
        var line = _tail.Line;
        var segment = _tail.Segment!.Name;
        var lineOffset = _tail.Offset;
        if (line.Trim(" \t\r"u8).IsEmpty)
        {
            _tail.Consume();
            return true;
        }
        if (!RecordLine.TryParse(line, out var seq, out var timeGenerated))
        {
            AzureMonitorSinkLog.MalformedLine(_logger, Name, segment, lineOffset);
            _metrics.Skipped("malformed");
            _tail.Consume();
            return true;
        }
        if (seq <= _readSeq)
        {
            _tail.Consume(); // shipped before (we re-read from a segment start after repositioning)
            return true;
        }
        if (_readSeq >= 0 && seq > _readSeq + 1)
        {
            AzureMonitorSinkLog.MissingLocally(_logger, Name, _readSeq + 1, seq - 1);
            _metrics.Dropped(seq - 1 - _readSeq, "missing_locally");
        }

        var endOffset = lineOffset + line.Length + 1;
        var now = _time.GetUtcNow();
        if (line.Length > _batch.MaxRecordBytes)
        {
            if (_batch.Count > 0)
                return false;
            var fitted = RecordFitter.Fit(line, _batch.MaxRecordBytes);
            if (fitted is null || fitted.Length > _batch.MaxRecordBytes)
            {
                AzureMonitorSinkLog.MalformedLine(_logger, Name, segment, lineOffset);
                _metrics.Skipped("malformed");
                _tail.Consume();
                return true;
            }
            AzureMonitorSinkLog.Truncated(_logger, Name, seq, line.Length);
            _metrics.Truncated();
            _batch.TryAdd(fitted, seq, timeGenerated, segment, endOffset, now);
        }
        else if (!_batch.TryAdd(line, seq, timeGenerated, segment, endOffset, now))
        {
            return false;
        }

        if (_batch.Count == 1)
            Volatile.Write(ref _oldestPendingTicks, timeGenerated.UtcTicks);
        _tail.Consume();
        _readSeq = seq;
        return true;
    }

    /// <summary>Sends the batch until it is accepted, then moves the durable cursor past it.</summary>
    private async Task ShipAsync(CancellationToken cancellationToken)
    {
        var body = _batch.Compress();
        while (true)
        {
            var result = await _client.UploadAsync(body, cancellationToken);
            switch (result.Outcome)
            {
                case IngestionOutcome.Accepted:
                    await CommitAsync(body.Length, result.Status, cancellationToken);
                    return;

                case IngestionOutcome.Retry:
                {
                    _metrics.Failed(result.FailureKind ?? "unknown");
                    var delay = _backoff.Next(result.RetryAfter);
                    AzureMonitorSinkLog.Retrying(_logger, Name, result.FailureKind ?? "unknown", result.Error, _backoff.Failures, delay);
                    SetHealth(SinkState.Retrying, $"{result.FailureKind}: {result.Error} (attempt {_backoff.Failures})",
                        result.Status == 0 ? null : result.Status);
                    if (!await WaitAsync(delay, untilResumed: false, cancellationToken))
                        return; // drop_oldest discarded this batch's records; read again from the new cursor
                    break;
                }

                default:
                {
                    _metrics.Failed(result.FailureKind ?? "unknown");
                    _resume = NewSignal();
                    AzureMonitorSinkLog.Halted(_logger, Name, result.Status, result.Error, _batch.FirstSeq, _batch.LastSeq);
                    SetHealth(SinkState.Halted, $"rejected with {result.Status}: {result.Error}; fix and resume", result.Status);
                    if (!await WaitAsync(null, untilResumed: true, cancellationToken))
                        return;
                    _backoff.Reset();
                    SetHealth(SinkState.Retrying, "resumed after a rejection");
                    break;
                }
            }
        }
    }

    private async Task CommitAsync(int compressedBytes, int status, CancellationToken cancellationToken)
    {
        var cursor = new SpoolCursor(_batch.LastSeq, _batch.EndSegment, _batch.EndOffset) { Gaps = _cursor.Gaps };
        try
        {
            await _cursorStore.SaveAsync(cursor, cancellationToken);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The records are stored in Azure; only the bookmark is lost, which costs duplicates after a restart.
            AzureMonitorSinkLog.CursorSaveFailed(_logger, Name, cursor.Seq, e);
        }
        _cursor = cursor;
        _metrics.Shipped(_batch.Count, _batch.BodyLength, compressedBytes);
        AzureMonitorSinkLog.Shipped(_logger, Name, _batch.Count, _batch.FirstSeq, _batch.LastSeq, _batch.BodyLength);
        _backoff.Reset();
        SetHealth(SinkState.Healthy, $"shipped through Seq {cursor.Seq}", status, _time.GetUtcNow());
        _batch.Clear();
        Volatile.Write(ref _oldestPendingTicks, 0);
    }
}
