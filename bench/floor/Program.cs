// bench pg -Floor: a forwarder that does nothing but copy bytes between a client and PostgreSQL, on the gateway's
// own socket stack (Pipelines.Sockets.Unofficial, inline pipe and socket completions, one socket thread per two
// cores, zero-length reads upstream). No parsing, no policy, no frame log: what it costs per transaction is the
// floor under anything built on this stack, so the gateway's distance to it is what its inspection costs, and the
// floor's distance to pgbouncer is what the runtime costs. It keeps no server connections (a new one per client),
// so for connection-per-transaction workloads it is no floor. Not part of the product.
//
// usage: gateway-floor LISTEN_PORT UPSTREAM_PORT   (both on 127.0.0.1; prints "listening" once it accepts)
using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using Gateway.Host.Hosting;
using Pipelines.Sockets.Unofficial;

SocketEngineSettings.Apply();
var listenPort = int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture);
var upstream = new IPEndPoint(IPAddress.Loopback, int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture));

// As the gateway's pipes (Gateway.Core SocketPipeOptions toward the client, UpstreamChannel toward the server).
var clientPipe = new PipeOptions(
    pauseWriterThreshold: 64 * 1024, resumeWriterThreshold: 32 * 1024, minimumSegmentSize: 4096,
    readerScheduler: PipeScheduler.Inline, writerScheduler: PipeScheduler.Inline, useSynchronizationContext: false);
var serverPipe = new PipeOptions(
    pauseWriterThreshold: 1024 * 1024, resumeWriterThreshold: 512 * 1024, minimumSegmentSize: 16 * 1024,
    readerScheduler: PipeScheduler.Inline, writerScheduler: PipeScheduler.Inline, useSynchronizationContext: false);

using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
listener.Bind(new IPEndPoint(IPAddress.Loopback, listenPort));
listener.Listen(512);
Console.WriteLine("listening");
while (true)
{
    var client = await listener.AcceptAsync().ConfigureAwait(false);
    _ = ForwardAsync(client);
}

async Task ForwardAsync(Socket client)
{
    using var server = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
    SocketConnection.SetRecommendedServerOptions(client);
    try
    {
        await server.ConnectAsync(upstream).ConfigureAwait(false);
        using var fromClient = SocketConnection.Create(client, clientPipe, clientPipe, SocketConnectionOptions.ZeroLengthReads, "client");
        using var toServer = SocketConnection.Create(server, serverPipe, serverPipe, SocketConnectionOptions.ZeroLengthReads, "server");
        await Task.WhenAny(CopyAsync(fromClient.Input, toServer.Output), CopyAsync(toServer.Input, fromClient.Output)).ConfigureAwait(false);
    }
    catch (SocketException)
    {
        // The client or the server went away: this connection ends, the others go on.
    }
    finally
    {
        client.Dispose();
    }
}

static async Task CopyAsync(PipeReader from, PipeWriter to)
{
    while (true)
    {
        var read = await from.ReadAsync().ConfigureAwait(false);
        foreach (var segment in read.Buffer)
            to.Write(segment.Span);
        from.AdvanceTo(read.Buffer.End);
        var flushed = await to.FlushAsync().ConfigureAwait(false);
        if (read.IsCompleted || flushed.IsCompleted)
            return;
    }
}
