using System.Net.Sockets;
using Gateway.Core.Sessions;
using Pipelines.Sockets.Unofficial;

namespace Gateway.Tests.Sessions;

/// <summary>
/// A side that stops reading stops the other side after a bounded number of bytes: the gateway does not
/// buffer a client's backlog, nor a result the client is not reading.
/// </summary>
#pragma warning disable CA1001 // the listener is disposed by [TearDown]
public sealed class BackpressureTests
#pragma warning restore CA1001
{
    private const int Chunk = 16 * 1024;

    /// <summary>Slack for the one receive or send in flight when the pipe pauses.</summary>
    private const int InFlight = 16 * 1024;

    private string _stateDir = "";
    private Listener? _listener;

    [SetUp]
    public void CreateStateDir() => _stateDir = TestGateway.TempDirectory();

    [TearDown]
    public async Task Stop()
    {
        if (_listener is not null)
            await _listener.DisposeAsync();
        Directory.Delete(_stateDir, recursive: true);
    }

    [Test]
    public async Task A_client_flooding_a_session_that_does_not_read_is_paused_after_one_message_and_headroom()
    {
        var config = TestGateway.Listener("flooded");
        config.MaxMessageBytes = 1024;
        var handler = new StallingHandler(writeBytes: 0);
        _listener = new Listener(config, handler, TestGateway.Services(TestGateway.Config(_stateDir, config)));
        _listener.Start();

        using var client = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await client.ConnectAsync(_listener.LocalEndPoint!);
        var flood = FloodAsync(client, 64 * 1024 * 1024);
        var socket = await handler.Transport.Task.WaitAsync(LineClient.Patience);

        var received = await WaitUntilStalledAsync(() => socket.BytesRead);
        Assert.That(received, Is.GreaterThanOrEqualTo(config.MaxMessageBytes), "one whole message fits");
        Assert.That(received, Is.LessThanOrEqualTo(config.MaxMessageBytes + SocketPipeOptions.ReceiveHeadroomBytes + InFlight),
            "the socket is no longer read past the pause threshold");
        Assert.That(flood.IsCompleted, Is.False, "the client's writes are held back by TCP");
        client.Dispose();
        await flood.ContinueWith(_ => { }, TaskScheduler.Default);
    }

    [Test]
    public async Task A_session_writing_to_a_client_that_does_not_read_waits_in_FlushAsync()
    {
        var config = TestGateway.Listener("unread");
        var handler = new StallingHandler(writeBytes: 64 * 1024 * 1024);
        _listener = new Listener(config, handler, TestGateway.Services(TestGateway.Config(_stateDir, config)));
        _listener.Start();

        using var client = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await client.ConnectAsync(_listener.LocalEndPoint!);
        var socket = await handler.Transport.Task.WaitAsync(LineClient.Patience);

        var flushed = await WaitUntilStalledAsync(() => Interlocked.Read(ref handler.Flushed));
        Assert.That(flushed - socket.BytesSent, Is.LessThanOrEqualTo(SocketPipeOptions.SendPauseBytes + Chunk + InFlight),
            "what the gateway holds for the client is bounded by the send pipe");
        Assert.That(flushed, Is.LessThan(handler.WriteBytes), "the handler is waiting, not done");
    }

    private static async Task FloodAsync(Socket client, int bytes)
    {
        var chunk = new byte[Chunk];
        try
        {
            for (var sent = 0; sent < bytes; sent += chunk.Length)
                await client.SendAsync(chunk);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // The test closed the socket.
        }
    }

    /// <summary>Waits until a growing counter stops growing (several samples in a row) and returns it.</summary>
    private static async Task<long> WaitUntilStalledAsync(Func<long> counter)
    {
        var deadline = DateTime.UtcNow + LineClient.Patience;
        long last = -1;
        var unchanged = 0;
        while (unchanged < 5)
        {
            if (DateTime.UtcNow > deadline)
                Assert.Fail($"the counter kept growing (now {counter()})");
            await Task.Delay(50);
            var now = counter();
            unchanged = now == last && now > 0 ? unchanged + 1 : 0;
            last = now;
        }
        return last;
    }

    /// <summary>Never reads; optionally writes <see cref="WriteBytes"/> toward the client, counting what each flush accepted.</summary>
    private sealed class StallingHandler(int writeBytes) : IProtocolHandler
    {
        public long Flushed;

        public string Protocol => TestGateway.Protocol;

        public int WriteBytes => writeBytes;

        public TaskCompletionSource<SocketConnection> Transport { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public async Task RunAsync(ClientConnection connection, CancellationToken cancellationToken)
        {
            connection.MarkAuthenticated();
            Transport.SetResult((SocketConnection)connection.Transport);
            var chunk = new byte[Chunk];
            for (var written = 0; written < writeBytes; written += chunk.Length)
            {
                var flush = await connection.Transport.Output.WriteAsync(chunk, cancellationToken);
                if (flush.IsCompleted)
                    return;
                Interlocked.Add(ref Flushed, chunk.Length);
            }
            await Task.Delay(Timeout.InfiniteTimeSpan, cancellationToken);
        }
    }
}
