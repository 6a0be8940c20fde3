using System.Buffers;
using System.Text;
using Gateway.Core.Masking;
using Gateway.Core.Policy;
using Gateway.Protocols.Postgres.Analysis;
using Gateway.Protocols.Postgres.Protocol;
using Gateway.Protocols.Postgres.Protocol.Messages;

namespace Gateway.Protocols.Postgres.Session;

internal sealed partial class PostgresSession
{
    // Masking buffers are created on the first masked result: an idle session holds none (bench memory).
    private ArrayBufferWriter<byte>? _maskScratchBuffer;
    private byte[]? _maskCopyBuffer;
    private PgValue[] _rowValues = [];

    private ArrayBufferWriter<byte> MaskScratch => _maskScratchBuffer ??= new ArrayBufferWriter<byte>(4096);

    // Set when the gateway ended a result with its own error: at the next ReadyForQuery inside a transaction block
    // the server's transaction is failed too, so the client's view (failed) and the server's agree.
    private bool _failServerTransaction;

    private async Task ServerToClientAsync(CancellationToken cancellationToken)
    {
        var input = _upstream!.Transport.Input;
        while (true)
        {
            var result = await input.ReadAsync(cancellationToken).ConfigureAwait(false);
            if (result.IsCanceled)   // the other direction ended (ProxyAsync)
            {
                input.AdvanceTo(result.Buffer.Start);
                return;
            }
            var buffer = result.Buffer;
            var remaining = buffer;
            var consumed = buffer.Start;
            var examined = buffer.End;
            await LockForAsync(_clientWrite, input, buffer, cancellationToken).ConfigureAwait(false);
            try
            {
                while (FrameCursor.TryNext(ref remaining, _maxMessageBytes, out var frame))
                {
                    await OnServerMessageAsync(frame, cancellationToken).ConfigureAwait(false);
                    consumed = examined = remaining.Start;
                }
                var flushed = await ClientOutput.FlushAsync(cancellationToken).ConfigureAwait(false);
                if (flushed.IsCompleted)
                {
                    _endReason = "client stopped reading";
                    return;
                }
            }
            finally
            {
                _clientWrite.Release();
                input.AdvanceTo(consumed, examined);
            }

            if (result.IsCompleted)
            {
                _endReason = "the target closed the connection";
                await AuditErrorQuietlyAsync("target", "FATAL", "08006", "the target closed the connection").ConfigureAwait(false);
                await TrySendFatalAsync(new PgError(PgSeverity.Fatal, "08006", "the target database closed the connection")).ConfigureAwait(false);
                return;
            }
        }
    }

