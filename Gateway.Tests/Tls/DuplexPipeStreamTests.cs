using System.IO.Pipelines;
using Gateway.Core.Tls;

namespace Gateway.Tests.Tls;

/// <summary>
/// A TLS handshake's reads hop off the thread that completed them: the gateway's socket pipes complete reads
/// inline on the socket threads, and the handshake's crypto runs in the read's continuation.
/// </summary>
public sealed class DuplexPipeStreamTests
{
    [TestCase(true, ExpectedResult = true)]
    [TestCase(false, ExpectedResult = false)]
    public async Task<bool> A_read_continues_on_the_thread_pool_only_while_offloading(bool offload)
    {
        // Inline schedulers, as the socket pipes: the writer's flush runs the reader's continuation itself.
        var pipe = new Pipe(new PipeOptions(readerScheduler: PipeScheduler.Inline, writerScheduler: PipeScheduler.Inline,
            useSynchronizationContext: false));
        var stream = new DuplexPipeStream(new Duplex(pipe.Reader, pipe.Writer)) { OffloadReads = offload };

        var reading = ReadAndSayWhereAsync(stream);
        var writer = new Thread(() => pipe.Writer.WriteAsync(new byte[] { 42 }).AsTask().GetAwaiter().GetResult()) { Name = "socket-like" };
        writer.Start();
        writer.Join();

        var (read, onThreadPool, threadName) = await reading;
        Assert.That(read, Is.EqualTo(1));
        if (!offload)
            Assert.That(threadName, Is.EqualTo("socket-like"), "without offloading the read continues on the completing thread");
        return onThreadPool;
    }

    private static async Task<(int Read, bool OnThreadPool, string? ThreadName)> ReadAndSayWhereAsync(Stream stream)
    {
        var buffer = new byte[16];
        var read = await stream.ReadAsync(buffer).ConfigureAwait(false);
        return (read, Thread.CurrentThread.IsThreadPoolThread, Thread.CurrentThread.Name);
    }

    private sealed class Duplex(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input => input;
        public PipeWriter Output => output;
    }
}
