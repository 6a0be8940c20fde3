using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using System.Security.Authentication;
using Pipelines.Sockets.Unofficial;

namespace Gateway.Core.Sessions;

public sealed partial class Listener
{
    /// <summary>
    /// One session from admission to the last byte. Whatever the handler does, the socket is closed and the
    /// caps are released here, and nothing it throws leaves this method: one session's failure never touches
    /// another.
    /// </summary>
    private async Task RunSessionAsync(Socket socket, IPEndPoint remote, IPAddress capKey)
    {
        var sessionId = SessionIds.New();
        _metrics.SessionStarted();
        using var session = CancellationTokenSource.CreateLinkedTokenSource(_abort.Token);
        SocketConnection? connection = null;
        ClientConnection? client = null;
        HandshakeWatch? watch = null;
        using var scope = _logger.BeginScope(new SessionScope(sessionId, _config.Name, remote));
        try
        {
            SocketConnection.SetRecommendedServerOptions(socket);
            connection = SocketConnection.Create(socket, SocketPipeOptions.Send, _receiveOptions,
                SocketConnectionOptions.ZeroLengthReads, name: sessionId);
            client = new ClientConnection(sessionId, _config, remote, connection, _services, _tlsUpgrade, _draining.Token);

            // An aborted session loses its socket too, so a handler blocked in a read without the token still returns.
            using var abortSocket = session.Token.UnsafeRegister(static state => ((SocketConnection)state!).Dispose(), connection);
            watch = new HandshakeWatch(this, client, session);
            using var deadline = client.HandshakeDeadline.UnsafeRegister(static state => ((HandshakeWatch)state!).Expire(), watch);

            ListenerLog.SessionStarted(_logger);
            await _handler.RunAsync(client, session.Token).ConfigureAwait(false);
            ListenerLog.SessionEnded(_logger);
        }
        catch (Exception) when (session.IsCancellationRequested)
        {
            ListenerLog.SessionAborted(_logger);
        }
        catch (OperationCanceledException) when (client is { IsAuthenticated: false } && client.HandshakeDeadline.IsCancellationRequested)
        {
            // The handler gave up at the handshake deadline, as it should; already logged and counted by the watch.
        }
        catch (Exception e) when (e is IOException or SocketException or ConnectionResetException or ConnectionAbortedException
                                      or AuthenticationException)
        {
            ListenerLog.SessionTransportError(_logger, e.Message);
        }
        catch (Exception e)
        {
            _metrics.SessionFailed();
            ListenerLog.SessionFailed(_logger, e);
        }
        finally
        {
            // With inline pipe continuations a handler can end inside the deadline's own cancellation, before the
            // watch's callback ran (and the registration is gone then): expire here too (it counts only once).
            if (client is not null && client.HandshakeDeadline.IsCancellationRequested)
                watch?.Expire();
            try
            {
                var linger = session.IsCancellationRequested ? TimeSpan.Zero : _options.CloseLinger;
                await CloseAsync(socket, connection, client, linger, session.Token).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                ListenerLog.CloseFailed(_logger, e);
            }
            finally
            {
                _caps.Release(capKey);
                _metrics.SessionEnded();
                SessionFinished();
            }
        }
    }

    private void SessionFinished()
    {
        lock (_stateLock)
        {
            _running--;
            if (_running == 0 && !_accepting)
                _idle.TrySetResult();
        }
    }

    private static async Task CloseAsync(
        Socket socket, SocketConnection? connection, ClientConnection? client, TimeSpan linger, CancellationToken aborted)
    {
        try
        {
            if (client is not null)
                await client.ReleaseAsync(linger).ConfigureAwait(false);
            if (connection is not null)
                await LingerAsync(connection, linger, aborted).ConfigureAwait(false);
        }
        finally
        {
            if (connection is not null)
                connection.Dispose();
            else
                socket.Dispose();
        }
    }

    /// <summary>
    /// A lingering close: complete our side (the send loop delivers what is queued, then sends FIN), then read
    /// and discard until the client closes or <paramref name="linger"/> passes. Closing a socket with unread
    /// input makes the kernel send a reset, which can destroy a final error message before the client reads it.
    /// An abort (<paramref name="aborted"/>) cuts the linger short.
    /// </summary>
    private static async Task LingerAsync(IDuplexPipe connection, TimeSpan linger, CancellationToken aborted = default)
    {
        try
        {
            await connection.Output.CompleteAsync().ConfigureAwait(false);
        }
        catch (InvalidOperationException)
        {
            // The handler already completed it.
        }
        if (linger <= TimeSpan.Zero)
            return;

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(aborted);
        timeout.CancelAfter(linger);
        try
        {
            while (true)
            {
                var result = await connection.Input.ReadAsync(timeout.Token).ConfigureAwait(false);
                connection.Input.AdvanceTo(result.Buffer.End);
                // A cancelled read is a handler's leftover (it stops its own read loop that way), not the end of input.
                if (result.IsCompleted)
                    break;
            }
        }
        catch (Exception e) when (e is OperationCanceledException or InvalidOperationException or IOException
                                      or SocketException or ConnectionResetException or ConnectionAbortedException)
        {
            // Linger over, the handler completed the reader, or the client is gone: close now.
        }
    }

    /// <summary>What the handshake deadline needs, in one allocation per session.</summary>
    private sealed class HandshakeWatch(Listener listener, ClientConnection client, CancellationTokenSource session)
    {
        public void Expire()
        {
            if (!client.TryExpireHandshake())
                return;
            listener._metrics.HandshakeTimedOut();
            ListenerLog.HandshakeTimedOut(listener._logger, client.SessionId, listener._config.HandshakeTimeout);
            try
            {
                session.CancelAfter(listener._options.HandshakeGrace);
            }
            catch (ObjectDisposedException)
            {
                // The session ended as the deadline fired.
            }
        }
    }
}
