using Gateway.Protocols.Postgres.Protocol.Messages;

namespace Gateway.Protocols.Postgres.Upstream;

/// <summary>Where an upstream connection attempt failed.</summary>
public enum UpstreamConnectStage
{
    /// <summary>The target host name did not resolve.</summary>
    Resolve,

    /// <summary>The TCP connection was refused or unreachable.</summary>
    Connect,

    /// <summary>The target's connect_timeout passed (connect, TLS and authentication together).</summary>
    Timeout,

    /// <summary>TLS negotiation or the handshake failed (including a server that refuses TLS under require/verify-full).</summary>
    Tls,

    /// <summary>The auth exchange failed on our side: unsupported method, missing password, unverifiable SCRAM.</summary>
    Authentication,

    /// <summary>The server sent an ErrorResponse; <see cref="UpstreamConnectException.SqlState"/> is the server's.</summary>
    Server,

    /// <summary>The server broke the protocol (malformed or unexpected message, early close).</summary>
    Protocol,
}

/// <summary>
/// Connecting to the upstream PostgreSQL failed. <see cref="SqlState"/> is the server's own code when it sent an
/// ErrorResponse (e.g. 28P01 for a wrong password), otherwise 08001 (sqlclient_unable_to_establish_sqlconnection).
/// Messages never contain the password.
/// </summary>
public sealed class UpstreamConnectException : Exception
{
    public const string UnableToConnectSqlState = "08001";

    public UpstreamConnectException(UpstreamConnectStage stage, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Stage = stage;
        SqlState = UnableToConnectSqlState;
    }

    private UpstreamConnectException(PgDiagnosticFields server, string target)
        : base($"upstream {target} refused the connection: {server.Severity} {server.SqlState}: {server.Message}")
    {
        Stage = UpstreamConnectStage.Server;
        SqlState = server.SqlState ?? UnableToConnectSqlState;
        ServerSeverity = server.Severity;
        ServerMessage = server.Message;
        ServerDetail = server.Detail;
    }

    public UpstreamConnectStage Stage { get; }

    public string SqlState { get; }

    /// <summary>The server's severity (usually FATAL) when <see cref="Stage"/> is <see cref="UpstreamConnectStage.Server"/>.</summary>
    public string? ServerSeverity { get; }

    public string? ServerMessage { get; }

    public string? ServerDetail { get; }

    public static UpstreamConnectException FromServer(PgDiagnosticFields server, string target) => new(server, target);
}
