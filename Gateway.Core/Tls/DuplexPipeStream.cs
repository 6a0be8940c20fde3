using System.IO.Pipelines;

namespace Gateway.Core.Tls;

/// <summary>
/// A <see cref="Stream"/> over a duplex pipe, for <see cref="System.Net.Security.SslStream"/> to run on top of a
/// socket pipe. Reads and writes go straight to the pipe's reader and writer (the framework's adapters, which
/// honour zero-byte reads, so an idle TLS session holds no read buffer). Disposing it leaves the pipe open: the
/// pipe's owner (the listener, or an upstream connector) closes the socket.
/// </summary>
internal sealed class DuplexPipeStream(IDuplexPipe pipe) : Stream
{
    private readonly Stream _input = pipe.Input.AsStream(leaveOpen: true);
    private readonly Stream _output = pipe.Output.AsStream(leaveOpen: true);

    public override bool CanRead => true;
    public override bool CanWrite => true;
    public override bool CanSeek => false;
    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    /// <summary>
    /// While set (during a handshake), a read's completion hops to the thread pool before the caller continues.
    /// The gateway's socket pipes complete reads inline on the socket engine's threads (one per two cores), and a
    /// TLS handshake's key exchange and signature run in the continuation of its reads: on a socket thread, a
    /// burst of handshakes would hold up every established session on that thread. Data reads after the
    /// handshake stay inline.
    /// </summary>
    public bool OffloadReads { get; set; }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        OffloadReads ? ReadThenYieldAsync(buffer, cancellationToken) : _input.ReadAsync(buffer, cancellationToken);

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    private async ValueTask<int> ReadThenYieldAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        var read = await _input.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        await Task.Yield(); // no synchronisation context here: the rest runs on the thread pool
        return read;
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) =>
        _output.WriteAsync(buffer, cancellationToken);

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        _output.WriteAsync(buffer, offset, count, cancellationToken);

    public override Task FlushAsync(CancellationToken cancellationToken) => _output.FlushAsync(cancellationToken);

    // The gateway is async only; SslStream never calls these on an async path.
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("synchronous read");
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException("synchronous write");
    public override void Flush() => throw new NotSupportedException("synchronous flush");
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
}
