using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Gateway.Protocols.Postgres.Protocol;
using Gateway.Tests.Postgres.Protocol;

namespace Gateway.Tests.Security;

/// <summary>
/// A scripted fake PostgreSQL server used as the gateway's target, for what a real server will not do on demand:
/// errors without SQLSTATE, rows that disagree with their description, stalls and cuts mid-message, hostile
/// authentication. Every accepted connection runs the <see cref="Script"/> current at accept time; a
/// CancelRequest connection is counted in <see cref="CancelRequests"/> and runs <see cref="OnCancel"/>.
/// Named as a fake on purpose: what a real server can show is tested against the real one.
/// </summary>
internal sealed class FakePgServer : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentBag<Task> _connections = [];
    private readonly ConcurrentBag<TcpClient> _clients = [];
    private readonly Task _accept;
    private int _cancelRequests;

    private FakePgServer()
    {
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        _accept = AcceptLoopAsync();
    }

    public static FakePgServer Start() => new();

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>What the next accepted session connection does.</summary>
    public Func<Peer, Task> Script { get; set; } = peer => peer.HandshakeAsync();

    /// <summary>What a cancel connection does besides being counted (e.g. fail the stalled query).</summary>
    public Func<Task> OnCancel { get; set; } = () => Task.CompletedTask;

    public int CancelRequests => Volatile.Read(ref _cancelRequests);

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }
            _clients.Add(client);
            var script = Script;
            _connections.Add(Task.Run(() => RunAsync(client, script)));
        }
    }

    private async Task RunAsync(TcpClient client, Func<Peer, Task> script)
    {
        using var _ = client;
        client.NoDelay = true;
        var peer = new Peer(this, client.GetStream(), _stop.Token);
        try
        {
            await script(peer);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException or EndOfStreamException)
        {
            // The gateway hung up, which is what most fault scripts provoke.
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        foreach (var client in _clients)
            client.Dispose();
        await _accept;
        await Task.WhenAll(_connections).WaitAsync(TimeSpan.FromSeconds(10));
        _stop.Dispose();
    }

    internal sealed class Peer(FakePgServer server, NetworkStream stream, CancellationToken stopping)
    {
        public static byte[] AuthOk => WireBytes.Frame('R', new WireBytes().Int32(0));
        public static byte[] Ready => WireBytes.Frame('Z', new WireBytes().Char('I'));

        /// <summary>Parameters of the gateway's StartupMessage (user, database, application_name, ...).</summary>
        public Dictionary<string, string> Startup { get; } = [];

        /// <summary>
        /// Answers the gateway's SSLRequest with 'N' and reads its StartupMessage; a CancelRequest connection is
        /// counted and ends here (returns false).
        /// </summary>
        public async Task<bool> ReadStartupAsync()
        {
            while (true)
            {
                var header = await ReadExactlyAsync(8);
                var length = BinaryPrimitives.ReadInt32BigEndian(header);
                var code = BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(4));
                var body = await ReadExactlyAsync(length - 8);
                switch (code)
                {
                    case StartupRequestCodes.SslRequest or StartupRequestCodes.GssEncRequest:
                        await WriteAsync([(byte)'N']);
                        continue;
                    case StartupRequestCodes.CancelRequest:
                        Interlocked.Increment(ref server._cancelRequests);
                        await server.OnCancel();
                        return false;
                }
                var parts = Encoding.UTF8.GetString(body).Split('\0');
                for (var i = 0; i + 1 < parts.Length && parts[i].Length > 0; i += 2)
                    Startup[parts[i]] = parts[i + 1];
                return true;
            }
        }

        /// <summary>Reads the gateway's SSLRequest without answering it.</summary>
        public async Task ReadSslRequestAsync()
        {
            var header = await ReadExactlyAsync(8);
            if (BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(4)) != StartupRequestCodes.SslRequest)
                throw new InvalidDataException("expected an SSLRequest");
        }

        /// <summary>The whole trust-auth startup: AuthenticationOk, parameters, BackendKeyData, ReadyForQuery.</summary>
        public async Task<bool> HandshakeAsync()
        {
            if (!await ReadStartupAsync())
                return false;
            await WriteAsync(AuthOk,
                ParameterStatus("server_version", "15.0 (fake)"), ParameterStatus("client_encoding", "UTF8"),
                ParameterStatus("server_encoding", "UTF8"), ParameterStatus("standard_conforming_strings", "on"),
                ParameterStatus("DateStyle", "ISO, MDY"), ParameterStatus("integer_datetimes", "on"),
                WireBytes.Frame('K', new WireBytes().Int32(4242).Int32(99)), Ready);
            return true;
        }

        /// <summary>Reads a typed message; returns its type and body.</summary>
        public async Task<(char Type, byte[] Body)> ReadMessageAsync()
        {
            var header = await ReadExactlyAsync(5);
            var length = BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(1));
            return ((char)header[0], await ReadExactlyAsync(length - 4));
        }

        /// <summary>
        /// What the gateway does within <paramref name="wait"/>: the type of a message it sends, 'closed' when it closes
        /// the connection, or null when it stays connected and silent.
        /// </summary>
        public async Task<string?> NextWithinAsync(TimeSpan wait)
        {
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(stopping);
            deadline.CancelAfter(wait);
            var first = new byte[1];
            try
            {
                return await stream.ReadAsync(first, deadline.Token) == 0 ? "closed" : ((char)first[0]).ToString();
            }
            catch (OperationCanceledException) when (!stopping.IsCancellationRequested)
            {
                return null;
            }
        }

        /// <summary>Reads messages until a simple Query arrives; returns its SQL.</summary>
        public async Task<string> ReadQueryAsync()
        {
            while (true)
            {
                var (type, body) = await ReadMessageAsync();
                if (type == 'Q')
                    return Encoding.UTF8.GetString(body, 0, body.Length - 1);
                if (type == 'X')
                    throw new EndOfStreamException("the gateway sent Terminate");
            }
        }

        /// <summary>Answers a Query like a server would: one text column per value, one row.</summary>
        public Task AnswerRowAsync(params string[] values) =>
            WriteAsync(RowDescription(values.Select((_, i) => $"c{i}").ToArray()), DataRow(values), CommandComplete("SELECT 1"), Ready);

        public async Task WriteAsync(params byte[][] chunks)
        {
            // One write for all chunks, so "in one segment" means what it says.
            await stream.WriteAsync(chunks.SelectMany(c => c).ToArray(), stopping);
            await stream.FlushAsync(stopping);
        }

        /// <summary>Waits until the gateway closes its side (or the server stops).</summary>
        public async Task WaitForCloseAsync()
        {
            var buffer = new byte[4096];
            while (await stream.ReadAsync(buffer, stopping) > 0)
            {
            }
        }

        /// <summary>Keeps the connection open and silent, as a stalled backend, until the gateway leaves.</summary>
        public Task StallAsync() => WaitForCloseAsync();

        private async Task<byte[]> ReadExactlyAsync(int count)
        {
            var buffer = new byte[count];
            await stream.ReadExactlyAsync(buffer, stopping);
            return buffer;
        }
    }

    public static byte[] ParameterStatus(string name, string value) => WireBytes.Frame('S', new WireBytes().CString(name).CString(value));

    public static byte[] RowDescription(params string[] names)
    {
        var body = new WireBytes().Int16((short)names.Length);
        foreach (var name in names)
            body.CString(name).Int32(0).Int16(0).Int32(25).Int16(-1).Int32(-1).Int16(0);
        return WireBytes.Frame('T', body);
    }

    public static byte[] DataRow(params string?[] values)
    {
        var body = new WireBytes().Int16((short)values.Length);
        foreach (var value in values)
            body.Value(value);
        return WireBytes.Frame('D', body);
    }

    public static byte[] CommandComplete(string tag) => WireBytes.Frame('C', new WireBytes().CString(tag));

    /// <summary>An ErrorResponse with exactly the fields given (code letter, value).</summary>
    public static byte[] Error(params (char Code, string Value)[] fields)
    {
        var body = new WireBytes();
        foreach (var (code, value) in fields)
            body.Char(code).CString(value);
        body.Byte(0);
        return WireBytes.Frame('E', body);
    }
}
