using Gateway.Core.Config;

namespace Gateway.Protocols.Postgres.Upstream;

/// <summary>
/// Idle upstream sessions of one target, kept between client sessions when <c>target.pool</c> is on, as pgbouncer's
/// session mode keeps its server connections: a client that connects per command (an agent running <c>psql -c</c>
/// per step) no longer costs a TCP connect, a SCRAM exchange and a backend fork each time.
/// <list type="bullet">
/// <item>A session is returned only after a clean end (the client's Terminate, nothing outstanding, no extended batch
/// left without its Sync, no transaction open, no cancel sent during it), then reset with <c>DISCARD ALL</c> (<see cref="UpstreamReset"/>); one that
/// fails the reset is closed.</item>
/// <item>It is handed out only to a client with the same <see cref="UpstreamPoolKey"/>, the most recently used
/// first, only when the server has sent nothing since (a terminated backend has sent its FATAL), and only before its
/// <c>max_lifetime</c>. The sweep drops idle sessions that are dead, expired or too old.</item>
/// <item>At most <c>max_idle</c> for the whole target, whatever the keys: clients choose part of the key (their
/// startup parameters), so a per-key bound would let one client park backends without limit. When full, the session
/// idle longest is closed to make room. Closed after <c>idle_timeout</c> unused, and never handed out or kept past
/// <c>max_lifetime</c>.</item>
/// </list>
/// </summary>
public sealed class UpstreamPool : IAsyncDisposable
{
    private static readonly TimeSpan ResetTimeout = TimeSpan.FromSeconds(5);

    /// <summary>The sweep runs at a quarter of idle_timeout, within these bounds.</summary>
    private static readonly TimeSpan MinSweepPeriod = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan MaxSweepPeriod = TimeSpan.FromSeconds(5);

    private readonly TargetPoolConfig _config;
    private readonly TimeProvider _time;

    // Every idle session of the target in the order it was parked: the longest idle first, the most recently used
    // last. At most max_idle (≤ 1000) entries, so a scan for a key costs less than the connect it saves.
    private readonly List<Idle> _idle = [];
    private readonly Lock _lock = new();
    private readonly ITimer _sweep;
    private Task _sweeping = Task.CompletedTask;
    private bool _disposed;

    public UpstreamPool(TargetPoolConfig config, TimeProvider time)
    {
        _config = config;
        _time = time;
        var period = TimeSpan.FromTicks(Math.Clamp(config.IdleTimeout.Ticks / 4, MinSweepPeriod.Ticks, MaxSweepPeriod.Ticks));
        _sweep = time.CreateTimer(_ => Sweep(), null, period, period);
    }

    /// <summary>Stamps a connection opened for this target (its age counts toward <c>max_lifetime</c>).</summary>
    internal void Opened(UpstreamConnection connection) => connection.OpenedAt = _time.GetTimestamp();

    private bool TooOld(UpstreamConnection connection) => _time.GetElapsedTime(connection.OpenedAt) >= _config.MaxLifetime;

    /// <summary>Idle sessions held now, all keys together.</summary>
    public int IdleCount
    {
        get
        {
            lock (_lock)
                return _idle.Count;
        }
    }

    /// <summary>An idle session for <paramref name="key"/>, its lease renewed for the caller; null when there is none.</summary>
    internal UpstreamConnection? TryTake(UpstreamPoolKey key)
    {
        while (true)
        {
            UpstreamConnection connection;
            lock (_lock)
            {
                var at = _disposed ? -1 : _idle.FindLastIndex(idle => idle.Key == key);
                if (at < 0)
                    return null;
                connection = _idle[at].Connection;
                _idle.RemoveAt(at);
            }
            if (connection.HasPendingInput() || TooOld(connection))
            {
                _ = connection.CloseAsync(waitForServer: false).AsTask();
                continue;
            }
            connection.Renew();
            return connection;
        }
    }

    /// <summary>
    /// Takes back the session of a client that ended cleanly: resets it and keeps it, or closes it when it cannot be
    /// kept (a cancel was sent, too old, the reset failed, the pool is closing). A full pool closes the session idle
    /// longest instead.
    /// </summary>
    internal async Task ReturnAsync(UpstreamPoolKey key, UpstreamConnection connection)
    {
        if (!connection.TryRelease()
            || TooOld(connection)
            || !await connection.TryResetAsync(ResetTimeout).ConfigureAwait(false))
        {
            await connection.CloseAsync(waitForServer: false).ConfigureAwait(false);
            return;
        }
        UpstreamConnection? closing = connection;
        lock (_lock)
        {
            if (!_disposed)
            {
                closing = null;
                if (_idle.Count >= _config.MaxIdle)
                {
                    closing = _idle[0].Connection;
                    _idle.RemoveAt(0);
                }
                _idle.Add(new Idle(key, connection, _time.GetTimestamp()));
            }
        }
        if (closing is not null)
            await closing.CloseAsync(waitForServer: true).ConfigureAwait(false);
    }

    private void Sweep()
    {
        lock (_lock)
        {
            if (_disposed || !_sweeping.IsCompleted)
                return;
            _sweeping = Task.Run(SweepAsync);
        }
    }

    /// <summary>Drops idle sessions unused for idle_timeout, past max_lifetime, or whose backend has gone.</summary>
    private async Task SweepAsync()
    {
        var now = _time.GetTimestamp();
        List<UpstreamConnection> dropped;
        lock (_lock)
        {
            var drop = _idle.Where(idle => _time.GetElapsedTime(idle.Since, now) >= _config.IdleTimeout
                || TooOld(idle.Connection) || idle.Connection.HasPendingInput()).ToHashSet();
            dropped = [.. drop.Select(idle => idle.Connection)];
            _idle.RemoveAll(drop.Contains);
        }
        await Task.WhenAll(dropped.Select(connection => connection.CloseAsync(waitForServer: true).AsTask())).ConfigureAwait(false);
    }

    /// <summary>Closes every idle session (each gets its Terminate); sessions returned afterwards are closed too.</summary>
    public async ValueTask DisposeAsync()
    {
        await _sweep.DisposeAsync().ConfigureAwait(false);
        List<UpstreamConnection> all;
        Task sweeping;
        lock (_lock)
        {
            _disposed = true;
            all = [.. _idle.Select(idle => idle.Connection)];
            _idle.Clear();
            sweeping = _sweeping;
        }
        await sweeping.ConfigureAwait(false);
        await Task.WhenAll(all.Select(connection => connection.CloseAsync(waitForServer: true).AsTask())).ConfigureAwait(false);
    }

    private readonly record struct Idle(UpstreamPoolKey Key, UpstreamConnection Connection, long Since);
}
