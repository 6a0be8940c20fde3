using Gateway.Core.Sessions;
using Gateway.Protocols.Postgres.Analysis;
using Microsoft.Extensions.Logging;

namespace Gateway.Protocols.Postgres.Session;

/// <summary>
/// The PostgreSQL side of the gateway: one instance per process, shared by every PostgreSQL listener. Holds what
/// sessions share — the cancel key map and the SQL analyser with its cache — and runs a session per connection.
/// </summary>
public sealed class PostgresProtocolHandler : IProtocolHandler
{
    public PostgresProtocolHandler(ILoggerFactory loggers, SqlAnalyzer? analyzer = null)
    {
        Logger = loggers.CreateLogger("Gateway.Postgres");
        Analyzer = analyzer ?? new SqlAnalyzer();
    }

    public string Protocol => PostgresSession.SqlProtocol;

    public CancelKeyRegistry CancelKeys { get; } = new();

    public SqlAnalyzer Analyzer { get; }

    internal ILogger Logger { get; }

    public async Task RunAsync(ClientConnection connection, CancellationToken cancellationToken)
    {
        using var session = new PostgresSession(connection, this);
        await session.RunAsync(cancellationToken).ConfigureAwait(false);
    }
}
