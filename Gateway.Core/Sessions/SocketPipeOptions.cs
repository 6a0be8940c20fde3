using System.IO.Pipelines;
using Gateway.Core.Config;

namespace Gateway.Core.Sessions;

/// <summary>
/// The pipe sizes around a client socket. Small on purpose: when a side stops reading, the other side's
/// writes stop after a bounded number of bytes instead of the gateway buffering the backlog
/// (STYLE.md 12; DESIGN.md invariant 6). Continuations run inline: the socket loop hands bytes to the session
/// and the session's flush hands them to the socket on the same thread, instead of a thread-pool hop each way
/// (the handlers never block; see docs/performance.md for the measured difference).
/// </summary>
internal static class SocketPipeOptions
{
    /// <summary>Bytes queued toward a client before a handler's <c>FlushAsync</c> waits for the client to read.</summary>
    public const int SendPauseBytes = 64 * 1024;

    public const int SendResumeBytes = 32 * 1024;

    /// <summary>Headroom above one whole message for what a client pipelines behind it.</summary>
    public const int ReceiveHeadroomBytes = 64 * 1024;

    private const int SegmentBytes = 4096;

    /// <summary>Toward the client.</summary>
    public static PipeOptions Send { get; } = new(
        pauseWriterThreshold: SendPauseBytes,
        resumeWriterThreshold: SendResumeBytes,
        minimumSegmentSize: SegmentBytes,
        readerScheduler: PipeScheduler.Inline,
        writerScheduler: PipeScheduler.Inline,
        useSynchronizationContext: false);

    /// <summary>
    /// From the client. A handler may leave one whole message of up to <c>max_message_bytes</c> unconsumed while
    /// it waits for the rest (it must parse a complete statement), so the pause threshold cannot be below that;
    /// anything past one message plus <see cref="ReceiveHeadroomBytes"/> pauses the socket read.
    /// </summary>
    public static PipeOptions ReceiveFor(ListenerConfig listener)
    {
        var pause = Math.Min((long)listener.MaxMessageBytes + ReceiveHeadroomBytes, int.MaxValue);
        return new PipeOptions(
            pauseWriterThreshold: pause,
            resumeWriterThreshold: Math.Max(pause / 2, 1),
            minimumSegmentSize: SegmentBytes,
            readerScheduler: PipeScheduler.Inline,
            writerScheduler: PipeScheduler.Inline,
            useSynchronizationContext: false);
    }

    /// <summary>A refused client is only ever sent one short error.</summary>
    public static PipeOptions Refusal { get; } = new(
        pauseWriterThreshold: 16 * 1024,
        resumeWriterThreshold: 8 * 1024,
        minimumSegmentSize: SegmentBytes,
        readerScheduler: PipeScheduler.Inline,
        writerScheduler: PipeScheduler.Inline,
        useSynchronizationContext: false);
}
