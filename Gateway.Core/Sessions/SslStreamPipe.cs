using System.IO.Pipelines;
using System.Net.Security;

namespace Gateway.Core.Sessions;

/// <summary>A TLS stream exposed as a pipe, keeping the <see cref="SslStream"/> for its negotiated details.</summary>
public sealed class SslStreamPipe(IDuplexPipe pipe, SslStream stream) : IDuplexPipe, IAsyncDisposable
{
    private static readonly TimeSpan DefaultCloseTimeout = TimeSpan.FromSeconds(2);

    private int _closed;

    public SslStream Stream { get; } = stream;
    public PipeReader Input => pipe.Input;
    public PipeWriter Output => pipe.Output;

    /// <summary>
    /// Flushes what is still queued, sends TLS close_notify and disposes the stream (not the transport under it).
    /// Bounded by <paramref name="timeout"/>: a peer that stopped reading cannot hold the session open.
    /// </summary>
    public async ValueTask CloseAsync(TimeSpan timeout)
    {
        if (Interlocked.Exchange(ref _closed, 1) != 0)
            return;
        try
        {
            await Output.CompleteAsync().AsTask().WaitAsync(timeout).ConfigureAwait(false);
            await Stream.ShutdownAsync().WaitAsync(timeout).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or TimeoutException or ObjectDisposedException or InvalidOperationException or NotSupportedException)
        {
            // The peer is gone or not reading: nothing more can be said to it.
        }
        finally
        {
            await Input.CompleteAsync().ConfigureAwait(false);
            await Stream.DisposeAsync().ConfigureAwait(false);
        }
    }

    public ValueTask DisposeAsync() => CloseAsync(DefaultCloseTimeout);
}
