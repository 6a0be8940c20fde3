using Microsoft.Extensions.Logging;

namespace Gateway.Core.FrameLog;

public sealed partial class FrameLogWriter
{
    private static partial class Log
    {
        [LoggerMessage(EventId = 4001, Level = LogLevel.Critical,
            Message = "Frame log write failed in segment starting at Seq {SegmentFirstSeq}: commands are refused until a write succeeds")]
        public static partial void WriteFailed(ILogger logger, Exception error, long segmentFirstSeq);

        [LoggerMessage(EventId = 4002, Level = LogLevel.Warning, Message = "Frame log writable again at Seq {LastSeq}")]
        public static partial void WriteRecovered(ILogger logger, long lastSeq);

        [LoggerMessage(EventId = 4003, Level = LogLevel.Warning,
            Message = "Frame log recovery cut {Bytes} torn bytes from {Segment}; the chain continues after Seq {LastGoodSeq}")]
        public static partial void RecoveredTornTail(ILogger logger, long bytes, string segment, long lastGoodSeq);

        [LoggerMessage(EventId = 4004, Level = LogLevel.Information, Message = "Frame log retention deleted {Count} segments through Seq {ThroughSeq}")]
        public static partial void RetentionDeleted(ILogger logger, int count, long throughSeq);

        [LoggerMessage(EventId = 4005, Level = LogLevel.Warning, Message = "Frame log retention could not run")]
        public static partial void RetentionFailed(ILogger logger, Exception error);
    }
}
