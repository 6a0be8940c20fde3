using System.Buffers;
using System.IO.Pipelines;
using Gateway.Protocols.Postgres.Protocol;

namespace Gateway.Protocols.Postgres.Upstream;

/// <summary>
/// The exchanges the gateway runs with the server on its own, outside any client's session — the startup
/// (<see cref="UpstreamConnector"/>) and the reset before reuse (<see cref="UpstreamConnection.TryResetAsync"/>):
/// server messages are handed, one at a time, to a handler until it says the exchange is done.
/// </summary>
internal static class UpstreamMessages
{
    /// <summary>Cap on any one server message in these exchanges (parameters, notices and errors are small).</summary>
    public const int MaxMessageLength = 1024 * 1024;

    /// <summary>
    /// Reads until <paramref name="handle"/> returns true for a message; what it writes in answer is flushed after each
    /// read. Bytes after that message belong to whoever reads next and stay unexamined in the pipe. False when the
    /// server closed the connection first.
    /// </summary>
    public static async Task<bool> ReadUntilAsync(IDuplexPipe transport, Func<PgFrame, bool> handle, CancellationToken cancellationToken)
    {
        while (true)
        {
            var result = await transport.Input.ReadAsync(cancellationToken).ConfigureAwait(false);
            var buffer = result.Buffer;
            bool done;
            SequencePosition consumed;
            try
            {
                done = HandleBuffered(buffer, handle, out consumed);
            }
            catch
            {
                transport.Input.AdvanceTo(buffer.Start, buffer.End);
                throw;
            }
            transport.Input.AdvanceTo(consumed, done ? consumed : buffer.End);
            await transport.Output.FlushAsync(cancellationToken).ConfigureAwait(false);
            if (done)
                return true;
            if (result.IsCompleted)
                return false;
        }
    }

    private static bool HandleBuffered(in ReadOnlySequence<byte> buffer, Func<PgFrame, bool> handle, out SequencePosition consumed)
    {
        var reader = new SequenceReader<byte>(buffer);
        var done = false;
        while (!done && PgMessageReader.TryReadFrame(ref reader, MaxMessageLength, out var frame))
            done = handle(frame);
        consumed = reader.Position;
        return done;
    }
}
