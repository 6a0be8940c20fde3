using System.IO.Pipelines;
using Gateway.Core.Config;
using Gateway.Core.Sessions;
using Gateway.Protocols.Postgres.Analysis;
using Gateway.Protocols.Postgres.Protocol;
using Gateway.Protocols.Postgres.Upstream;
using Microsoft.Extensions.Logging;

namespace Gateway.Protocols.Postgres.Session;

/// <summary>
/// The PostgreSQL side of the gateway: one instance per process, shared by every PostgreSQL listener. Holds what
/// sessions share — the cancel key map, the SQL analyser with its cache, the targets' pools of idle upstream
/// sessions — and runs a session per connection.
/// </summary>
public sealed class PostgresProtocolHandler : IProtocolHandler, IConnectionRefusal, IAsyncDisposable
{
    private readonly Dictionary<TargetConfig, UpstreamPool> _pools = new(ReferenceEqualityComparer.Instance);
    private bool _disposed;

    /// <summary>SQLSTATE too_many_connections, what PostgreSQL itself answers past max_connections.</summary>
    public const string TooManyConnectionsSqlState = "53300";

    public PostgresProtocolHandler(ILoggerFactory loggers, SqlAnalyzer? analyzer = null, TimeProvider? time = null)
    {
        Logger = loggers.CreateLogger("Gateway.Postgres");
        Analyzer = analyzer ?? new SqlAnalyzer();
        _time = time ?? TimeProvider.System;
    }

    private readonly TimeProvider _time;

    public string Protocol => PostgresSession.SqlProtocol;

    public CancelKeyRegistry CancelKeys { get; } = new();

    public SqlAnalyzer Analyzer { get; }

    internal ILogger Logger { get; }

    /// <summary>
    /// The pool of <paramref name="target"/>'s idle upstream sessions; null unless its <c>pool</c> is on, and once the
    /// handler is disposed (a session still ending then closes its upstream session).
    /// </summary>
    public UpstreamPool? PoolFor(TargetConfig target)
    {
        if (!target.Pool.Enabled)
            return null;
        lock (_pools)
        {
            if (_disposed)
                return null;
            if (!_pools.TryGetValue(target, out var pool))
                _pools[target] = pool = new UpstreamPool(target.Pool, _time);
            return pool;
        }
    }

    /// <summary>Idle upstream sessions in every target's pool.</summary>
    public long IdleUpstreamSessions
    {
        get
        {
            lock (_pools)
                return _pools.Values.Sum(pool => (long)pool.IdleCount);
        }
    }

    /// <summary>Closes the idle upstream sessions (the listeners have stopped, so none is taken any more).</summary>
    public async ValueTask DisposeAsync()
    {
        UpstreamPool[] pools;
        lock (_pools)
        {
            _disposed = true;
            pools = [.. _pools.Values];
            _pools.Clear();
        }
        foreach (var pool in pools)
            await pool.DisposeAsync().ConfigureAwait(false);
    }

    public async Task RunAsync(ClientConnection connection, CancellationToken cancellationToken)
    {
        using var session = new PostgresSession(connection, this);
        await session.RunAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// A client over a connection cap is told so before the socket closes, as PostgreSQL does ("sorry, too many
    /// clients already"). Sent at once, whatever the client sent first: libpq reports an ErrorResponse that
    /// answers its SSLRequest, and nothing the client sent is read.
    /// </summary>
    public async ValueTask RefuseAsync(IDuplexPipe pipe, string reason)
    {
        PgBackendWriter.WriteErrorResponse(pipe.Output, new PgError(PgSeverity.Fatal, TooManyConnectionsSqlState, $"sorry, {reason}"));
        await pipe.Output.FlushAsync().ConfigureAwait(false);
    }
}
