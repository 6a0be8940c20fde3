using System.Buffers;
using System.Text;
using System.Text.Json.Nodes;
using Gateway.Core.Audit;
using Gateway.Core.FrameLog;
using Gateway.Core.Masking;
using Gateway.Core.Policy;
using Gateway.Protocols.Postgres.Analysis;
using Gateway.Protocols.Postgres.Protocol;
using Gateway.Protocols.Postgres.Protocol.Messages;
using Gateway.Protocols.Postgres.Upstream;

namespace Gateway.Protocols.Postgres.Session;

internal sealed partial class PostgresSession
{
    /// <summary>
    /// What the gateway sends the server in place of a denied message: a statement that cannot parse. The server
    /// then does for itself what it would do for a failed statement — aborts the transaction block, or discards
    /// extended-protocol messages until Sync — so its state matches what the client is told (invariant 7).
    /// Nothing is executed, and no search_path can redirect it.
    /// </summary>
    internal const string DeniedPlaceholder = "GATEWAY DENIED THIS STATEMENT";

    private async Task ClientToServerAsync(CancellationToken cancellationToken)
    {
        var input = ClientInput;
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
            var terminate = false;
            await LockForAsync(_serverWrite, input, buffer, cancellationToken).ConfigureAwait(false);
            try
            {
                while (!terminate && _copyInBarrier is null && FrameCursor.TryNext(ref remaining, _maxMessageBytes, out var frame))
                {
                    _bytesIn += frame.Length;
                    terminate = await OnClientMessageAsync(frame, cancellationToken).ConfigureAwait(false);
                    consumed = examined = remaining.Start;
                }
                var flushed = await ServerOutput.FlushAsync(cancellationToken).ConfigureAwait(false);
                if (flushed.IsCompleted)
                    throw new IOException("the target stopped reading");
            }
            finally
            {
                _serverWrite.Release();
                input.AdvanceTo(consumed, examined);
            }

            if (_copyInBarrier is { } barrier)
            {
                // Flushed above; what the client sent after the command stays in the pipe until the server has said.
                _copyInBarrier = null;
                await barrier.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
                continue;
            }
            if (terminate)
            {
                _endReason = "client sent Terminate";
                _clientTerminated = true;
                return;
            }
            if (result.IsCompleted)
            {
                if (!remaining.IsEmpty)
                    throw new PgProtocolException(PgProtocolViolation.Truncated, "the client closed the connection in the middle of a message");
                return;
            }
        }
    }

    private System.IO.Pipelines.PipeWriter ServerOutput => _upstream!.Transport.Output;

    /// <summary>Handles one client message; returns true for Terminate.</summary>
    private async ValueTask<bool> OnClientMessageAsync(PgFrame frame, CancellationToken cancellationToken)
    {
        var type = frame.Frontend;
        PostgresLog.Message(_logger, _client.SessionId, "client", (char)frame.Type, frame.Length);
        if (_discardUntilSync && type is not (FrontendMessageType.Sync or FrontendMessageType.Terminate))
            return false;   // after an error the server would skip these too; the gateway does not even forward them
        if (_copyIn)
            return OnCopyInMessage(frame);

        // An extended-protocol batch not yet ended by Sync keeps the server inside it (an implicit transaction, or
        // skipping to the Sync after an error): such a session is never handed to another client (EndAsync).
        if (type is FrontendMessageType.Sync)
            _unsynced = false;
        else if (type is FrontendMessageType.Parse or FrontendMessageType.Bind or FrontendMessageType.Describe
                 or FrontendMessageType.Execute or FrontendMessageType.Close or FrontendMessageType.Flush)
            _unsynced = true;

        switch (type)
        {
            case FrontendMessageType.Query:
                await OnQueryAsync(frame, cancellationToken).ConfigureAwait(false);
                return false;
            case FrontendMessageType.Parse:
                await OnParseAsync(frame, cancellationToken).ConfigureAwait(false);
                return false;
            case FrontendMessageType.Bind:
                await OnBindAsync(frame, cancellationToken).ConfigureAwait(false);
                return false;
            case FrontendMessageType.Execute:
                await OnExecuteAsync(frame, cancellationToken).ConfigureAwait(false);
                return false;
            case FrontendMessageType.Describe:
                var describe = Describe.Decode(frame.Payload);
                await ForwardAsync(frame, describe.Kind == PgObjectKind.Statement
                    ? new PendingResponse(PendingKind.Describe) { DescribedStatement = _prepared.Find(describe.Name, out var described) == StatementState.Known ? described : null }
                    : new PendingResponse(PendingKind.Describe) { DescribedPortal = FindPortal(describe.Name) },
                    cancellationToken).ConfigureAwait(false);
                return false;
            case FrontendMessageType.Close:
                var close = Close.Decode(frame.Payload);
                var closing = new PendingResponse(PendingKind.Close);
                if (close.Kind == PgObjectKind.Statement)
                    _prepared.Remove(closing, close.Name);
                else
                    lock (_portals)
                        _portals.Remove(close.Name);
                await ForwardAsync(frame, closing, cancellationToken).ConfigureAwait(false);
                return false;
            case FrontendMessageType.Sync:
                Sync.Decode(frame.Payload);
                _discardUntilSync = false;
                await ForwardAsync(frame, new PendingResponse(PendingKind.Sync), cancellationToken).ConfigureAwait(false);
                return false;
            case FrontendMessageType.FunctionCall:
                await OnFunctionCallAsync(frame, cancellationToken).ConfigureAwait(false);
                return false;
            case FrontendMessageType.Flush or FrontendMessageType.CopyData or FrontendMessageType.CopyDone or FrontendMessageType.CopyFail:
                CheckPassThrough(frame);
                PgFrontendWriter.WriteFrame(ServerOutput, frame);
                return false;
            case FrontendMessageType.Terminate:
                // Not forwarded: closing the upstream connection sends its own Terminate (UpstreamConnection.DisposeAsync).
                // A second one would sit unread when the server exits, and its kernel would answer with a reset.
                Terminate.Decode(frame.Payload);
                return true;
            default:
                throw new PgProtocolException(PgProtocolViolation.UnknownMessageType, $"unexpected message type {PgMessageReader.TypeText(frame.Type)} (0x{frame.Type:x2}) after authentication");
        }
    }

    /// <summary>
    /// A client message while the server is in COPY FROM STDIN. The server ignores Sync and Flush there, so they get no
    /// answer and no entry; the gateway drops them, because the server may have left COPY on an error of its own by the
    /// time they arrive, and would then answer a Sync. Any other message would end the COPY with an error on the server
    /// and be thrown away unanswered: a client that sends one has lost track of the protocol, and the connection ends.
    /// </summary>
    private bool OnCopyInMessage(in PgFrame frame)
    {
        switch (frame.Frontend)
        {
            case FrontendMessageType.CopyData or FrontendMessageType.CopyDone or FrontendMessageType.CopyFail:
                CheckPassThrough(frame);
                PgFrontendWriter.WriteFrame(ServerOutput, frame);
                if (frame.Frontend is not FrontendMessageType.CopyData)
                    _copyIn = false;
                return false;
            case FrontendMessageType.Sync or FrontendMessageType.Flush:
                CheckPassThrough(frame);
                return false;
            case FrontendMessageType.Terminate:
                Terminate.Decode(frame.Payload);
                return true;
            default:
                throw new PgProtocolException(PgProtocolViolation.UnexpectedMessage,
                    $"{PgMessageReader.TypeText(frame.Type)} during COPY FROM STDIN (only CopyData, CopyDone, CopyFail, Sync and Flush are allowed)");
        }
    }

    /// <summary>
    /// A request whose command may put the server into COPY FROM STDIN gets a barrier: nothing after it is read
    /// until the server has started the COPY or answered otherwise (<see cref="_copyInBarrier"/>).
    /// </summary>
    private TaskCompletionSource<bool>? CopyInBarrierFor(Command command) => CopiesFromClient(command) > 0
        ? _copyInBarrier = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously)
        : null;

    /// <summary>
    /// The COPY ... FROM STDIN statements of a command: <c>copy_from</c> without the <c>copy_file</c> or
    /// <c>copy_program</c> companion that follows a COPY the server feeds itself (those never send CopyInResponse).
    /// </summary>
    private static int CopiesFromClient(Command command)
    {
        var statements = command.Statements;
        var count = 0;
        for (var i = 0; i < statements.Length; i++)
        {
            if (statements[i].Kind == StatementKinds.CopyFrom
                && !(i + 1 < statements.Length && statements[i + 1].Kind is StatementKinds.CopyFile or StatementKinds.CopyProgram))
                count++;
        }
        return count;
    }

    /// <summary>
    /// Messages forwarded without a decision are still decoded (fail closed): a Flush with a body or a CopyFail
    /// without its terminator is malformed, and a malformed frame never reaches the target.
    /// </summary>
    private static void CheckPassThrough(in PgFrame frame)
    {
        switch (frame.Frontend)
        {
            case FrontendMessageType.Flush:
                Flush.Decode(frame.Payload);
                break;
            case FrontendMessageType.CopyDone:
                CopyDone.Decode(frame.Payload);
                break;
            case FrontendMessageType.CopyFail:
                CopyFail.Decode(frame.Payload);
                break;
        }
    }

    private async ValueTask OnQueryAsync(PgFrame frame, CancellationToken cancellationToken)
    {
        var text = Query.Decode(frame.Payload).GetText();
        var command = ResolveNames(_handler.Analyzer.Analyze(text, CommandOrigin.Query), out var refusal);
        var decision = Decide(command);
        if (!decision.IsBlocking && refusal is not null)
            decision = refusal;
        decision = await RecordCommandAsync(command, text, decision, null, cancellationToken).ConfigureAwait(false);
        if (decision.IsBlocking)
        {
            await DenyWithPlaceholderQueryAsync(PendingKind.Query, decision, cancellationToken).ConfigureAwait(false);
            return;
        }
        var pending = new PendingResponse(PendingKind.Query) { Decision = decision, Capture = NewCapture(), CopyIn = CopyInBarrierFor(command) };
        _prepared.Apply(pending, command, text);
        _cursors.Declared(pending, command);
        await ForwardAsync(frame, pending, cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask OnParseAsync(PgFrame frame, CancellationToken cancellationToken)
    {
        var parse = Parse.Decode(frame.Payload);
        var text = parse.GetText();
        // Kept as analysed: what its EXECUTEs and FETCHes stand for is resolved again at its portal's first Execute.
        var analysed = _handler.Analyzer.Analyze(text, CommandOrigin.Prepare);
        var command = ResolveNames(analysed, out _);
        var decision = Decide(command);
        if (decision.IsBlocking)
        {
            // Denied at Parse already: nothing of it will ever run. Record it and fail the batch like the server would.
            decision = await RecordCommandAsync(command, text, decision, new StatementReference(parse.StatementName), cancellationToken).ConfigureAwait(false);
            await DenyInBatchAsync(PendingKind.Parse, decision, cancellationToken).ConfigureAwait(false);
            return;
        }
        var parsing = new PendingResponse(PendingKind.Parse);
        _prepared.Create(parsing, new PreparedStatement(parse.StatementName, text, analysed));
        await ForwardAsync(frame, parsing, cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask OnBindAsync(PgFrame frame, CancellationToken cancellationToken)
    {
        var bind = Bind.Decode(frame.Payload);
        // Fail closed: a statement the gateway never analysed, or may not be the one it analysed, is never bound.
        var state = _prepared.Find(bind.Statement, out var statement);
        if (state != StatementState.Known)
        {
            var decision = state == StatementState.Unknown
                ? UncertainStatementDenial(bind.Statement)
                : GatewayDenial("unknown-statement", $"prepared statement \"{bind.Statement}\" was not prepared through the gateway");
            await DenyInBatchAsync(PendingKind.Bind, decision, cancellationToken).ConfigureAwait(false);
            return;
        }

        var formats = new short[bind.ResultFormats.Count];
        for (var i = 0; i < formats.Length; i++)
            formats[i] = bind.ResultFormats.For(i);
        var portal = new Portal(bind.Portal, statement!, formats, DescribeParameters(bind));
        Portal? replaced;
        lock (_portals)
        {
            _portals.TryGetValue(bind.Portal, out replaced);
            _portals[bind.Portal] = portal;
        }
        var binding = new PendingResponse(PendingKind.Bind) { Portal = portal, ReplacedPortal = replaced };
        _cursors.Declared(binding, statement!.Analysis, bind.Portal);   // SQL FETCH reads a named portal
        await ForwardAsync(frame, binding, cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask OnExecuteAsync(PgFrame frame, CancellationToken cancellationToken)
    {
        var execute = Execute.Decode(frame.Payload);
        if (FindPortal(execute.Portal) is not { } portal)
        {
            var unknown = GatewayDenial("unknown-portal", $"portal \"{execute.Portal}\" was not bound through the gateway");
            await DenyInBatchAsync(PendingKind.Execute, unknown, cancellationToken).ConfigureAwait(false);
            return;
        }

        // The first Execute runs the portal's statement, with its EXECUTEs and FETCHes as they stand then; later ones
        // read on from it (the server stores what an EXECUTE or FETCH returned), so they are judged as the first.
        var continued = portal.Judged;
        Decision? refusal = null;
        var command = continued ?? ResolveNames(portal.Statement.Analysis, out refusal);
        if (continued is not null && !portal.FirstAnswered
            && !SqlAnalysis.SameFacts(continued.Statements, ResolveNames(portal.Statement.Analysis, out _).Statements))
        {
            // The first Execute is still in flight and may yet be skipped; then this one runs the statement as it is now.
            refusal = GatewayDenial("portal-in-flight",
                $"portal \"{portal.Name}\" is executed again before the server answered its first Execute, and what it runs has changed since; wait for the answer");
        }
        var decision = Decide(command);
        if (!decision.IsBlocking && refusal is not null)
            decision = refusal;
        var statement = new StatementReference(portal.Statement.Name, portal.Parameters);
        decision = await RecordCommandAsync(command with { Origin = CommandOrigin.Execute }, portal.Statement.Text, decision, statement, cancellationToken).ConfigureAwait(false);
        if (decision.IsBlocking)
        {
            await DenyInBatchAsync(PendingKind.Execute, decision, cancellationToken).ConfigureAwait(false);
            return;
        }
        var pending = new PendingResponse(PendingKind.Execute)
        {
            Portal = portal, Decision = decision, Capture = NewCapture(), CopyIn = continued is null ? CopyInBarrierFor(command) : null,
            FirstExecute = continued is null,
        };
        if (continued is null)
        {
            portal.Judged = command;
            _prepared.Apply(pending, command, portal.Statement.Text);   // a Parsed PREPARE or DEALLOCATE runs here
            _cursors.Declared(pending, command);
        }
        await ForwardAsync(frame, pending, cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask OnFunctionCallAsync(PgFrame frame, CancellationToken cancellationToken)
    {
        var call = FunctionCall.Decode(frame.Payload);
        var command = ProtocolCommands.FunctionCall(call.FunctionOid);
        var decision = Decide(command);
        decision = await RecordCommandAsync(command, command.Text, decision, null, cancellationToken).ConfigureAwait(false);
        if (decision.IsBlocking)
        {
            await DenyWithPlaceholderQueryAsync(PendingKind.FunctionCall, decision, cancellationToken).ConfigureAwait(false);
            return;
        }
        await ForwardAsync(frame, new PendingResponse(PendingKind.FunctionCall), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Queues the expected response, then forwards the message exactly as it arrived.</summary>
    private async ValueTask ForwardAsync(PgFrame frame, PendingResponse pending, CancellationToken cancellationToken)
    {
        await _pending.EnqueueAsync(pending, cancellationToken).ConfigureAwait(false);
        PgFrontendWriter.WriteFrame(ServerOutput, frame);
        if (pending.Decision?.Limits?.StatementTimeout is { } timeout)
            pending.Timeout = _client.Services.Time.CreateTimer(_ => _ = CancelIfStillRunningAsync(pending), null, timeout, System.Threading.Timeout.InfiniteTimeSpan);
    }

    /// <summary>
    /// A <c>limit</c> rule's <c>statement_timeout</c>: when the statement still runs at the deadline, the gateway
    /// cancels it on the server with the upstream's own key, exactly as a client's cancel would, so the server
    /// ends it with its native error and its own transaction state (no session setting is changed).
    /// </summary>
    private async Task CancelIfStillRunningAsync(PendingResponse pending)
    {
        if (!_pending.TryPeek(out var head) || !ReferenceEquals(head, pending) || _upstream is not { } upstream
            || !upstream.TryClaimCancel(_upstreamLease))
            return;
        pending.TimedOut = true;
        try
        {
            await UpstreamCanceller.SendCancelAsync(_client.Listener.Target, upstream.ProcessId, upstream.SecretKey, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is UpstreamConnectException or IOException)
        {
            PostgresLog.UpstreamFailed(_logger, _client.SessionId, $"statement timeout cancel: {e.Message}");
        }
    }

    /// <summary>Denies a simple Query or FunctionCall: the server gets a failing placeholder query instead.</summary>
    private async ValueTask DenyWithPlaceholderQueryAsync(PendingKind kind, Decision decision, CancellationToken cancellationToken)
    {
        await _pending.EnqueueAsync(new PendingResponse(kind) { Denial = DenialText.ToError(decision) }, cancellationToken).ConfigureAwait(false);
        PgFrontendWriter.WriteQuery(ServerOutput, DeniedPlaceholder);
    }

    /// <summary>
    /// Denies an extended-protocol message: the server gets a failing Parse in its place, answers it with an error
    /// (which the client sees as the denial) and skips to Sync; the gateway discards the client's messages until
    /// Sync too, so nothing after the denied message runs — exactly what the server does after an error.
    /// </summary>
    private async ValueTask DenyInBatchAsync(PendingKind kind, Decision decision, CancellationToken cancellationToken)
    {
        await _pending.EnqueueAsync(new PendingResponse(kind) { Denial = DenialText.ToError(decision) }, cancellationToken).ConfigureAwait(false);
        PgFrontendWriter.WriteParse(ServerOutput, "", DeniedPlaceholder);
        _discardUntilSync = true;
    }

    /// <summary>Evaluates the rules snapshot current at this moment; a failing evaluation denies (fail closed).</summary>
    private Decision Decide(Command command)
    {
        Decision decision;
        try
        {
            decision = Policy.Current.Evaluate(_facts!, command);
        }
        catch (Exception e)
        {
            PostgresLog.PolicyFailed(_logger, _client.SessionId, e.Message);
            return GatewayDenial("policy-error", "the rules could not be evaluated for this statement");
        }

        _client.Metrics.CommandDecided(decision.Action);
        return CopyToMasking.Apply(command, decision);
    }

    /// <summary>
    /// <paramref name="analysed"/> with the statements its <c>EXECUTE</c>s and <c>FETCH</c>es run, as the session's
    /// prepared statements and cursors stand now; <paramref name="refusal"/> is the gateway's own denial when it cannot
    /// vouch for one of them, or for the command's COPY FROM STDIN.
    /// </summary>
    private Command ResolveNames(Command analysed, out Decision? refusal)
    {
        var command = _cursors.Inherit(SqlPreparedCommands.Inherit(analysed, _commandOfPrepared), out var unknownCursor);
        refusal = _prepared.FirstUnknownExecute(command) is { } uncertain ? UncertainStatementDenial(uncertain)
            : unknownCursor is not null ? UnknownCursorDenial(unknownCursor)
            // After the first COPY's CopyDone the server would be in the next at once, ignoring what the client sent
            // behind it: one COPY FROM STDIN per query keeps requests and answers paired.
            : CopiesFromClient(command) > 1 ? GatewayDenial("one-copy-per-query", "send each COPY ... FROM STDIN as a query of its own")
            : null;
        return command;
    }

    private static Decision UncertainStatementDenial(string name) => GatewayDenial("uncertain-statement",
        $"prepared statement \"{name}\" was not prepared through the gateway, or may not be the one it analysed (an error made the server skip a change to it, or it was prepared twice); close (DEALLOCATE) it and prepare it again");

    /// <summary>The client loop binds and closes portals; the server loop puts back a portal a refused Bind replaced.</summary>
    private Portal? FindPortal(string name)
    {
        lock (_portals)
            return _portals.GetValueOrDefault(name);
    }

    private static Decision UnknownCursorDenial(string name) => GatewayDenial("unknown-cursor",
        $"cursor \"{name}\" cannot be judged: this session declared more cursors or statements than the gateway keeps ({CursorQueries.MaxNames} names, {CursorQueries.MaxStatementsPerName} statements per name); close cursors and declare them again");

    private static Decision GatewayDenial(string ruleId, string message) => new()
    {
        Action = DecisionAction.Deny,
        RuleId = "gateway:" + ruleId,
        Message = message,
    };

    /// <summary>
    /// Records the command before it is forwarded and returns the decision to apply: the one given, or — when the
    /// frame log cannot take the record — a refusal, because nothing runs unaudited (invariant 2).
    /// </summary>
    private async ValueTask<Decision> RecordCommandAsync(Command command, string text, Decision decision, StatementReference? statement, CancellationToken cancellationToken)
    {
        var redacted = MaskingPlan.AllDetectorsRedacted.MaskText(SqlRedactor.Redact(text, command));
        try
        {
            await _audit.CommandAsync(command, redacted, decision, statement, cancellationToken).ConfigureAwait(false);
            return decision;
        }
        catch (FrameLogUnavailableException e)
        {
            PostgresLog.AuditFailed(_logger, _client.SessionId, e.Message);
            return GatewayDenial(DenialText.AuditUnavailableRule, "the audit log cannot record this command, so it was not run; try again later");
        }
    }

    private ResultCapture NewCapture()
    {
        var capture = new ResultCapture(_audit.Capture.ResultRows, _audit.Capture.ValueBytes);
        capture.Start();
        return capture;
    }

    /// <summary>Bind parameters as recorded: text values capped and passed through the detectors, binary by size.</summary>
    private string?[] DescribeParameters(in Bind bind)
    {
        var values = new string?[bind.Parameters.Count];
        var i = 0;
        var cap = _audit.Capture.ValueBytes;
        foreach (var value in bind.Parameters)
        {
            if (!value.IsNull)
            {
                if (bind.ParameterFormats.For(i) == 0)
                {
                    var bytes = value.Bytes.Length > cap ? value.Bytes.Slice(0, cap) : value.Bytes;
                    values[i] = MaskingPlan.AllDetectorsRedacted.MaskText(Encoding.UTF8.GetString(bytes));
                }
                else
                {
                    values[i] = $"<binary {value.Bytes.Length} bytes>";
                }
            }
            i++;
        }
        return values;
    }
}

