using System.Net;
using System.Net.Sockets;
using Pipelines.Sockets.Unofficial;

namespace Gateway.Core.Sessions;

public sealed partial class Listener
{
    /// <summary>After an accept error (e.g. out of file descriptors), wait this long so the loop does not spin.</summary>
    private static readonly TimeSpan AcceptRetryDelay = TimeSpan.FromMilliseconds(100);

    private async Task AcceptLoopAsync()
    {
        var stopping = _stopAccepting.Token;
        while (!stopping.IsCancellationRequested)
        {
            Socket accepted;
            try
            {
                accepted = await _socket!.AcceptAsync(stopping).ConfigureAwait(false);
            }
            catch (Exception e) when (stopping.IsCancellationRequested && e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                break;
            }
            catch (SocketException e)
            {
                ListenerLog.AcceptFailed(_logger, _config.Name, e.SocketErrorCode.ToString());
                try
                {
                    await Task.Delay(AcceptRetryDelay, _services.Time, stopping).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
                continue;
            }
            Admit(accepted);
        }
    }

    /// <summary>Takes the socket into a session, or refuses it; never blocks the accept loop.</summary>
    private void Admit(Socket socket)
    {
        IPEndPoint remote;
        try
        {
            remote = (IPEndPoint)socket.RemoteEndPoint!;
        }
        catch (SocketException)
        {
            socket.Dispose(); // the client left between accept and here
            return;
        }

        var address = ConnectionCaps.KeyOf(remote.Address);
        var refusal = RefusalReason.Draining;
        bool admitted;
        lock (_stateLock)
        {
            admitted = _accepting && !_draining.IsCancellationRequested && _caps.TryAcquire(address, out refusal);
            if (admitted)
                _running++;
        }
        if (!admitted)
        {
            Refuse(socket, remote, refusal);
            return;
        }

        _metrics.ConnectionAccepted();
        _ = Task.Run(() => RunSessionAsync(socket, remote, address));
    }

    private void Refuse(Socket socket, IPEndPoint remote, RefusalReason reason)
    {
        _metrics.ConnectionRefused(reason);
        var message = RefusalMessage(reason, remote.Address);
        ListenerLog.Refused(_logger, _config.Name, remote, message);

        if (_handler is not IConnectionRefusal refusal)
        {
            socket.Dispose();
            return;
        }
        if (Interlocked.Increment(ref _refusalsInFlight) > _options.MaxConcurrentRefusals)
        {
            Interlocked.Decrement(ref _refusalsInFlight);
            socket.Dispose();
            return;
        }
        _ = Task.Run(() => RefuseAsync(refusal, socket, remote, message));
    }

    private async Task RefuseAsync(IConnectionRefusal refusal, Socket socket, IPEndPoint remote, string message)
    {
        var connection = SocketConnection.Create(socket, SocketPipeOptions.Refusal, SocketPipeOptions.Refusal, name: "refusal");
        try
        {
            await refusal.RefuseAsync(connection, message).AsTask().WaitAsync(_options.RefusalTimeout, _services.Time).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            ListenerLog.RefusalFailed(_logger, e, remote);
        }
        finally
        {
            var linger = _options.RefusalTimeout < _options.CloseLinger ? _options.RefusalTimeout : _options.CloseLinger;
            await LingerAsync(connection, linger, _abort.Token).ConfigureAwait(false);
            connection.Dispose();
            Interlocked.Decrement(ref _refusalsInFlight);
        }
    }

    private string RefusalMessage(RefusalReason reason, IPAddress address) => reason switch
    {
        RefusalReason.MaxConnections => $"too many connections to listener {_config.Name} (max_connections {_config.MaxConnections})",
        RefusalReason.MaxConnectionsPerIp => $"too many connections from {address} (max_connections_per_ip {_config.MaxConnectionsPerIp})",
        _ => "the gateway is shutting down",
    };
}
