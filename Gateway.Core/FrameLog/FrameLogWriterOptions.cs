using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gateway.Core.FrameLog;

/// <summary>Tuning and test seams of <see cref="FrameLogWriter"/>; the defaults suit production.</summary>
public sealed class FrameLogWriterOptions
{
    public TimeProvider Time { get; init; } = TimeProvider.System;
    public ILogger Logger { get; init; } = NullLogger.Instance;

    /// <summary>Appends waiting for the writer; a full queue makes callers wait (back-pressure, bounded memory).</summary>
    public int QueueCapacity { get; init; } = 4096;

    /// <summary>Most records written (and fsync'd) together in one group commit.</summary>
    public int MaxBatchRecords { get; init; } = 512;

    /// <summary>A record whose line is longer is refused (capture caps keep real records far below this).</summary>
    public int MaxRecordBytes { get; init; } = 1024 * 1024;

    /// <summary>After a write error, appends are refused without touching the disk until this much time passed.</summary>
    public TimeSpan RetryInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>True when audit sinks ship the log: retention then also waits for their cursors.</summary>
    public bool? RequireShippedCursor { get; init; }

    /// <summary>
    /// The sinks' view of the unshipped spool. With <c>on_spool_full: refuse</c> (the default) appends are refused
    /// while it is full, so commands are not run unaudited; <c>drop_oldest</c> leaves the sinks to drop segments.
    /// </summary>
    public ISpoolStatus? SpoolStatus { get; init; }

    internal ISegmentStorage Storage { get; init; } = DiskSegmentStorage.Instance;
}
