using System.Net;
using Microsoft.Extensions.Logging;

namespace Gateway.Core.Sessions;

/// <summary>The listener's log events. Client-caused events are Debug; operator-relevant ones Information and up.</summary>
internal static partial class ListenerLog
{
    [LoggerMessage(1001, LogLevel.Information, "listener {Listener} ({Protocol}) accepting on {EndPoint}, tls {Tls}")]
    public static partial void Started(ILogger logger, string listener, string protocol, IPEndPoint endPoint, string tls);

    [LoggerMessage(1002, LogLevel.Information, "listener {Listener} stopped accepting")]
    public static partial void StoppedAccepting(ILogger logger, string listener);

    [LoggerMessage(1003, LogLevel.Debug, "listener {Listener} refused {RemoteEndPoint}: {Reason}")]
    public static partial void Refused(ILogger logger, string listener, IPEndPoint remoteEndPoint, string reason);

    [LoggerMessage(1004, LogLevel.Debug, "refusal message to {RemoteEndPoint} not delivered")]
    public static partial void RefusalFailed(ILogger logger, Exception exception, IPEndPoint remoteEndPoint);

    [LoggerMessage(1005, LogLevel.Warning, "listener {Listener}: accept failed ({Error}); retrying")]
    public static partial void AcceptFailed(ILogger logger, string listener, string error);

    [LoggerMessage(1010, LogLevel.Debug, "session started")]
    public static partial void SessionStarted(ILogger logger);

    [LoggerMessage(1011, LogLevel.Debug, "session ended")]
    public static partial void SessionEnded(ILogger logger);

    [LoggerMessage(1012, LogLevel.Debug, "session aborted")]
    public static partial void SessionAborted(ILogger logger);

    [LoggerMessage(1013, LogLevel.Debug, "session ended by a transport error: {Error}")]
    public static partial void SessionTransportError(ILogger logger, string error);

    [LoggerMessage(1014, LogLevel.Error, "session failed: the protocol handler threw")]
    public static partial void SessionFailed(ILogger logger, Exception exception);

    [LoggerMessage(1015, LogLevel.Debug, "session {SessionId}: handshake not completed within {Timeout}; closing")]
    public static partial void HandshakeTimedOut(ILogger logger, string sessionId, TimeSpan timeout);

    [LoggerMessage(1016, LogLevel.Debug, "closing the session's socket failed")]
    public static partial void CloseFailed(ILogger logger, Exception exception);

    [LoggerMessage(1017, LogLevel.Error, "listener {Listener}: a session's {Signal} callback threw")]
    public static partial void SignalCallbackFailed(ILogger logger, Exception exception, string listener, string signal);

    [LoggerMessage(1020, LogLevel.Information, "listener {Listener}: waiting up to {Timeout} for {Count} sessions to finish")]
    public static partial void Draining(ILogger logger, string listener, TimeSpan timeout, int count);

    [LoggerMessage(1021, LogLevel.Warning, "listener {Listener}: {Count} sessions still running after {Timeout}; aborting them")]
    public static partial void AbortingSessions(ILogger logger, string listener, int count, TimeSpan timeout);

    [LoggerMessage(1022, LogLevel.Error, "listener {Listener}: {Count} aborted sessions did not end; leaving them behind")]
    public static partial void SessionsLeftBehind(ILogger logger, string listener, int count);

    [LoggerMessage(1023, LogLevel.Warning, "listener {Listener}: the TLS certificate {Subject} expired on {NotAfter:u}")]
    public static partial void CertificateExpired(ILogger logger, string listener, string subject, DateTime notAfter);
}
