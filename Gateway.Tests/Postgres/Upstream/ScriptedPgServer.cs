using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Gateway.Tests.Postgres.Upstream;

/// <summary>
/// A scripted fake PostgreSQL server for what a real one will not do on demand (answer SSLRequest with extra
/// bytes, skip SASLFinal, forge a server signature, ...). It accepts one connection and runs the script; the
/// script speaks raw protocol 3.0 bytes. Named as a fake on purpose: behaviour that a real server can show is
/// tested against the real fixture instead.
/// </summary>
internal sealed class ScriptedPgServer : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly Task _run;

    private ScriptedPgServer(Func<Peer, Task> script)
    {
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        _run = RunAsync(script);
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public static ScriptedPgServer Start(Func<Peer, Task> script) => new(script);

    private async Task RunAsync(Func<Peer, Task> script)
    {
        using var client = await _listener.AcceptTcpClientAsync();
        await using var stream = client.GetStream();
        try
        {
            await script(new Peer(stream));
        }
        catch (IOException)
        {
            // The client under test hung up first, which is what most fault scripts provoke.
        }
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        try
        {
            await _run.WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (SocketException)
        {
            // Never accepted: the client failed before connecting.
        }
        catch (ObjectDisposedException)
        {
        }
    }

    internal sealed class Peer(NetworkStream stream)
    {
        /// <summary>Reads an untyped startup packet; returns its request code and body.</summary>
        public async Task<(int Code, byte[] Body)> ReadStartupAsync()
        {
            var header = await ReadExactlyAsync(8);
            var length = BinaryPrimitives.ReadInt32BigEndian(header);
            var code = BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(4));
            return (code, await ReadExactlyAsync(length - 8));
        }

        /// <summary>Reads a typed message; returns its type and body.</summary>
        public async Task<(char Type, byte[] Body)> ReadMessageAsync()
        {
            var header = await ReadExactlyAsync(5);
            var length = BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(1));
            return ((char)header[0], await ReadExactlyAsync(length - 4));
        }

        public async Task WriteAsync(params byte[][] chunks)
        {
            foreach (var chunk in chunks)
                await stream.WriteAsync(chunk);
            await stream.FlushAsync();
        }

        /// <summary>Waits for the client to close its side.</summary>
        public async Task WaitForCloseAsync()
        {
            var buffer = new byte[256];
            while (await stream.ReadAsync(buffer) > 0)
            {
            }
        }

        private async Task<byte[]> ReadExactlyAsync(int count)
        {
            var buffer = new byte[count];
            await stream.ReadExactlyAsync(buffer);
            return buffer;
        }
    }
}
