using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Text;

namespace Gateway.Tests.Sessions;

/// <summary>A real TCP client speaking the echo line protocol, optionally over TLS.</summary>
internal sealed class LineClient : IAsyncDisposable
{
    /// <summary>Upper bound on any single wait, so a broken server fails the test instead of hanging it.</summary>
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);

    private Stream _stream;
    private StreamReader _reader;

    private LineClient(Stream stream)
    {
        _stream = stream;
        _reader = new StreamReader(stream, Encoding.UTF8, false, 1024, leaveOpen: true);
    }

    public SslStream? Tls => _stream as SslStream;

    public static async Task<LineClient> ConnectAsync(IPEndPoint server, IPAddress? from = null)
    {
        var socket = new Socket(server.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            if (from is not null)
                socket.Bind(new IPEndPoint(from, 0));
            using var timeout = new CancellationTokenSource(Patience);
            await socket.ConnectAsync(server, timeout.Token);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
        return new LineClient(new NetworkStream(socket, ownsSocket: true));
    }

    /// <summary>Runs a TLS client handshake; <paramref name="validate"/> decides whether the server certificate is accepted.</summary>
    public async Task StartTlsAsync(RemoteCertificateValidationCallback validate)
    {
        var ssl = new SslStream(_stream, leaveInnerStreamOpen: false, validate);
        using var timeout = new CancellationTokenSource(Patience);
        await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = "localhost" }, timeout.Token);
        _stream = ssl;
        _reader = new StreamReader(ssl, Encoding.UTF8, false, 1024, leaveOpen: true);
    }

    public async Task SendAsync(string line)
    {
        await _stream.WriteAsync(Encoding.UTF8.GetBytes(line + "\n"));
        await _stream.FlushAsync();
    }

    /// <summary>The next line, or null when the server closed the connection.</summary>
    public async Task<string?> ReadLineAsync()
    {
        using var timeout = new CancellationTokenSource(Patience);
        try
        {
            return await _reader.ReadLineAsync(timeout.Token);
        }
        catch (IOException)
        {
            return null; // reset by the server
        }
    }

    public async Task<string?> EchoAsync(string line)
    {
        await SendAsync(line);
        return await ReadLineAsync();
    }

    /// <summary>
    /// True once the server has closed the connection (end of stream or reset); waits at most <see cref="Patience"/>.
    /// Then closes this side too, as real clients do on end of stream.
    /// </summary>
    public async Task<bool> WaitForServerCloseAsync()
    {
        var buffer = new byte[256];
        using var timeout = new CancellationTokenSource(Patience);
        try
        {
            while (await _stream.ReadAsync(buffer, timeout.Token) > 0)
            {
            }
        }
        catch (IOException)
        {
            // reset by the server: closed as well
        }
        catch (OperationCanceledException)
        {
            return false;
        }
        await _stream.DisposeAsync();
        return true;
    }

    public async ValueTask DisposeAsync()
    {
        _reader.Dispose();
        await _stream.DisposeAsync();
    }
}
