using System.IO.Pipelines;

namespace Gateway.Protocols.Postgres.Upstream;

/// <summary>
/// A duplex pipe seen as a <see cref="Stream"/> (for <see cref="System.Net.Security.SslStream"/>): reads come from
/// <see cref="IDuplexPipe.Input"/>, writes go to <see cref="IDuplexPipe.Output"/>, both through the BCL's own
/// pipe-to-stream adapters. Async only; disposing completes both pipe ends.
/// </summary>
internal sealed class DuplexPipeStream(IDuplexPipe pipe) : Stream
{
    private readonly Stream _input = pipe.Input.AsStream(leaveOpen: false);
    private readonly Stream _output = pipe.Output.AsStream(leaveOpen: false);

    public override bool CanRead => true;
    public override bool CanWrite => true;
    public override bool CanSeek => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        _input.ReadAsync(buffer, cancellationToken);

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        _input.ReadAsync(buffer, offset, count, cancellationToken);

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) =>
        _output.WriteAsync(buffer, cancellationToken);

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        _output.WriteAsync(buffer, offset, count, cancellationToken);

    public override Task FlushAsync(CancellationToken cancellationToken) => _output.FlushAsync(cancellationToken);

    // The gateway is async only: a synchronous call here would be a bug to surface, not to serve.
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("synchronous read");
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException("synchronous write");
    public override void Flush() => throw new NotSupportedException("synchronous flush");
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _input.Dispose();
            _output.Dispose();
        }
        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        await _input.DisposeAsync().ConfigureAwait(false);
        await _output.DisposeAsync().ConfigureAwait(false);
        await base.DisposeAsync().ConfigureAwait(false);
    }
}