    /// <summary>Handles one server message; called with the client write lock held.</summary>
    private async ValueTask OnServerMessageAsync(PgFrame frame, CancellationToken cancellationToken)
    {
        _pending.TryPeek(out var head);
        PostgresLog.Message(_logger, _client.SessionId, "target", (char)frame.Type, frame.Length);
        if (head is { EndedByGateway: true } && frame.Backend is not (BackendMessageType.ReadyForQuery or BackendMessageType.NoticeResponse
            or BackendMessageType.ParameterStatus or BackendMessageType.NotificationResponse))
        {
            // The gateway already ended this request with its own error (a limit): drop the rest of the server's answer,
            // keeping what the rest of the session relies on.
            if (frame.Backend == BackendMessageType.ErrorResponse)
            {
                AfterServerError(head);
            }
            else if (frame.Backend == BackendMessageType.CopyInResponse)
            {
                // A later statement of the query, or a later Execute of the batch, started COPY FROM STDIN; the client was
                // told the request ended. Failed before the client loop may go on: it must not forward into the COPY.
                await FailCopyAsync(cancellationToken).ConfigureAwait(false);
                ReleaseCopyBarriers(head);
            }
            return;
        }

        switch (frame.Backend)
        {
            case BackendMessageType.DataRow:
                await OnDataRowAsync(frame, head).ConfigureAwait(false);
                return;
            case BackendMessageType.CommandComplete:
                OnCommandComplete(frame, head);
                return;
            case BackendMessageType.RowDescription:
                OnRowDescription(frame, head);
                return;
            case BackendMessageType.ReadyForQuery:
                await OnReadyForQueryAsync(frame, cancellationToken).ConfigureAwait(false);
                return;
            case BackendMessageType.ErrorResponse:
                await OnErrorResponseAsync(frame, head, cancellationToken).ConfigureAwait(false);
                return;
            case BackendMessageType.ParseComplete:
                Complete(PendingKind.Parse);
                Answered(head!);
                break;
            case BackendMessageType.BindComplete:
                Complete(PendingKind.Bind);
                Answered(head!);
                break;
            case BackendMessageType.CloseComplete:
                Complete(PendingKind.Close);
                Answered(head!);
                break;
            case BackendMessageType.NoData:
                Complete(PendingKind.Describe);
                break;
            case BackendMessageType.EmptyQueryResponse or BackendMessageType.PortalSuspended:
                if (head?.Kind == PendingKind.Execute)
                {
                    head.CopyIn?.TrySetResult(false);
                    if (frame.Backend == BackendMessageType.PortalSuspended)
                        RecordResult(head, "portal suspended");
                    Complete(PendingKind.Execute);
                    Answered(head);
                }
                break;
            case BackendMessageType.CopyInResponse:
                // Before the client sees it: what the client sends next is read in COPY mode (OnCopyInMessage).
                _copyIn = true;
                head?.CopyIn?.TrySetResult(true);
                break;
            case BackendMessageType.CopyOutResponse:
                if (head is not null)
                    head.Shape ??= new ResultShape(null, MaskingOf(head) is { HasDetectors: true } plan ? plan : null);
                break;
            case BackendMessageType.CopyData:
                if (head?.Shape is { } && MaskingOf(head) is { } copyPlan)
                {
                    MaskCopyData(frame, head, copyPlan);
                    return;
                }
                head?.Capture?.Count(frame.Payload.Length);
                break;
            case BackendMessageType.ParameterStatus:
                var parameter = ParameterStatus.Decode(frame.Payload);
                _upstream!.UpdateParameter(parameter.Name, parameter.Value);
                // A change the analysis could not refuse (a function calling set_config): later texts would be read
                // differently by the server, so the session ends here (fail closed).
                if (LexerSettings.Unsafe(parameter.Name, parameter.Value) is { } unsafeSetting)
                    throw new LexerSettingsChangedException(unsafeSetting);
                break;
            case BackendMessageType.Authentication or BackendMessageType.BackendKeyData or BackendMessageType.NegotiateProtocolVersion:
                throw new PgProtocolException(PgProtocolViolation.UnexpectedMessage, $"the target sent {PgMessageReader.TypeText(frame.Type)} after startup");
        }
        Forward(frame);
    }

    private void Forward(in PgFrame frame)
    {
        _bytesOut += frame.Length;
        PgBackendWriter.WriteFrame(ClientOutput, frame);
    }

    private static MaskingPlan? MaskingOf(PendingResponse pending) => pending.Decision?.Masking;

    /// <summary>
    /// The result shape for these columns under this plan. A session tends to run the same statements again
    /// (prepared or not): the last shape is reused when the columns and the plan are the same, instead of matching
    /// the plan's column rules against the names for every result.
    /// </summary>
    private ResultShape ShapeFor(RowField[]? columns, MaskingPlan? plan)
    {
        if (columns is null)
            return new ResultShape(null, plan);
        if (_lastShape is { } last && last.Fits(columns, plan))
            return last;
        return _lastShape = new ResultShape(columns, plan);
    }

    /// <summary>
    /// Releases the COPY barrier of the request the server is in: the Query at the head, or, in the extended protocol,
    /// any Execute of the head's batch (up to its Sync), which the server reaches before the Sync the barrier holds back.
    /// </summary>
    private void ReleaseCopyBarriers(PendingResponse head)
    {
        if (head.Kind == PendingKind.Query)
        {
            head.CopyIn?.TrySetResult(false);
            return;
        }
        foreach (var entry in _pending.Snapshot())
        {
            if (entry.Kind is PendingKind.Sync or PendingKind.Query)
                break;
            entry.CopyIn?.TrySetResult(false);
        }
    }

