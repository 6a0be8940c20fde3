using Microsoft.Extensions.Logging;

namespace Gateway.Protocols.Postgres.Session;

/// <summary>Source-generated log messages of the PostgreSQL sessions, with stable event ids.</summary>
internal static partial class PostgresLog
{
    [LoggerMessage(2001, LogLevel.Information, "session {SessionId}: {Subject} from {Remote} connected to database {Database}")]
    public static partial void SessionStarted(ILogger logger, string sessionId, string subject, string remote, string database);

    [LoggerMessage(2002, LogLevel.Information, "session {SessionId}: {Subject} ended: {Reason}")]
    public static partial void SessionEnded(ILogger logger, string sessionId, string? subject, string reason);

    [LoggerMessage(2003, LogLevel.Debug, "session {SessionId}: protocol violation: {Detail}")]
    public static partial void ProtocolViolation(ILogger logger, string sessionId, string detail);

    [LoggerMessage(2004, LogLevel.Information, "session {SessionId}: token from {Remote} refused ({Rejection})")]
    public static partial void TokenRefused(ILogger logger, string sessionId, string remote, string rejection);

    [LoggerMessage(2005, LogLevel.Warning, "session {SessionId}: upstream: {Detail}")]
    public static partial void UpstreamFailed(ILogger logger, string sessionId, string detail);

    [LoggerMessage(2006, LogLevel.Error, "session {SessionId}: frame log refused a record: {Detail}")]
    public static partial void AuditFailed(ILogger logger, string sessionId, string detail);

    [LoggerMessage(2007, LogLevel.Debug, "cancel request from {Remote} with an unknown key ignored")]
    public static partial void UnknownCancelKey(ILogger logger, string remote);

    [LoggerMessage(2008, LogLevel.Information, "session {SessionId}: cancel request forwarded to the target")]
    public static partial void CancelForwarded(ILogger logger, string sessionId);

    [LoggerMessage(2009, LogLevel.Debug, "session {SessionId}: handshake timeout for {Remote}")]
    public static partial void HandshakeTimeout(ILogger logger, string sessionId, string remote);

    [LoggerMessage(2011, LogLevel.Trace, "session {SessionId}: {Direction} '{Type}' ({Length} bytes)")]
    public static partial void Message(ILogger logger, string sessionId, string direction, char type, int length);

    [LoggerMessage(2010, LogLevel.Error, "session {SessionId}: rule evaluation failed, statement denied: {Detail}")]
    public static partial void PolicyFailed(ILogger logger, string sessionId, string detail);

    [LoggerMessage(2012, LogLevel.Debug, "session {SessionId}: reusing upstream backend {ProcessId} (held by {Lease} client sessions before)")]
    public static partial void UpstreamReused(ILogger logger, string sessionId, int processId, int lease);

    [LoggerMessage(2013, LogLevel.Warning, "session {SessionId}: ended, {Detail}")]
    public static partial void LexerSettingsChanged(ILogger logger, string sessionId, string detail);
}
