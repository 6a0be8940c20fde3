using System.Text.Encodings.Web;
using System.Text.Json;
using System.Threading.Channels;
using Gateway.Core.Config;
using Microsoft.Extensions.Logging;

namespace Gateway.Core.FrameLog;

/// <summary>
/// The local frame log: append-only JSON-lines segments under <c>{state_dir}/log</c>, a SHA-256 hash chain,
/// signed checkpoints, rotation and retention. Callers enqueue; one writer task drains the queue in batches
/// (group commit): it stamps each record (Seq, PrevHash, Hash, Node, TimeGenerated), writes the batch with
/// one write, fsyncs once in <c>durability: fsync</c>, then completes every caller of the batch. In
/// <c>durability: buffered</c> a caller that finds no commit running commits itself, synchronously (see
/// <c>TryCommitInline</c>): the same group commit, without the hops to the writer task and back. A write
/// error fails the batch's appends with <see cref="FrameLogUnavailableException"/> and the writer refuses
/// appends until a later write succeeds (<see cref="Healthy"/>, <see cref="LastError"/>).
/// See docs/frame-log.md.
/// </summary>
public sealed partial class FrameLogWriter : IFrameLog, IAsyncDisposable
{
    private readonly AuditConfig _config;
    private readonly string _node;
    private readonly string _stateDirectory;
    private readonly string _logDirectory;
    private readonly FrameLogWriterOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ISegmentStorage _storage;
    private readonly NodeSigningKey _key;
    private readonly FileStream _lock;
    private readonly bool _requireShippedCursor;
    private readonly Channel<AppendTicket> _queue;
    private readonly BatchBuffer _buffer = new();
    private readonly Utf8JsonWriter _json;
    private readonly ChainHash _hash = new();
    private readonly List<FrameRecord> _internalRecords = [];
    private readonly SemaphoreSlim _commitGate = new(1, 1);
    private readonly List<AppendTicket> _inlineBatch = [];
    private readonly bool _inlineCommits;
    private readonly System.Collections.Concurrent.ConcurrentQueue<AppendTicket> _posted = new();
    private int _postedCount;
    private long _lastCommitAt;
    private ITimer? _postedFlush;
    private volatile bool _closed;
    private ITimer? _timer;
    private Task _loop = Task.CompletedTask;

    // Chain and segment state: touched only by the writer task (and by OpenAsync before it starts).
    private long _lastSeq;
    private string _head;
    private long _checkpointFrom;
    private DateTimeOffset _lastCheckpointAt;
    private ISegmentHandle? _segment;
    private long _segmentFirstSeq;
    private long _segmentLength;
    private DateTimeOffset _segmentOpenedAt;
    private bool _segmentNeedsRepair;
    private DateTimeOffset _lastRetentionCheck;

    // Health, read by any thread.
    private volatile bool _healthy = true;
    private volatile string? _lastError;
    private long _retryAtTicks;
    private long _batches;
    private long _records;
    private int _largestBatch;

