using System.Buffers.Binary;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Text;
using Gateway.Tests.Postgres.Protocol;

namespace Gateway.Tests.Security;

/// <summary>
/// A hostile PostgreSQL client on a raw socket: it writes whatever bytes a test gives it, in whatever pieces,
/// and reads back the gateway's backend messages. <see cref="AuthenticateAsync"/> does an honest startup first
/// (TLS, token as password) for the post-authentication vectors.
/// </summary>
internal sealed class RawPgClient : IAsyncDisposable
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(15);

    /// <summary>Sends a CancelRequest on a connection of its own, as libpq does.</summary>
    public static async Task CancelAsync(int port, BackendMessage keyData)
    {
        await using var canceller = await ConnectAsync(port);
        await canceller.WriteAsync([.. new WireBytes().Int32(16).Int32(Gateway.Protocols.Postgres.Protocol.StartupRequestCodes.CancelRequest).ToArray(), .. keyData.Body]);
        await canceller.ReadUntilClosedAsync();
    }

    private readonly Socket _socket;
    private Stream _stream;

    private RawPgClient(Socket socket)
    {
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: false);
    }

    /// <summary>Connects to 127.0.0.1:<paramref name="port"/>, optionally from another loopback address.</summary>
    public static async Task<RawPgClient> ConnectAsync(int port, IPAddress? from = null)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            if (from is not null)
                socket.Bind(new IPEndPoint(from, 0));
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port));
            return new RawPgClient(socket);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public Socket Socket => _socket;

    /// <summary>The BackendKeyData the gateway handed out at startup (its own key, not the target's).</summary>
    public BackendMessage? KeyData { get; private set; }

    /// <summary>Writes the bytes; with <paramref name="pieceLength"/>, one write (and TCP segment) per piece.</summary>
    public async Task WriteAsync(byte[] bytes, int pieceLength = 0)
    {
        if (pieceLength <= 0)
        {
            await _stream.WriteAsync(bytes);
            await _stream.FlushAsync();
            return;
        }
        for (var offset = 0; offset < bytes.Length; offset += pieceLength)
        {
            await _stream.WriteAsync(bytes.AsMemory(offset, Math.Min(pieceLength, bytes.Length - offset)));
            await _stream.FlushAsync();
            await Task.Delay(1);
        }
    }

    /// <summary>SSLRequest, expect 'S', then a TLS handshake that trusts the gateway's self-signed certificate.</summary>
    public async Task StartTlsAsync()
    {
        await WriteAsync(HostileFrames.SslRequest());
        await StartTlsAfterRequestAsync();
    }

    /// <summary>Expects 'S' to an SSLRequest already sent, then does the TLS handshake.</summary>
    public async Task StartTlsAfterRequestAsync()
    {
        var answer = new byte[1];
        await _stream.ReadExactlyAsync(answer);
        if (answer[0] != (byte)'S')
            throw new InvalidOperationException($"the gateway answered SSLRequest with '{(char)answer[0]}'");
        // The gateway's tls: auto certificate is self-signed; what is under test here is the gateway, not its certificate.
#pragma warning disable CA5359
        var tls = new SslStream(_stream, leaveInnerStreamOpen: false, (_, _, _, _) => true);
#pragma warning restore CA5359
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = "localhost" });
        _stream = tls;
    }

    /// <summary>TLS, StartupMessage, the token as password, then everything up to the first ReadyForQuery (returned).</summary>
    public async Task<List<BackendMessage>> AuthenticateAsync(string token, string user = "agent-007", string database = "postgres", string applicationName = "raw")
    {
        await StartTlsAsync();
        await WriteAsync(HostileFrames.Startup(("user", user), ("database", database), ("application_name", applicationName)));
        var request = await ReadMessageAsync();
        if (request is not { Type: 'R' })
            throw new InvalidOperationException($"expected an authentication request, got {request}");
        await WriteAsync(WireBytes.Frame('p', new WireBytes().CString(token)));
        var messages = new List<BackendMessage>();
        while (true)
        {
            var message = await ReadMessageAsync() ?? throw new InvalidOperationException("closed during authentication");
            if (message.Type == 'E')
                throw new InvalidOperationException($"authentication failed: {message}");
            messages.Add(message);
            if (message.Type == 'K')
                KeyData = message;
            if (message.Type == 'Z')
                return messages;
        }
    }

    /// <summary>The next backend message, or null when the gateway closed the connection.</summary>
    public async Task<BackendMessage?> ReadMessageAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? DefaultTimeout);
        var header = new byte[5];
        try
        {
            if (!await ReadFullyAsync(header, cts.Token))
                return null;
            var length = BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(1));
            if (length is < 4 or > 64 * 1024 * 1024)
                throw new InvalidDataException($"the gateway sent '{(char)header[0]}' with length {length}");
            var body = new byte[length - 4];
            if (!await ReadFullyAsync(body, cts.Token))
                return null;
            return new BackendMessage((char)header[0], body);
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
        {
            return null; // a reset is a close too
        }
    }

    /// <summary>Reads until the gateway closes the connection; fails the test if that takes longer than the timeout.</summary>
    public async Task<List<BackendMessage>> ReadUntilClosedAsync(TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? DefaultTimeout);
        var messages = new List<BackendMessage>();
        while (true)
        {
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero)
                throw new TimeoutException($"the gateway kept the connection open; read so far: {string.Join(", ", messages)}");
            BackendMessage? message;
            try
            {
                message = await ReadMessageAsync(left);
            }
            catch (OperationCanceledException)
            {
                continue;
            }
            if (message is null)
                return messages;
            messages.Add(message);
        }
    }

    /// <summary>Every byte until the gateway closes the connection, unparsed (e.g. after an 'S' with no TLS handshake).</summary>
    public async Task<byte[]> ReadBytesUntilClosedAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        var bytes = new MemoryStream();
        var buffer = new byte[4096];
        try
        {
            int n;
            while ((n = await _stream.ReadAsync(buffer, cts.Token)) > 0)
                bytes.Write(buffer, 0, n);
        }
        catch (Exception e) when (e is IOException or SocketException)
        {
            // A reset is a close too.
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"the gateway kept the connection open ({bytes.Length} bytes so far)");
        }
        return bytes.ToArray();
    }

    /// <summary>Sends the messages in one write, then reads up to ReadyForQuery.</summary>
    public async Task<List<BackendMessage>> RoundTripAsync(params byte[][] messages)
    {
        await WriteAsync([.. messages.SelectMany(m => m)]);
        return await ReadUntilReadyAsync();
    }

    /// <summary>The first column of each DataRow among <paramref name="messages"/>, as text.</summary>
    public static string[] FirstColumns(IEnumerable<BackendMessage> messages) => [.. messages.Where(m => m.Type == 'D').Select(row =>
    {
        var length = System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(row.Body.AsSpan(2));
        return Encoding.UTF8.GetString(row.Body, 6, length);
    })];

    /// <summary>Reads until ReadyForQuery (or close); the messages before it.</summary>
    public async Task<List<BackendMessage>> ReadUntilReadyAsync()
    {
        var messages = new List<BackendMessage>();
        while (await ReadMessageAsync() is { } message)
        {
            messages.Add(message);
            if (message.Type == 'K')
                KeyData = message;
            if (message.Type == 'Z')
                break;
        }
        return messages;
    }

    private async Task<bool> ReadFullyAsync(byte[] buffer, CancellationToken cancellationToken)
    {
        var read = 0;
        while (read < buffer.Length)
        {
            var n = await _stream.ReadAsync(buffer.AsMemory(read), cancellationToken);
            if (n == 0)
                return false;
            read += n;
        }
        return true;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await _stream.DisposeAsync();
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
        {
            // Already reset by the gateway.
        }
        _socket.Dispose();
    }
}

/// <summary>One backend message as a raw client sees it.</summary>
internal sealed record BackendMessage(char Type, byte[] Body)
{
    /// <summary>ErrorResponse/NoticeResponse fields by their one-letter code (S, C, M, D, H, ...).</summary>
    public IReadOnlyDictionary<char, string> Fields
    {
        get
        {
            var fields = new Dictionary<char, string>();
            var offset = 0;
            while (offset < Body.Length && Body[offset] != 0)
            {
                var code = (char)Body[offset++];
                var end = Array.IndexOf(Body, (byte)0, offset);
                if (end < 0)
                    break;
                fields[code] = Encoding.UTF8.GetString(Body, offset, end - offset);
                offset = end + 1;
            }
            return fields;
        }
    }

    public string? SqlState => Fields.GetValueOrDefault('C');

    public string? Severity => Fields.GetValueOrDefault('V') ?? Fields.GetValueOrDefault('S');

    public string? Text => Fields.GetValueOrDefault('M');

    public override string ToString() => Type is 'E' or 'N'
        ? $"{Type}({Severity} {SqlState} {Text})"
        : $"{Type}({Body.Length} bytes)";
}
