using Gateway.Host.Azure;
using Microsoft.Extensions.Logging;

namespace Gateway.Host.Sinks;

/// <summary>
/// Ships the frame log to Azure Monitor through the Logs Ingestion API, losing nothing: a background loop tails
/// the segments from a durable cursor, batches complete lines into calls of at most 1 MiB, sends each until it is
/// accepted (retrying 408/429/5xx forever with backoff, halting on anything a retry cannot fix) and only then
/// advances the cursor. Delivery is at-least-once; Node+Seq is the key that makes duplicates harmless.
/// </summary>
/// <remarks>Split by concern: <c>.Loop.cs</c> reads and ships, <c>.Spool.cs</c> enforces <c>audit.max_spool</c>.</remarks>
public sealed partial class AzureMonitorSink : ISink
{
    private readonly AzureMonitorSinkOptions _options;
    private readonly LogsIngestionClient _client;
    private readonly SpoolCursorStore _cursorStore;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly SinkMetrics _metrics;
    private readonly SpoolScanner _spool;
    private readonly IngestionBatch _batch;
    private readonly RetryBackoff _backoff;
    private readonly SegmentTail _tail;

    private volatile SpoolCursor _cursor = SpoolCursor.Beginning;
    private volatile SinkHealth _health = new(SinkState.Starting, "not started");
    private volatile TaskCompletionSource _resume = NewSignal();
    private CancellationTokenSource? _stopping;
    private Task? _loop;

    /// <summary>Seq of the last record taken into a batch (or the cursor's, after repositioning).</summary>
    private long _readSeq;

    /// <summary>UTC ticks of TimeGenerated of the oldest record read and not yet accepted; 0 when none.</summary>
    private long _oldestPendingTicks;

    /// <param name="client">Owned by the sink from now on (disposed with it).</param>
    public AzureMonitorSink(AzureMonitorSinkOptions options, LogsIngestionClient client, ILogger<AzureMonitorSink> logger,
        TimeProvider? time = null, Random? jitter = null)
    {
        _options = options;
        _client = client;
        _logger = logger;
        _time = time ?? TimeProvider.System;
        _cursorStore = new SpoolCursorStore(options.CursorPath);
        _batch = new IngestionBatch(options.MaxBodyBytes);
        _backoff = new RetryBackoff(options.InitialBackoff, options.MaxBackoff, jitter);
        _tail = new SegmentTail(options.LogDirectory, options.MaxLineBytes);
        _spool = new SpoolScanner(options.LogDirectory, () => _cursor, _time, TimeSpan.FromMilliseconds(100));
        _metrics = new SinkMetrics(options.Name, () => LagRecords, () => LagSeconds, () => UnshippedBytes,
            () => _health.State == SinkState.Halted ? 1 : 0);
    }

    public string Name => _options.Name;
    public SinkHealth Health => _health;
    public long UnshippedBytes => _spool.CurrentUnshippedBytes;

    public void Written(long bytes) => _spool.Written(bytes);
    public bool SpoolFull => UnshippedBytes >= _options.MaxSpoolBytes;
    public long ShippedSeq => _cursor.Seq;

    /// <summary>The durable cursor as last written.</summary>
    public SpoolCursor Cursor => _cursor;

    /// <summary>Records written locally and not yet accepted by the service.</summary>
    public long LagRecords => _spool.Current.RecordsAfter(_cursor.Seq);

    /// <summary>Age of the oldest record not yet accepted (0 when caught up).</summary>
    public double LagSeconds
    {
        get
        {
            var oldestTicks = Volatile.Read(ref _oldestPendingTicks);
            return oldestTicks == 0 || LagRecords == 0
                ? 0
                : Math.Max(0, (_time.GetUtcNow().UtcTicks - oldestTicks) / (double)TimeSpan.TicksPerSecond);
        }
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (_loop is not null)
            throw new InvalidOperationException($"sink {Name} is already started");
        Directory.CreateDirectory(_options.CursorDirectory);
        try
        {
            _cursor = await _cursorStore.LoadAsync(cancellationToken);
        }
        catch (InvalidDataException e)
        {
            AzureMonitorSinkLog.CursorUnreadable(_logger, Name, _cursorStore.Path, e.Message);
            _cursor = SpoolCursor.Beginning;
        }
        AzureMonitorSinkLog.Starting(_logger, Name, _cursor.Seq, _cursor.Segment, _cursor.Offset);
        Reposition();
        _health = new SinkHealth(SinkState.Starting, "started");
        _stopping = new CancellationTokenSource();
        _loop = Task.Run(() => RunAsync(_stopping.Token), CancellationToken.None);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_loop is null || _stopping is null)
            return;
        await _stopping.CancelAsync();
        try
        {
            await _loop.WaitAsync(cancellationToken);
        }
        finally
        {
            _loop = null;
            _stopping.Dispose();
            _stopping = null;
            _health = new SinkHealth(SinkState.Stopped, "stopped", _health.LastShipped, _health.LastStatus);
            AzureMonitorSinkLog.Stopped(_logger, Name, _cursor.Seq);
        }
    }

    public void Resume()
    {
        if (_resume.TrySetResult())
            AzureMonitorSinkLog.Resumed(_logger, Name);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(CancellationToken.None);
        _tail.Dispose();
        _batch.Dispose();
        _client.Dispose();
        _metrics.Dispose();
    }

    private void Reposition()
    {
        _batch.Clear();
        Volatile.Write(ref _oldestPendingTicks, 0);
        _tail.Reposition(_cursor);
        _readSeq = _cursor.Seq;
    }

    private void SetHealth(SinkState state, string detail, int? status = null, DateTimeOffset? shipped = null) =>
        _health = new SinkHealth(state, detail, shipped ?? _health.LastShipped, status ?? _health.LastStatus);

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
