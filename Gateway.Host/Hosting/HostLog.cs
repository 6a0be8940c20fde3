using Microsoft.Extensions.Logging;

namespace Gateway.Host.Hosting;

internal static partial class HostLog
{
    [LoggerMessage(2001, LogLevel.Information, "gateway started: {Listeners} listener(s){Admin}")]
    public static partial void Started(ILogger logger, int listeners, string admin);

    [LoggerMessage(2002, LogLevel.Critical, "gateway cannot start: {Problem}")]
    public static partial void StartFailed(ILogger logger, string problem);

    [LoggerMessage(2003, LogLevel.Information, "{Signal} received: stop accepting, drain sessions, then exit")]
    public static partial void StopRequested(ILogger logger, string signal);

    [LoggerMessage(2004, LogLevel.Warning, "{Signal} received again: aborting the sessions still draining")]
    public static partial void AbortRequested(ILogger logger, string signal);

    [LoggerMessage(2005, LogLevel.Error, "shutdown step failed")]
    public static partial void ShutdownCallbackFailed(ILogger logger, Exception exception);

    [LoggerMessage(2006, LogLevel.Information, "gateway stopped ({Aborted} session(s) aborted)")]
    public static partial void Stopped(ILogger logger, int aborted);

    [LoggerMessage(2007, LogLevel.Warning, "admin endpoint did not stop cleanly")]
    public static partial void AdminStopFailed(ILogger logger, Exception exception);
}
