using System.Text.Json.Nodes;
using Gateway.Core.Config;
using Gateway.Core.FrameLog;

namespace Gateway.Tests.FrameLog;

/// <summary>A temporary state directory with helpers to write and inspect a frame log.</summary>
internal sealed class FrameLogFixture
{
    public FrameLogFixture()
    {
        StateDirectory = Path.Combine(Path.GetTempPath(), "gw-framelog-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(StateDirectory);
    }

    public string StateDirectory { get; }
    public string LogDirectory => FrameLogPaths.LogDirectory(StateDirectory);

    public static AuditConfig Config(int checkpointEvery = 10, Durability durability = Durability.Buffered, long segmentMaxBytes = 64L * 1024 * 1024) => new()
    {
        CheckpointEvery = checkpointEvery,
        CheckpointInterval = TimeSpan.FromHours(1),
        SegmentMaxBytes = segmentMaxBytes,
        SegmentMaxAge = TimeSpan.FromHours(1),
        Durability = durability,
    };

    public Task<FrameLogWriter> OpenAsync(AuditConfig? config = null, FrameLogWriterOptions? options = null) =>
        FrameLogWriter.OpenAsync(config ?? Config(), StateDirectory, "node-a", options);

    public static FrameRecord Command(int i, string session = "s1") => new()
    {
        Kind = FrameKinds.Command,
        SessionId = session,
        Protocol = "postgres",
        Direction = "client",
        Subject = "alice",
        Command = $"select {i} as n, 'value {i}' as label",
        CommandKind = "select",
        Payload = new JsonObject { ["origin"] = "query" },
    };

    public async Task WriteCommandsAsync(int count, AuditConfig? config = null)
    {
        await using var writer = await OpenAsync(config);
        for (var i = 0; i < count; i++)
            await writer.AppendAsync(Command(i));
    }

    public Task<FrameLogVerification> VerifyAsync() => FrameLogVerifier.ForStateDirectory(StateDirectory).VerifyAsync();

    public IReadOnlyList<SegmentFile> Segments() => FrameLogPaths.ListSegments(LogDirectory);

    public async Task<List<FrameRecord>> ReadAllAsync()
    {
        var records = new List<FrameRecord>();
        await foreach (var entry in new FrameLogReader(LogDirectory).ReadRecordsAsync())
            records.Add(entry.Record);
        return records;
    }

    public void Delete()
    {
        try
        {
            Directory.Delete(StateDirectory, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }
}

/// <summary>A clock the test moves by hand; timers still run on real time (they only nudge the writer).</summary>
internal sealed class ManualClock(DateTimeOffset start) : TimeProvider
{
    private DateTimeOffset _now = start;

    public override DateTimeOffset GetUtcNow() => _now;

    public void Advance(TimeSpan by) => _now += by;
}

/// <summary>
/// The disk with fault switches for what a real disk does only on bad days: every write fails (ENOSPC),
/// a write lands half-way then fails, and a gate that holds the next write so appends pile up behind it.
/// </summary>
internal sealed class FaultySegmentStorage : ISegmentStorage
{
    public Exception? FailWrites { get; set; }
    public bool WriteHalfBeforeFailing { get; set; }
    public int WriteAttempts;
    public TaskCompletionSource? Gate { get; set; }

    public ISegmentHandle Open(string path) => new Handle(this, DiskSegmentStorage.Instance.Open(path));

    public void SyncDirectory(string directory) => DiskSegmentStorage.Instance.SyncDirectory(directory);

    private sealed class Handle(FaultySegmentStorage owner, ISegmentHandle inner) : ISegmentHandle
    {
        public long Length => inner.Length;

        public async ValueTask WriteAsync(ReadOnlyMemory<byte> data, long offset)
        {
            Interlocked.Increment(ref owner.WriteAttempts);
            if (owner.Gate is { } gate)
            {
                owner.Gate = null;
                await gate.Task;
            }
            if (owner.FailWrites is { } failure)
            {
                if (owner.WriteHalfBeforeFailing)
                    await inner.WriteAsync(data[..(data.Length / 2)], offset);
                throw failure;
            }
            await inner.WriteAsync(data, offset);
        }

        public void FlushToDisk() => inner.FlushToDisk();

        public void SetLength(long length) => inner.SetLength(length);

        public void Dispose() => inner.Dispose();
    }
}
