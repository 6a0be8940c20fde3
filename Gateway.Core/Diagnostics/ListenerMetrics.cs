using Gateway.Core.Policy;
using Gateway.Core.Sessions;

namespace Gateway.Core.Diagnostics;

/// <summary>The counters of one listener. Every method is a single interlocked operation.</summary>
public sealed class ListenerMetrics
{
    /// <summary>Tag values by <see cref="RefusalReason"/> (the enum's values index this array).</summary>
    internal static readonly string[] RefusalReasonNames = ["max_connections", "max_connections_per_ip", "draining"];

    /// <summary>Tag values by <see cref="DecisionAction"/>, spelled as rule files and frame-log records spell them.</summary>
    internal static readonly string[] DecisionNames = ["allow", "rewrite", "limit", "mask", "require_approval", "deny"];

    private readonly long[] _refused = new long[RefusalReasonNames.Length];
    private readonly long[] _commands = new long[DecisionNames.Length];
    private long _accepted;
    private long _active;
    private long _failed;
    private long _handshakeTimeouts;
    private long _tlsFailures;
    private long _upstreamOpened;
    private long _upstreamReused;

    internal ListenerMetrics(string listener)
    {
        Listener = listener;
        Tag = new("listener", listener);
    }

    public string Listener { get; }

    internal KeyValuePair<string, object?> Tag { get; }

    internal long Accepted => Volatile.Read(ref _accepted);
    internal long Active => Volatile.Read(ref _active);
    internal long Failed => Volatile.Read(ref _failed);
    internal long HandshakeTimeouts => Volatile.Read(ref _handshakeTimeouts);
    internal long TlsFailures => Volatile.Read(ref _tlsFailures);
    internal long UpstreamOpened => Volatile.Read(ref _upstreamOpened);
    internal long UpstreamReused => Volatile.Read(ref _upstreamReused);

    internal long RefusedCount(int reason) => Volatile.Read(ref _refused[reason]);

    internal long CommandCount(int action) => Volatile.Read(ref _commands[action]);

    public void ConnectionAccepted() => Interlocked.Increment(ref _accepted);

    public void ConnectionRefused(RefusalReason reason) => Interlocked.Increment(ref _refused[(int)reason]);

    public void SessionStarted() => Interlocked.Increment(ref _active);

    public void SessionEnded() => Interlocked.Decrement(ref _active);

    public void SessionFailed() => Interlocked.Increment(ref _failed);

    public void HandshakeTimedOut() => Interlocked.Increment(ref _handshakeTimeouts);

    public void TlsHandshakeFailed() => Interlocked.Increment(ref _tlsFailures);

    /// <summary>Counts the upstream session a client session started on: a new one, or one from <c>target.pool</c>.</summary>
    public void UpstreamSessionStarted(bool reused) => Interlocked.Increment(ref reused ? ref _upstreamReused : ref _upstreamOpened);

    /// <summary>Counts one command by the action the rule engine chose for it.</summary>
    public void CommandDecided(DecisionAction action)
    {
        var index = (int)action;
        if ((uint)index < (uint)_commands.Length)
            Interlocked.Increment(ref _commands[index]);
    }
}
