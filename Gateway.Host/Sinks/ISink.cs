namespace Gateway.Host.Sinks;

/// <summary>
/// A destination the local frame log is shipped to. The local segments are the spool: a sink reads them
/// from its own durable cursor, so stopping, crashing or an outage on the far side loses nothing.
/// </summary>
public interface ISink : IAsyncDisposable
{
    /// <summary>Stable name; also the cursor file name (<c>{state_dir}/cursors/{Name}.json</c>).</summary>
    string Name { get; }

    SinkHealth Health { get; }

    /// <summary>Segment bytes after this sink's durable cursor.</summary>
    long UnshippedBytes { get; }

    /// <summary>True while <see cref="UnshippedBytes"/> is at or above <c>audit.max_spool</c>.</summary>
    bool SpoolFull { get; }

    /// <summary>The frame-log writer committed this many bytes to the spool (counted until the next measurement).</summary>
    void Written(long bytes);

    /// <summary>The Seq of the last record this sink shipped (or skipped by drop_oldest), durably.</summary>
    long ShippedSeq { get; }

    /// <summary>Loads the cursor and starts the background loop.</summary>
    Task StartAsync(CancellationToken cancellationToken);

    /// <summary>Stops the loop; an unacknowledged batch is simply sent again after the next start.</summary>
    Task StopAsync(CancellationToken cancellationToken);

    /// <summary>Leaves the <see cref="SinkState.Halted"/> state (after the operator fixed the cause) and sends again.</summary>
    void Resume();
}
