using System.Buffers;
using System.Collections.Immutable;
using System.Security.Authentication;
using System.Text.Json.Nodes;
using Gateway.Core.Audit;
using Gateway.Core.Config;
using Gateway.Core.Policy;
using Gateway.Protocols.Postgres.Analysis;
using Gateway.Protocols.Postgres.Protocol;
using Gateway.Protocols.Postgres.Protocol.Messages;
using Gateway.Protocols.Postgres.Upstream;

namespace Gateway.Protocols.Postgres.Session;

internal sealed partial class PostgresSession
{
    // Startup parameters forwarded to the server. Everything else is dropped: `options` could carry
    // `-c role=...` or `-c session_authorization=...` past the rules, and `user`/`database` are the gateway's own.
    private static readonly ImmutableHashSet<string> ForwardedStartupParameters = ImmutableHashSet.Create(
        StringComparer.OrdinalIgnoreCase,
        "application_name", "client_encoding", "datestyle", "timezone", "extra_float_digits", "intervalstyle",
        "search_path", "lc_messages", "bytea_output", "standard_conforming_strings", "geqo", "statement_timeout",
        "lock_timeout", "idle_in_transaction_session_timeout");

    /// <summary>
    /// SSLRequest/GSSENCRequest negotiation, StartupMessage, token authentication and the upstream connection.
    /// Returns false when the connection ended during startup (refused, cancel request, client gone).
    /// </summary>
    private async Task<bool> StartupAsync(CancellationToken cancellationToken)
    {
        // The listener's handshake deadline bounds everything up to an authenticated upstream session.
        using var handshake = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _client.HandshakeDeadline);
        try
        {
            return await StartupWithinDeadlineAsync(handshake.Token).ConfigureAwait(false);
        }
        // The deadline itself, not the linked source: with inline continuations a read cancelled by the deadline can
        // reach this filter from inside the deadline's callbacks, before the linked source's own callback has run.
        // A TLS handshake cut by the deadline may end in an IOException or AuthenticationException instead.
        catch (Exception e) when (_client.HandshakeDeadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested
                                  && e is OperationCanceledException or IOException or AuthenticationException)
        {
            _endReason = "handshake timeout";
            PostgresLog.HandshakeTimeout(_logger, _client.SessionId, _client.RemoteEndPoint.ToString());
            var timeout = new PgError(PgSeverity.Fatal, "08006", "the connection was not authenticated in time");
            Refused(RefusalKind.HandshakeTimeout, timeout);
            // Mid-TLS-handshake the client expects TLS records: a plain-text error would only garble its handshake.
            if (!_tlsHandshaking)
                await TrySendFatalAsync(timeout).ConfigureAwait(false);
            return false;
        }
    }

    private async Task<bool> StartupWithinDeadlineAsync(CancellationToken cancellationToken)
    {
        StartupMessage startup;
        while (true)
        {
            var packet = await ReadStartupPacketAsync(cancellationToken).ConfigureAwait(false);
            if (packet is null)
                return false;
            switch (packet.Kind)
            {
                case StartupRequestKind.SslRequest:
                    if (!await NegotiateTlsAsync(packet.MoreBytesBuffered, cancellationToken).ConfigureAwait(false))
                        return false;
                    continue;
                case StartupRequestKind.GssEncRequest:
                    // No GSSAPI encryption: answer 'N' and let the client continue in plain text or with SSLRequest.
                    await WriteToClientAsync(writer => writer.Write("N"u8), cancellationToken).ConfigureAwait(false);
                    continue;
                case StartupRequestKind.CancelRequest:
                    await ForwardCancelAsync(packet.Cancel, cancellationToken).ConfigureAwait(false);
                    _endReason = "cancel request";
                    return false;
                default:
                    startup = packet.Startup;
                    _claimedStartup = startup;
                    break;
            }
            break;
        }

        if (startup.ProtocolVersion >>> 16 != StartupRequestCodes.ProtocolMajorVersion3)
            return await RefuseAsync("0A000", $"unsupported frontend protocol {startup.ProtocolVersion >>> 16}.{startup.ProtocolVersion & 0xFFFF}: the gateway speaks 3.0").ConfigureAwait(false);
        if (!_client.IsTls && _client.Listener.Tls.Mode != ListenerTlsMode.Off)
            return await RefuseAsync("28000", "the gateway requires TLS: connect with sslmode=require (the token must not cross the network in clear text)").ConfigureAwait(false);
        if (startup.Parameters.ContainsKey("options"))
            return await RefuseAsync("42501", "startup parameter \"options\" is not allowed through the gateway: set parameters with SET after connecting, where the rules can see them").ConfigureAwait(false);

        var token = await ReadPasswordAsync(cancellationToken).ConfigureAwait(false);
        if (token is null)
            return false;
        var validation = await _client.Services.Tokens.ValidateAsync(token, cancellationToken).ConfigureAwait(false);
        if (!validation.IsValid)
        {
            PostgresLog.TokenRefused(_logger, _client.SessionId, _client.RemoteEndPoint.ToString(), validation.Rejection.ToString());
            _endReason = $"token refused: {validation.Reason}";
            return await RefuseAsync("28P01", $"token authentication failed: {validation.Reason}", RefusalKind.TokenRefused).ConfigureAwait(false);
        }

        // The clock skew lets a token pass validation a little after exp; a session never starts on one (it would
        // be ended at once by the expiry timer, but not before a query pipelined behind the password had run).
        if (validation.Principal!.ExpiresAt <= _client.Services.Time.GetUtcNow())
        {
            PostgresLog.TokenRefused(_logger, _client.SessionId, _client.RemoteEndPoint.ToString(), "Expired");
            _endReason = "token refused: token expired";
            return await RefuseAsync("28P01", $"token authentication failed: token expired at {validation.Principal.ExpiresAt:yyyy-MM-dd'T'HH:mm:ss'Z'}",
                RefusalKind.TokenRefused).ConfigureAwait(false);
        }

        _principal = validation.Principal;
        _audit.Identify(_principal);
        var database = startup.Database ?? _client.Listener.Target.Database ?? startup.User ?? "postgres";
        _audit.Database = database;
        _facts = new SessionFacts(_principal, _client.Listener.Name, SqlProtocol, database);

        if (startup.Parameters.TryGetValue("replication", out var replication) && replication is not ("false" or "off" or "no" or "0"))
        {
            var command = ProtocolCommands.Replication(replication);
            var decision = Policy.Current.Evaluate(_facts, command);
            await _audit.CommandAsync(command, command.Text, decision, null, cancellationToken).ConfigureAwait(false);
            if (decision.IsBlocking)
                return await RefuseAsync("42501", DenialText.Message(decision)).ConfigureAwait(false);
        }

        await _audit.SessionStartAsync(SessionStartPayload(startup), cancellationToken).ConfigureAwait(false);
        if (!await ConnectUpstreamAsync(startup, database, cancellationToken).ConfigureAwait(false))
            return false;

        var upstream = _upstream!;
        // The server's own report covers every source of these values: the client's startup parameters, ALTER ROLE
        // or DATABASE ... SET, postgresql.conf.
        if (LexerSettings.Unsafe(upstream.ParameterStatus) is { } unsafeSetting)
        {
            _endReason = $"refused: {unsafeSetting}";
            await AuditErrorQuietlyAsync("gateway", "FATAL", LexerSettingsSqlState, unsafeSetting).ConfigureAwait(false);
            return await RefuseAsync(LexerSettingsSqlState, $"{unsafeSetting}; connect with standard_conforming_strings on and client_encoding UTF8").ConfigureAwait(false);
        }
        if (!_client.MarkAuthenticated())
        {
            _endReason = "handshake timeout";
            return false;
        }
        _status = upstream.TransactionStatus;
        _clientKey = _handler.CancelKeys.Register(new UpstreamCancelTarget(_client.Listener.Target, upstream, _upstreamLease, _client.SessionId));
        var key = _clientKey.Value;
        await WriteToClientAsync(writer =>
        {
            PgBackendWriter.WriteAuthenticationOk(writer);
            foreach (var (name, value) in upstream.ParameterStatus)
                PgBackendWriter.WriteParameterStatus(writer, name, value);
            PgBackendWriter.WriteBackendKeyData(writer, key.ProcessId, key.SecretKey);
            PgBackendWriter.WriteReadyForQuery(writer, upstream.TransactionStatus);
        }, cancellationToken).ConfigureAwait(false);
        PostgresLog.SessionStarted(_logger, _client.SessionId, _principal.Subject, _client.RemoteEndPoint.ToString(), database);
        return true;
    }

    private async Task<bool> ConnectUpstreamAsync(StartupMessage startup, string database, CancellationToken cancellationToken)
    {
        var target = _client.Listener.Target;
        var extra = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in startup.Parameters)
        {
            if (ForwardedStartupParameters.Contains(name))
                extra[name] = value;
        }

        string? password;
        try
        {
            password = SecretSource.Read(target.PasswordEnv, target.PasswordFile, _client.Services.Config.ResolvePath);
        }
        catch (InvalidOperationException e)
        {
            PostgresLog.UpstreamFailed(_logger, _client.SessionId, e.Message);
            _endReason = "upstream credential unavailable";
            await AuditErrorQuietlyAsync("gateway", "FATAL", UpstreamConnectException.UnableToConnectSqlState, "the gateway's credential for the target is not available").ConfigureAwait(false);
            return await RefuseAsync(UpstreamConnectException.UnableToConnectSqlState, "the gateway cannot connect to the target: its credential for the target is not available (see the gateway log)").ConfigureAwait(false);
        }

        var user = target.Username ?? startup.User ?? "postgres";
        _pool = _handler.PoolFor(target);
        if (_pool is not null)
            _poolKey = UpstreamPoolKey.For(user, database, extra);
        if (_pool?.TryTake(_poolKey) is { } idle)
        {
            _upstream = idle;
            _upstreamLease = idle.Lease;   // this session's lease: read here, before the session ends and hands it on
            PostgresLog.UpstreamReused(_logger, _client.SessionId, idle.ProcessId, idle.Lease);
            _client.Metrics.UpstreamSessionStarted(reused: true);
            return true;
        }
        try
        {
            _upstream = await UpstreamConnector.ConnectAsync(target, user, database, extra, password, cancellationToken).ConfigureAwait(false);
            _pool?.Opened(_upstream);
            _client.Metrics.UpstreamSessionStarted(reused: false);
            return true;
        }
        catch (UpstreamConnectException e)
        {
            PostgresLog.UpstreamFailed(_logger, _client.SessionId, e.Message);
            _endReason = $"upstream connect failed: {e.Message}";
            await AuditErrorQuietlyAsync("target", "FATAL", e.SqlState, e.Message).ConfigureAwait(false);
            // Authentication failures upstream are the gateway's misconfiguration, not the client's: 08001 either way.
            var sqlState = e.ServerMessage is not null && e.SqlState is not ("28P01" or "28000") ? e.SqlState : UpstreamConnectException.UnableToConnectSqlState;
            return await RefuseAsync(sqlState, $"the gateway could not connect to the target: {e.ServerMessage ?? e.Message}").ConfigureAwait(false);
        }
    }

    private JsonObject SessionStartPayload(StartupMessage startup) => new()
    {
        ["client"] = new JsonObject
        {
            ["user"] = startup.User,
            ["database"] = startup.Database,
            ["application_name"] = startup.Parameters.GetValueOrDefault("application_name"),
        },
        ["tls"] = _client.Tls is { } tls
            ? new JsonObject { ["protocol"] = tls.SslProtocol.ToString(), ["cipher"] = tls.NegotiatedCipherSuite.ToString() }
            : null,
        ["token"] = new JsonObject
        {
            ["issuer"] = _principal!.Issuer,
            ["expires"] = _principal.ExpiresAt.ToString("O"),
            ["jti"] = _principal.TokenId,
        },
    };

    /// <summary>
    /// Answers an SSLRequest. Bytes that arrived with the request, before the TLS handshake, would be processed as
    /// if they were encrypted: the connection is closed instead (CVE-2021-3935).
    /// </summary>
    private async Task<bool> NegotiateTlsAsync(bool moreBytesBuffered, CancellationToken cancellationToken)
    {
        if (moreBytesBuffered)
        {
            _endReason = "bytes after SSLRequest before the TLS handshake (CVE-2021-3935)";
            PostgresLog.ProtocolViolation(_logger, _client.SessionId, _endReason);
            // Closed without an answer: anything sent now would be read as the TLS handshake's first bytes.
            Refused(RefusalKind.ProtocolViolation, new PgError(PgSeverity.Fatal, PgProtocolException.ProtocolViolationSqlState, _endReason));
            return false;
        }
        if (_client.IsTls)
            throw new PgProtocolException(PgProtocolViolation.UnexpectedMessage, "SSLRequest inside TLS");
        if (!_client.TlsAvailable)
        {
            await WriteToClientAsync(writer => writer.Write("N"u8), cancellationToken).ConfigureAwait(false);
            return true;
        }
        await WriteToClientAsync(writer => writer.Write("S"u8), cancellationToken).ConfigureAwait(false);
        _tlsHandshaking = true;
        try
        {
            await _client.UpgradeToTlsAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (AuthenticationException e) when (!_client.HandshakeDeadline.IsCancellationRequested)
        {
            // What the client sent after our 'S' was not a TLS handshake we accept; it cannot read a plain-text error.
            _endReason = $"protocol violation: TLS handshake failed: {e.Message}";
            PostgresLog.ProtocolViolation(_logger, _client.SessionId, _endReason);
            Refused(RefusalKind.ProtocolViolation, new PgError(PgSeverity.Fatal, PgProtocolException.ProtocolViolationSqlState, $"TLS handshake failed: {e.Message}"));
            return false;
        }
        _tlsHandshaking = false;
        return true;
    }

    private async Task ForwardCancelAsync(CancelRequest cancel, CancellationToken cancellationToken)
    {
        if (!_handler.CancelKeys.TryResolve(cancel.ProcessId, cancel.SecretKey, out var upstream)
            || !upstream.Upstream.TryClaimCancel(upstream.Lease))
        {
            // Unknown, or its session ended in the meantime (its backend may already serve another client).
            PostgresLog.UnknownCancelKey(_logger, _client.RemoteEndPoint.ToString());
            return;
        }
        try
        {
            await UpstreamCanceller.SendCancelAsync(upstream.Target, upstream.ProcessId, upstream.SecretKey, cancellationToken).ConfigureAwait(false);
            PostgresLog.CancelForwarded(_logger, upstream.SessionId);
        }
        catch (Exception e) when (e is UpstreamConnectException or IOException)
        {
            PostgresLog.UpstreamFailed(_logger, upstream.SessionId, $"cancel: {e.Message}");
        }
    }

    /// <summary>Asks for the password (the token) and reads the PasswordMessage.</summary>
    private async Task<string?> ReadPasswordAsync(CancellationToken cancellationToken)
    {
        await WriteToClientAsync(PgBackendWriter.WriteAuthenticationCleartextPassword, cancellationToken).ConfigureAwait(false);
        while (true)
        {
            var result = await ClientInput.ReadAsync(cancellationToken).ConfigureAwait(false);
            var buffer = result.Buffer;
            var reader = new SequenceReader<byte>(buffer);
            var consumed = buffer.Start;
            var examined = buffer.End;
            try
            {
                // A token is a few KiB at most; cap the message well below the listener's general limit.
                if (PgMessageReader.TryReadFrame(ref reader, 64 * 1024, out var frame))
                {
                    consumed = examined = reader.Position;
                    if (frame.Frontend != FrontendMessageType.Password)
                        throw new PgProtocolException(PgProtocolViolation.UnexpectedMessage, $"expected a password message, got {PgMessageReader.TypeText(frame.Type)}");
                    return PasswordMessage.Decode(frame.Payload).Password;
                }
                if (result.IsCompleted)
                {
                    _endReason = "client closed the connection during authentication";
                    return null;
                }
            }
            finally
            {
                ClientInput.AdvanceTo(consumed, examined);
            }
        }
    }

    private sealed record StartupPacket(StartupRequestKind Kind, StartupMessage Startup, CancelRequest Cancel, bool MoreBytesBuffered);

    private async Task<StartupPacket?> ReadStartupPacketAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var result = await ClientInput.ReadAsync(cancellationToken).ConfigureAwait(false);
            var buffer = result.Buffer;
            var reader = new SequenceReader<byte>(buffer);
            var consumed = buffer.Start;
            var examined = buffer.End;
            try
            {
                if (PgMessageReader.TryReadStartupFrame(ref reader, out var frame))
                {
                    consumed = examined = reader.Position;
                    return frame.Kind switch
                    {
                        StartupRequestKind.Startup => new StartupPacket(frame.Kind, StartupMessage.Decode(frame), default, reader.Remaining > 0),
                        StartupRequestKind.CancelRequest => new StartupPacket(frame.Kind, default, CancelRequest.Decode(frame), reader.Remaining > 0),
                        _ => new StartupPacket(frame.Kind, default, default, reader.Remaining > 0),
                    };
                }
                if (result.IsCompleted)
                    return null;
            }
            finally
            {
                ClientInput.AdvanceTo(consumed, examined);
            }
        }
    }

    /// <summary>Refuses the connection with a FATAL error, as the server would, and reports false.</summary>
    private async Task<bool> RefuseAsync(string sqlState, string message, RefusalKind kind = RefusalKind.StartupRefused)
    {
        if (_endReason == "client closed the connection")
            _endReason = $"refused: {message}";
        var error = new PgError(PgSeverity.Fatal, sqlState, message);
        Refused(kind, error);
        await TrySendFatalAsync(error).ConfigureAwait(false);
        return false;
    }
}
