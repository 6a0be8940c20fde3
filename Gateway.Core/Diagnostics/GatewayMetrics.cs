using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Gateway.Core.Diagnostics;

/// <summary>
/// The gateway's metrics, published on the <see cref="Meter"/> named <c>Gateway</c>. Hot paths bump plain
/// interlocked counters (no allocation, no tag arrays); the instruments are observable, so the cost of tags
/// is paid only when a collector (the <c>/metrics</c> endpoint, dotnet-counters) reads them.
/// </summary>
public sealed class GatewayMetrics : IDisposable
{
    public const string MeterName = "Gateway";

    private readonly ConcurrentDictionary<string, ListenerMetrics> _listeners = new(StringComparer.Ordinal);
    private long _frameLogRecords;
    private long _frameLogFailures;

    public GatewayMetrics()
    {
        Meter = new Meter(MeterName);
        Meter.CreateObservableCounter("gateway.connections.accepted",
            () => PerListener(static l => l.Accepted), "{connection}", "Client connections accepted and handed to a protocol handler");
        Meter.CreateObservableCounter("gateway.connections.refused",
            ObserveRefused, "{connection}", "Client connections closed at accept, by reason");
        Meter.CreateObservableUpDownCounter("gateway.sessions.active",
            () => PerListener(static l => l.Active), "{session}", "Sessions currently running");
        Meter.CreateObservableCounter("gateway.sessions.failed",
            () => PerListener(static l => l.Failed), "{session}", "Sessions whose protocol handler threw");
        Meter.CreateObservableCounter("gateway.handshake.timeouts",
            () => PerListener(static l => l.HandshakeTimeouts), "{session}", "Sessions closed for not authenticating within handshake_timeout");
        Meter.CreateObservableCounter("gateway.tls.handshake.failures",
            () => PerListener(static l => l.TlsFailures), "{session}", "Client TLS handshakes that failed");
        Meter.CreateObservableCounter("gateway.commands",
            ObserveCommands, "{command}", "Commands evaluated by the rule engine, by decision");
        Meter.CreateObservableCounter("gateway.upstream.sessions",
            ObserveUpstreamSessions, "{session}", "Upstream sessions client sessions started on, by origin (opened, or reused from target.pool)");
        Meter.CreateObservableCounter("gateway.frame_log.records",
            () => new Measurement<long>(Volatile.Read(ref _frameLogRecords)), "{record}", "Records appended to the frame log");
        Meter.CreateObservableCounter("gateway.frame_log.failures",
            () => new Measurement<long>(Volatile.Read(ref _frameLogFailures)), "{record}", "Frame-log appends that failed (the command was refused)");
    }

    public Meter Meter { get; }

    /// <summary>The counters of one listener; keep the returned object instead of looking it up per event.</summary>
    public ListenerMetrics For(string listener) => _listeners.GetOrAdd(listener, static name => new ListenerMetrics(name));

    public void FrameLogRecordWritten() => Interlocked.Increment(ref _frameLogRecords);

    public void FrameLogAppendFailed() => Interlocked.Increment(ref _frameLogFailures);

    /// <summary>Publishes the refusals counted but not recorded over the budget (<c>RefusalRecordBudget</c>).</summary>
    public void TrackUnrecordedRefusals(Func<long> total) =>
        Meter.CreateObservableCounter("gateway.frame_log.refusals_unrecorded",
            () => new Measurement<long>(total()), "{connection}", "Connections refused before identification whose record the budget suppressed");

    /// <summary>Publishes the idle upstream sessions the targets' pools hold (<c>target.pool</c>).</summary>
    public void TrackIdleUpstreamSessions(Func<long> idle) =>
        Meter.CreateObservableUpDownCounter("gateway.upstream.sessions.idle",
            () => new Measurement<long>(idle()), "{session}", "Idle upstream sessions kept for reuse (target.pool)");

    public void Dispose() => Meter.Dispose();

    private IEnumerable<Measurement<long>> PerListener(Func<ListenerMetrics, long> read)
    {
        foreach (var listener in _listeners.Values)
            yield return new Measurement<long>(read(listener), listener.Tag);
    }

    private IEnumerable<Measurement<long>> ObserveRefused()
    {
        foreach (var listener in _listeners.Values)
        {
            for (var reason = 0; reason < ListenerMetrics.RefusalReasonNames.Length; reason++)
            {
                var count = listener.RefusedCount(reason);
                if (count > 0)
                    yield return new Measurement<long>(count, listener.Tag, new("reason", ListenerMetrics.RefusalReasonNames[reason]));
            }
        }
    }

    private IEnumerable<Measurement<long>> ObserveUpstreamSessions()
    {
        foreach (var listener in _listeners.Values)
        {
            if (listener.UpstreamOpened > 0)
                yield return new Measurement<long>(listener.UpstreamOpened, listener.Tag, new("origin", "opened"));
            if (listener.UpstreamReused > 0)
                yield return new Measurement<long>(listener.UpstreamReused, listener.Tag, new("origin", "reused"));
        }
    }

    private IEnumerable<Measurement<long>> ObserveCommands()
    {
        foreach (var listener in _listeners.Values)
        {
            for (var action = 0; action < ListenerMetrics.DecisionNames.Length; action++)
            {
                var count = listener.CommandCount(action);
                if (count > 0)
                    yield return new Measurement<long>(count, listener.Tag, new("decision", ListenerMetrics.DecisionNames[action]));
            }
        }
    }
}