    /// <summary>Ends a COPY FROM STDIN the server started for a request the gateway already ended (CopyFail).</summary>
    private async ValueTask FailCopyAsync(CancellationToken cancellationToken)
    {
        await _serverWrite.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            PgFrontendWriter.WriteCopyFail(ServerOutput, "the gateway ended this query (a limit)");
            await ServerOutput.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _serverWrite.Release();
        }
    }

    /// <summary>The server answered <paramref name="entry"/> without an error: the names it declared exist as declared.</summary>
    private void Answered(PendingResponse entry)
    {
        _prepared.Confirmed(entry);
        _cursors.Confirmed(entry);
        if (entry is { Kind: PendingKind.Execute, FirstExecute: true, Portal: { } executed })
            executed.FirstAnswered = true;
    }

    /// <summary>The server failed or skipped <paramref name="entry"/>: what it would have declared is not certain.</summary>
    private void NotAnswered(PendingResponse entry)
    {
        _prepared.FailedOrSkipped(entry);
        _cursors.FailedOrSkipped(entry);
        if (entry is { Kind: PendingKind.Execute, FirstExecute: true, Portal: { } executed })
            executed.Judged = null;   // the server did not run it: the next Execute is its first
        else if (entry is { Kind: PendingKind.Bind, Portal: { } bound })
        {
            // The server kept the portal it had (a named one cannot be bound twice), or none: so does the gateway.
            lock (_portals)
            {
                if (_portals.TryGetValue(bound.Name, out var current) && current == bound)
                {
                    if (entry.ReplacedPortal is { } previous)
                        _portals[bound.Name] = previous;
                    else
                        _portals.Remove(bound.Name);
                }
            }
        }
    }

    /// <summary>Pops the head entry, which must be of <paramref name="kind"/>; anything else means the two ends lost sync.</summary>
    private void Complete(PendingKind kind)
    {
        if (!_pending.TryPeek(out var head) || head.Kind != kind)
            throw new PgProtocolException(PgProtocolViolation.UnexpectedMessage, $"the target answered {kind} while the gateway expected {head?.Kind.ToString() ?? "nothing"}");
        _pending.TryDequeue(out _);
    }

    private void OnRowDescription(in PgFrame frame, PendingResponse? head)
    {
        var columns = RowDescription.Decode(frame.Payload).ToArray();
        switch (head?.Kind)
        {
            case PendingKind.Describe:
                if (head.DescribedStatement is { } statement)
                    statement.Columns = columns;
                if (head.DescribedPortal is { } portal)
                    portal.Columns = columns;
                _pending.TryDequeue(out _);
                break;
            case PendingKind.Query:
                head.Shape = ShapeFor(columns, MaskingOf(head));
                head.Capture?.SetColumns(head.Shape.Names);
                head.RowsForwarded = 0;
                break;
        }
        Forward(frame);
    }

    private async ValueTask OnDataRowAsync(PgFrame frame, PendingResponse? head)
    {
        if (head is null || head.Kind is not (PendingKind.Query or PendingKind.Execute))
        {
            Forward(frame);
            return;
        }

        if (head.Shape is null)
        {
            // Extended protocol: the columns come from a Describe of the portal or of its statement.
            head.Shape = ShapeFor(head.Portal?.ResolveColumns(), MaskingOf(head));
            head.Capture?.SetColumns(head.Shape.Names);
        }

        var capture = head.Capture;
        capture?.Count(frame.Payload.Length);

        if (head.Decision?.Limits is { } limits)
        {
            if (limits.MaxRows is { } maxRows && head.RowsForwarded >= maxRows)
            {
                await EndWithLimitAsync(head, $"the result exceeds {maxRows} rows").ConfigureAwait(false);
                return;
            }
            if (limits.MaxBytes is { } maxBytes && head.BytesForwarded + frame.Payload.Length > maxBytes)
            {
                await EndWithLimitAsync(head, $"the result exceeds {maxBytes} bytes").ConfigureAwait(false);
                return;
            }
        }
        head.RowsForwarded++;
        head.BytesForwarded += frame.Payload.Length;

        var row = DataRow.Decode(frame.Payload);
        var count = row.ColumnCount;
        if (head.Shape.Columns is { } columns && count != columns.Length)
            throw new PgProtocolException(PgProtocolViolation.UnexpectedMessage, $"the target sent a row of {count} columns for a result of {columns.Length}");
        if (_rowValues.Length < count)
            _rowValues = new PgValue[Math.Max(Math.Max((int)count, 16), _rowValues.Length * 2)];

        // One walk over the values (Decode validated them); masking and the audit copy both read this array.
        var wantsRow = capture is { WantsRow: true };
        if (head.Shape.NeedsMasking || wantsRow)
            row.Values.CopyTo(_rowValues);

        MaskScratch.ResetWrittenCount();
        var masked = head.Shape.TryMaskRow(_rowValues, count, MaskScratch, _maskCopyBuffer ??= new byte[8192]);
        if (masked)
        {
            if (!PgBackendWriter.TryWriteDataRow(ClientOutput, _rowValues.AsSpan(0, count), _maxMessageBytes, out var length))
                throw new PgProtocolException(PgProtocolViolation.MessageTooLarge, $"a masked row would need {length} bytes");
            _bytesOut += length + 1;
        }
        else
        {
            Forward(frame);
        }

        if (wantsRow)
            capture!.AddRow(head.Shape.Describe(_rowValues, count));
    }

    private void OnCommandComplete(in PgFrame frame, PendingResponse? head)
    {
        var tag = CommandComplete.Decode(frame.Payload).Tag;
        if (head is { Kind: PendingKind.Query or PendingKind.Execute })
        {
            RecordResult(head, tag);
            if (head.Kind == PendingKind.Execute)
            {
                _pending.TryDequeue(out _);
                head.CopyIn?.TrySetResult(false);
                Answered(head);
            }
            else
            {
                // The next statement of a multi-statement Query starts a new result.
                head.Capture?.Start();
                head.Shape = null;
                head.RowsForwarded = 0;
                head.BytesForwarded = 0;
            }
        }
        Forward(frame);
    }

    /// <summary>Records the result just completed; the client is not held back for it (results are logged after forwarding).</summary>
    private void RecordResult(PendingResponse head, string tag)
    {
        if (head.Capture is not { } capture)
            return;
        capture.Tag = tag;
        _audit.Result(capture);
    }

    /// <summary>
    /// What a server error means for the session's own state, whoever tells the client: COPY FROM STDIN is over (and
    /// none starts in what the server now skips), and the PREPAREs and DECLAREs of a failed query are uncertain (which
    /// of its statements ran is not known). Skipped extended-protocol entries are settled where they are dropped.
    /// </summary>
    private void AfterServerError(PendingResponse? head)
    {
        _copyIn = false;
        if (head is null)
            return;
        ReleaseCopyBarriers(head);
        if (head.Kind == PendingKind.Query)
            NotAnswered(head);
    }

    private async ValueTask OnErrorResponseAsync(PgFrame frame, PendingResponse? head, CancellationToken cancellationToken)
    {
        AfterServerError(head);
        if (head?.Kind == PendingKind.Internal)
            return;

        if (head?.Denial is { } denial)
        {
            // The server's error is for the placeholder the gateway sent in place of the denied message.
            PgBackendWriter.WriteErrorResponse(ClientOutput, denial);
        }
        else if (head is { TimedOut: true, Decision: { } limited } && ErrorResponse.Decode(frame.Payload).Fields.SqlState == "57014")
        {
            // The server's "canceling statement due to user request" is the gateway's cancel: say which rule.
            var timeout = limited.Limits!.StatementTimeout!.Value;
            var error = new PgError(PgSeverity.Error, "57014", $"canceling statement due to statement timeout of rule {limited.RuleId} ({timeout.TotalSeconds:0.###} s)")
            {
                Detail = limited.Message,
                Hint = "Make the statement cheaper (an index, a narrower WHERE) or ask for a longer limit.",
            };
            PgBackendWriter.WriteErrorResponse(ClientOutput, error);
            await AuditErrorQuietlyAsync("gateway", "ERROR", "57014", error.Message).ConfigureAwait(false);
        }
        else
        {
            var fields = ErrorResponse.Decode(frame.Payload).Fields;
            await AuditErrorQuietlyAsync("target", fields.Severity ?? "ERROR", fields.SqlState ?? "XX000", fields.Message ?? "(no message)").ConfigureAwait(false);
            Forward(frame);
        }

        if (head?.Kind is PendingKind.Parse or PendingKind.Bind or PendingKind.Describe or PendingKind.Execute or PendingKind.Close)
        {
            // The server now skips every message until Sync, so those will get no answer: drop their entries, and
            // what their Parse and Close would have done to prepared statements is not known.
            while (_pending.TryPeek(out var next) && next.Kind != PendingKind.Sync)
            {
                _pending.TryDequeue(out _);
                NotAnswered(next);
            }
        }
    }

    private async ValueTask OnReadyForQueryAsync(PgFrame frame, CancellationToken cancellationToken)
    {
        var status = ReadyForQuery.Decode(frame.Payload).Status;
        // ReadyForQuery ends the request it answers, and any extended-protocol entries before its Sync that the
        // server skipped after an error.
        _copyIn = false;   // the server is idle
        while (_pending.TryDequeue(out var entry))
        {
            entry.CopyIn?.TrySetResult(false);
            if (entry.Kind is PendingKind.Query or PendingKind.Sync or PendingKind.FunctionCall or PendingKind.Internal)
            {
                Answered(entry);
                break;
            }
            NotAnswered(entry);   // skipped after an error in its batch
        }
        _status = status;
        _upstream!.TransactionStatus = status;

        var mustFail = _failServerTransaction;
        _failServerTransaction = false;
        if (mustFail && status == TransactionStatus.InTransaction && _pending.Count == 0)
        {
            // The client was told this statement failed, so its transaction must fail on the server too: hold this
            // ReadyForQuery and let the server fail the block itself; its ReadyForQuery('E') goes to the client.
            await _serverWrite.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                await _pending.EnqueueAsync(new PendingResponse(PendingKind.Internal), cancellationToken).ConfigureAwait(false);
                PgFrontendWriter.WriteQuery(ServerOutput, DeniedPlaceholder);
                await ServerOutput.FlushAsync(cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                _serverWrite.Release();
            }
            return;
        }
        Forward(frame);
        if (_client.Draining.IsCancellationRequested && _pending.Count == 0 && status == TransactionStatus.Idle)
            _ = EndForShutdownAfterFlushAsync();
    }

    /// <summary>Ends the session once the ReadyForQuery just written has been flushed (the write lock is held now).</summary>
    private async Task EndForShutdownAfterFlushAsync()
    {
        await Task.Yield();
        await EndForShutdownAsync().ConfigureAwait(false);
    }

    /// <summary>A <c>limit</c> rule stops the result: the client gets 54000 naming the rule, the rest is drained.</summary>
    private ValueTask EndWithLimitAsync(PendingResponse head, string reason)
    {
        head.EndedByGateway = true;
        _failServerTransaction = true;
        var decision = head.Decision!;
        var error = new PgError(PgSeverity.Error, "54000", $"result limited by rule {decision.RuleId}: {reason}")
        {
            Detail = decision.Message,
            Hint = "Narrow the query (WHERE, LIMIT) to stay under the limit.",
        };
        PgBackendWriter.WriteErrorResponse(ClientOutput, error);
        return _audit.ErrorAsync("gateway", "ERROR", "54000", error.Message, decision.Message, CancellationToken.None);
    }

    /// <summary>Masks one COPY TO STDOUT data row (text or CSV) with the plan's content detectors.</summary>
    private void MaskCopyData(in PgFrame frame, PendingResponse head, MaskingPlan plan)
    {
        var data = frame.Payload;
        var copyBuffer = _maskCopyBuffer ??= new byte[8192];
        ReadOnlySpan<byte> line;
        if (data.IsSingleSegment)
        {
            line = data.FirstSpan;
        }
        else if (data.Length <= copyBuffer.Length)
        {
            data.CopyTo(copyBuffer);
            line = copyBuffer.AsSpan(0, (int)data.Length);
        }
        else
        {
            line = data.ToArray();
        }
        head.Capture?.Count(line.Length);
        MaskScratch.ResetWrittenCount();
        if (!plan.TryMask(line, columnMasked: false, MaskScratch))
        {
            Forward(frame);
            return;
        }
        var masked = MaskScratch.WrittenSpan;
        // Masking can lengthen a line: the re-encoded message is held to the same cap as a masked DataRow.
        if (masked.Length + 4L > _maxMessageBytes)
            throw new PgProtocolException(PgProtocolViolation.MessageTooLarge, $"a masked COPY row would need {masked.Length + 4L} bytes");
        var message = PgSpanWriter.Begin(ClientOutput, (byte)BackendMessageType.CopyData, masked.Length);
        message.WriteBytes(masked);
        message.Commit(ClientOutput);
        _bytesOut += masked.Length + 5;
    }
}
