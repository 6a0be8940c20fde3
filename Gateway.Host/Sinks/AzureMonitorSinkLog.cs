using Microsoft.Extensions.Logging;

namespace Gateway.Host.Sinks;

/// <summary>The sink's log messages (event ids 4100-4199). Error texts come from the service or the OS, never a token.</summary>
internal static partial class AzureMonitorSinkLog
{
    [LoggerMessage(4100, LogLevel.Information, "Sink {Sink} starting at Seq {Seq} ({Segment} @ {Offset})")]
    public static partial void Starting(ILogger logger, string sink, long seq, string? segment, long offset);

    [LoggerMessage(4101, LogLevel.Warning, "Sink {Sink}: cursor file {Path} is unreadable ({Reason}); shipping again from the oldest segment (duplicates are deduplicated by Node+Seq)")]
    public static partial void CursorUnreadable(ILogger logger, string sink, string path, string reason);

    [LoggerMessage(4102, LogLevel.Debug, "Sink {Sink} shipped {Records} records (Seq {FirstSeq}..{LastSeq}, {Bytes} bytes)")]
    public static partial void Shipped(ILogger logger, string sink, int records, long firstSeq, long lastSeq, int bytes);

    [LoggerMessage(4103, LogLevel.Warning, "Sink {Sink}: call failed ({Status}: {Error}); attempt {Attempt}, retrying in {Delay}")]
    public static partial void Retrying(ILogger logger, string sink, string status, string? error, int attempt, TimeSpan delay);

    [LoggerMessage(4104, LogLevel.Error, "Sink {Sink} halted: the service rejected Seq {FirstSeq}..{LastSeq} with {Status} ({Error}); nothing is skipped, fix the cause and resume or restart")]
    public static partial void Halted(ILogger logger, string sink, int status, string? error, long firstSeq, long lastSeq);

    [LoggerMessage(4105, LogLevel.Warning, "Sink {Sink}: spool over {MaxSpool} bytes, dropped Seq {FromSeq}..{ToSeq} unshipped (on_spool_full: drop_oldest)")]
    public static partial void DroppedOldest(ILogger logger, string sink, long maxSpool, long fromSeq, long toSeq);

    [LoggerMessage(4106, LogLevel.Warning, "Sink {Sink}: Seq {FromSeq}..{ToSeq} are missing from the local log and cannot be shipped")]
    public static partial void MissingLocally(ILogger logger, string sink, long fromSeq, long toSeq);

    [LoggerMessage(4107, LogLevel.Warning, "Sink {Sink}: skipped a line that is not a record in {Segment} at {Offset}")]
    public static partial void MalformedLine(ILogger logger, string sink, string segment, long offset);

    [LoggerMessage(4108, LogLevel.Warning, "Sink {Sink}: Seq {Seq} ({Bytes} bytes) exceeds the per-call limit; sent with its payload replaced by a marker")]
    public static partial void Truncated(ILogger logger, string sink, long seq, int bytes);

    [LoggerMessage(4109, LogLevel.Error, "Sink {Sink}: cannot read the spool, retrying from the cursor")]
    public static partial void SpoolReadFailed(ILogger logger, string sink, Exception exception);

    [LoggerMessage(4110, LogLevel.Error, "Sink {Sink}: shipped Seq {Seq} but could not save the cursor; a restart may send these records again")]
    public static partial void CursorSaveFailed(ILogger logger, string sink, long seq, Exception exception);

    [LoggerMessage(4111, LogLevel.Information, "Sink {Sink} resumed by the operator")]
    public static partial void Resumed(ILogger logger, string sink);

    [LoggerMessage(4112, LogLevel.Information, "Sink {Sink} stopped at Seq {Seq}")]
    public static partial void Stopped(ILogger logger, string sink, long seq);
}
