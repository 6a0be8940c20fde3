namespace Gateway.Core.Sessions;

/// <summary>Connection-layer tunables that are not part of <c>gateway.yaml</c>; the defaults suit production.</summary>
public sealed class ListenerOptions
{
    public static readonly ListenerOptions Default = new();

    /// <summary>How long an <see cref="IConnectionRefusal"/> may take to tell a refused client why.</summary>
    public TimeSpan RefusalTimeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Refusals answered at once; past this, refused sockets are closed without a word (a flood must not pin sockets).</summary>
    public int MaxConcurrentRefusals { get; init; } = 64;

    /// <summary>
    /// After <see cref="ClientConnection.HandshakeDeadline"/> fires, how long the handler has to send its own
    /// error and return before the listener aborts the session.
    /// </summary>
    public TimeSpan HandshakeGrace { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// At session end, how long the listener waits for queued bytes to reach the client and for the client to
    /// close its side, so a final error message is not lost to a TCP reset.
    /// </summary>
    public TimeSpan CloseLinger { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Pending connections the kernel queues before the accept loop takes them (Linux caps it at
    /// net.core.somaxconn, 4096 by default). Deep on purpose: a burst of connects that overflows the queue has
    /// its SYNs dropped, and each such client waits a whole second for the retransmit, legitimate ones included.
    /// </summary>
    public int Backlog { get; init; } = 4096;
}