    private FrameLogWriter(AuditConfig config, string stateDirectory, string node, FrameLogWriterOptions options, NodeSigningKey key, FileStream lockFile)
    {
        _config = config;
        _node = node;
        _stateDirectory = stateDirectory;
        _logDirectory = FrameLogPaths.LogDirectory(stateDirectory);
        _options = options;
        _time = options.Time;
        _logger = options.Logger;
        _storage = options.Storage;
        _key = key;
        _lock = lockFile;
        _requireShippedCursor = options.RequireShippedCursor ?? config.Sinks.Count > 0;
        _head = ChainHash.Genesis;
        _queue = Channel.CreateBounded<AppendTicket>(new BoundedChannelOptions(options.QueueCapacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        _inlineCommits = config.Durability == Durability.Buffered && _storage.WritesSynchronously;
        _json = new Utf8JsonWriter(_buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
    }

    /// <summary>
    /// Opens the log of <paramref name="node"/> under <paramref name="stateDirectory"/>: takes the writer lock,
    /// loads or creates the signing key, recovers a torn tail (noting it in a <c>recovery</c> record), and
    /// starts a new segment continuing the chain.
    /// </summary>
    /// <exception cref="FrameLogUnavailableException">The log cannot be opened (locked by another writer, unwritable, ...).</exception>
    public static async Task<FrameLogWriter> OpenAsync(
        AuditConfig config, string stateDirectory, string node, FrameLogWriterOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new FrameLogWriterOptions();
        var logDirectory = FrameLogPaths.LogDirectory(stateDirectory);
        FileStream lockFile;
        NodeSigningKey key;
        try
        {
            Directory.CreateDirectory(logDirectory);
            lockFile = new FileStream(Path.Combine(logDirectory, "writer.lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new FrameLogUnavailableException($"cannot lock the frame log in {logDirectory} (is another gateway using this state_dir?): {e.Message}", e);
        }

        FrameLogWriter? writer = null;
        try
        {
            key = NodeSigningKey.LoadOrCreate(FrameLogPaths.SigningKeyPath(stateDirectory));
            writer = new FrameLogWriter(config, stateDirectory, node, options, key, lockFile);
            await writer.StartAsync(cancellationToken).ConfigureAwait(false);
            return writer;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException)
        {
            if (writer is not null)
                await writer.DisposeAsync().ConfigureAwait(false);
            else
                await lockFile.DisposeAsync().ConfigureAwait(false);
            throw new FrameLogUnavailableException($"cannot open the frame log in {logDirectory}: {e.Message}", e);
        }
    }

    /// <summary>False after a write error until a later write succeeds: commands are refused meanwhile.</summary>
    public bool Healthy => _healthy;

    /// <summary>The last write error, kept after recovery for the health report.</summary>
    public string? LastError => _lastError;

    /// <summary>The public half of the checkpoint key, PEM.</summary>
    public string PublicKeyPem => _key.ExportPublicKeyPem();

    /// <summary>Counters for health and metrics (and for tests that prove group commit happens).</summary>
    public FrameLogWriterStats Stats => new(
        Interlocked.Read(ref _records), Interlocked.Read(ref _batches), Volatile.Read(ref _largestBatch), Interlocked.Read(ref _lastSeqPublished));

    private long _lastSeqPublished;

    /// <summary>Appends queued and not yet taken by the writer (tests use it to line up a group commit).</summary>
    internal int QueuedAppends => _queue.Reader.Count;

    /// <inheritdoc />
    /// <remarks>The record is stamped in place (Seq, Hash, ...): do not reuse or change it until the append completes.</remarks>
    public ValueTask AppendAsync(FrameRecord record, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(record);
        if (!_healthy && _time.GetUtcNow().UtcTicks < Interlocked.Read(ref _retryAtTicks))
            return ValueTask.FromException(Unavailable());
        if (_options.SpoolStatus is { SpoolFull: true } && _config.OnSpoolFull == SpoolFullBehavior.Refuse)
            return ValueTask.FromException(new FrameLogUnavailableException(
                $"the audit spool is full ({_options.SpoolStatus.UnshippedBytes} bytes not yet shipped to the sinks; audit.max_spool = {_config.MaxSpool})"));
        if (_inlineCommits && TryCommitInline(record) is { } committed)
            return committed.AsValueTask();   // already complete: the caller continues without a thread hop
        var ticket = AppendTicket.Rent(record);
        var pending = ticket.AsValueTask();
        if (_queue.Writer.TryWrite(ticket))
            return pending;
        return EnqueueSlowAsync(ticket, cancellationToken);
    }

    private async ValueTask EnqueueSlowAsync(AppendTicket ticket, CancellationToken cancellationToken)
    {
        try
        {
            await _queue.Writer.WriteAsync(ticket, cancellationToken).ConfigureAwait(false);
        }
        catch (ChannelClosedException e)
        {
            throw new FrameLogUnavailableException("the frame log is closed", e);
        }
        // Once queued the record may be written: the caller waits for the outcome, cancellation or not.
        await ticket.AsValueTask().ConfigureAwait(false);
    }

    private FrameLogUnavailableException Unavailable() =>
        new($"the frame log cannot be written: {_lastError ?? "closed"}");

    private async Task StartAsync(CancellationToken cancellationToken)
    {
        var recovery = await SegmentRecovery.RecoverAsync(_logDirectory, _options.MaxRecordBytes, cancellationToken).ConfigureAwait(false);
        _lastSeq = recovery.LastSeq;
        Volatile.Write(ref _lastSeqPublished, _lastSeq);
        _head = recovery.HeadHash;
        // A log that ends without a checkpoint (the last run crashed) gets one soon, signing its head.
        _checkpointFrom = recovery.LastKind is null or FrameKinds.Checkpoint ? _lastSeq + 1 : _lastSeq;
        var now = _time.GetUtcNow();
        _lastCheckpointAt = now;
        _lastRetentionCheck = DateTimeOffset.MinValue;
        if (recovery.CutAnything)
        {
            Log.RecoveredTornTail(_logger, recovery.CutBytes, recovery.CutSegment ?? "", recovery.LastSeq);
            _internalRecords.Add(GatewayRecord(FrameKinds.Recovery, recovery.ToPayload()));
        }
        OpenSegment(now);

        // The first batch (recovery note, retention) is written before anyone can append, so a log that
        // cannot be written fails here, at start, rather than on the first command.
        await CommitAsync([], closing: false).ConfigureAwait(false);
        if (!_healthy)
            throw new IOException(_lastError);

        _loop = Task.Run(RunAsync, CancellationToken.None);
        var period = TickPeriod();
        _timer = _time.CreateTimer(static state => ((FrameLogWriter)state!)._queue.Writer.TryWrite(AppendTicket.Tick), this, period, period);
        StartPostedFlush();
    }

    private TimeSpan TickPeriod()
    {
        var shortest = new[] { _config.CheckpointInterval, _config.SegmentMaxAge, TimeSpan.FromMinutes(1) }
            .Where(t => t > TimeSpan.Zero).Min();
        var period = shortest / 4;
        return period < TimeSpan.FromMilliseconds(50) ? TimeSpan.FromMilliseconds(50) : period;
    }

    private FrameRecord GatewayRecord(string kind, System.Text.Json.Nodes.JsonObject payload) => new()
    {
        Kind = kind,
        Direction = "gateway",
        Payload = payload,
    };

    /// <summary>Stops taking appends, writes what is queued and a final checkpoint, and closes the segment.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_timer is not null)
            await _timer.DisposeAsync().ConfigureAwait(false);
        if (_postedFlush is not null)
            await _postedFlush.DisposeAsync().ConfigureAwait(false);
        _queue.Writer.TryComplete();
        await _loop.ConfigureAwait(false);
        _segment?.Dispose();
        _segment = null;
        _json.Dispose();
        _hash.Dispose();
        _key.Dispose();
        await _lock.DisposeAsync().ConfigureAwait(false);
    }
}

/// <summary>Writer counters: records and batches written, the largest batch, and the last assigned Seq.</summary>
public readonly record struct FrameLogWriterStats(long Records, long Batches, int LargestBatch, long LastSeq);
