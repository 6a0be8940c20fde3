using System.Text;
using System.Text.Json.Nodes;
using Gateway.Core.Config;
using Gateway.Core.FrameLog;

namespace Gateway.Tests.FrameLog;

public sealed class FrameLogWriterTests
{
    private FrameLogFixture _log = null!;

    [SetUp]
    public void SetUp() => _log = new FrameLogFixture();

    [TearDown]
    public void TearDown() => _log.Delete();

    [Test]
    public async Task FreshLogChainsAndCheckpointSignaturesVerify()
    {
        await _log.WriteCommandsAsync(25, FrameLogFixture.Config(checkpointEvery: 10));

        var result = await _log.VerifyAsync();

        Assert.That(result.Problem, Is.Null);
        Assert.That(result.Intact, Is.True);
        // 25 commands, a checkpoint after every 10, and a final one on close.
        Assert.That(result.Checkpoints, Is.EqualTo(3));
        Assert.That(result.Records, Is.EqualTo(28));
        Assert.That(result.FirstSeq, Is.EqualTo(1));
        Assert.That(result.LastSeq, Is.EqualTo(28));
    }

    [Test]
    public async Task LinesArePascalCaseJsonWithNullColumnsOmittedAndUtcTime()
    {
        await _log.WriteCommandsAsync(1);

        var line = File.ReadLines(_log.Segments()[0].Path).First();
        var json = JsonNode.Parse(line)!.AsObject();

        Assert.That(json.Select(p => p.Key), Is.EqualTo(new[]
        {
            "TimeGenerated", "Seq", "PrevHash", "Node", "SessionId", "Protocol", "Kind", "Direction", "Subject",
            "Command", "CommandKind", "Payload", "Truncated", "Hash",
        }));
        Assert.That(json["TimeGenerated"]!.GetValue<string>(), Does.EndWith("Z"));
        Assert.That(json["Seq"]!.GetValue<long>(), Is.EqualTo(1));
        Assert.That(json["PrevHash"]!.GetValue<string>(), Is.EqualTo(ChainHash.Genesis));
        Assert.That(json["Node"]!.GetValue<string>(), Is.EqualTo("node-a"));
        Assert.That(File.ReadAllText(_log.Segments()[0].Path), Does.EndWith("\n"));
    }

    [Test]
    public async Task SeqContinuesAcrossRestartsAndRotatedSegments()
    {
        var config = FrameLogFixture.Config(checkpointEvery: 1000, segmentMaxBytes: 2048);
        await _log.WriteCommandsAsync(30, config);
        await _log.WriteCommandsAsync(30, config);

        var records = await _log.ReadAllAsync();
        var segments = _log.Segments();

        Assert.That(records.Select(r => r.Seq), Is.EqualTo(Enumerable.Range(1, records.Count).Select(i => (long)i)));
        Assert.That(segments, Has.Count.GreaterThan(4), "2 KiB segments rotate every few records");
        foreach (var segment in segments)
        {
            var first = FrameRecordJson.Parse(Encoding.UTF8.GetBytes(File.ReadLines(segment.Path).First()));
            Assert.That(first.Seq, Is.EqualTo(segment.FirstSeq), segment.Name);
        }
        Assert.That((await _log.VerifyAsync()).Problem, Is.Null);
    }

    [Test]
    public async Task EightConcurrentWritersAreGroupCommittedGaplessly()
    {
        var storage = new FaultySegmentStorage();
        await using var writer = await _log.OpenAsync(
            FrameLogFixture.Config(checkpointEvery: 100_000, durability: Durability.Fsync),
            new FrameLogWriterOptions { Storage = storage });

        // Hold the first write so the eight writers' appends queue up behind it: the next batch takes them together.
        storage.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var gate = storage.Gate;
        var first = writer.AppendAsync(FrameLogFixture.Command(-1, "gate")).AsTask();
        const int perWriter = 200;
        var writers = Enumerable.Range(0, 8).Select(w => Task.Run(async () =>
        {
            var records = new List<FrameRecord>();
            for (var i = 0; i < perWriter; i++)
            {
                var record = FrameLogFixture.Command(i, $"w{w}");
                await writer.AppendAsync(record);
                records.Add(record);
            }
            return records;
        })).ToArray();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (writer.QueuedAppends < 8 && DateTime.UtcNow < deadline)
            await Task.Delay(5);
        gate.SetResult();
        await first;
        var written = (await Task.WhenAll(writers)).SelectMany(r => r).ToList();

        Assert.That(written, Has.Count.EqualTo(8 * perWriter));
        Assert.That(written.Select(r => r.Seq).Order(), Is.EqualTo(Enumerable.Range(2, 8 * perWriter).Select(i => (long)i)));
        Assert.That(writer.Stats.Records, Is.EqualTo(8 * perWriter + 1));
        Assert.That(writer.Stats.LargestBatch, Is.GreaterThanOrEqualTo(8));
        Assert.That(writer.Stats.Batches, Is.LessThan(writer.Stats.Records));
        await writer.DisposeAsync();
        Assert.That((await _log.VerifyAsync()).Problem, Is.Null);
    }

    [Test]
    public async Task WriteFailureRefusesAppendsUntilAWriteSucceeds()
    {
        var storage = new FaultySegmentStorage();
        var clock = new ManualClock(DateTimeOffset.Parse("2025-03-01T10:00:00Z"));
        await using var writer = await _log.OpenAsync(
            FrameLogFixture.Config(),
            new FrameLogWriterOptions { Storage = storage, Time = clock, RetryInterval = TimeSpan.FromSeconds(5) });
        await writer.AppendAsync(FrameLogFixture.Command(1));

        storage.FailWrites = new IOException("No space left on device");
        storage.WriteHalfBeforeFailing = true;
        var failed = Assert.ThrowsAsync<FrameLogUnavailableException>(async () => await writer.AppendAsync(FrameLogFixture.Command(2)));
        Assert.That(failed!.Message, Does.Contain("No space left on device"));
        Assert.That(writer.Healthy, Is.False);
        Assert.That(writer.LastError, Does.Contain("No space left on device"));

        // Within the retry interval appends are refused without touching the disk, even once it is fine again.
        storage.FailWrites = null;
        var attempts = storage.WriteAttempts;
        Assert.ThrowsAsync<FrameLogUnavailableException>(async () => await writer.AppendAsync(FrameLogFixture.Command(3)));
        Assert.That(storage.WriteAttempts, Is.EqualTo(attempts));
        Assert.That(writer.Healthy, Is.False);

        clock.Advance(TimeSpan.FromSeconds(6));
        var record = FrameLogFixture.Command(4);
        await writer.AppendAsync(record);

        Assert.That(writer.Healthy, Is.True);
        Assert.That(record.Seq, Is.EqualTo(2), "failed records leave no Seq gap");
        await writer.DisposeAsync();
        var result = await _log.VerifyAsync();
        Assert.That(result.Problem, Is.Null, "the half-written batch was cut before the next write");
        Assert.That((await _log.ReadAllAsync()).Where(r => r.Kind == FrameKinds.Command).Select(r => r.Command),
            Is.EqualTo(new[] { FrameLogFixture.Command(1).Command, FrameLogFixture.Command(4).Command }));
    }

    [Test]
    public async Task OversizedRecordIsRefusedAloneWithoutConsumingASeq()
    {
        await using var writer = await _log.OpenAsync(options: new FrameLogWriterOptions { MaxRecordBytes = 4096 });
        var big = FrameLogFixture.Command(1);
        big.Command = new string('x', 10_000);

        Assert.ThrowsAsync<FrameLogUnavailableException>(async () => await writer.AppendAsync(big));
        var next = FrameLogFixture.Command(2);
        await writer.AppendAsync(next);

        Assert.That(next.Seq, Is.EqualTo(1));
        Assert.That(writer.Healthy, Is.True);
    }

    [Test]
    public async Task IdleHeadIsCheckpointedAfterTheInterval()
    {
        var config = FrameLogFixture.Config(checkpointEvery: 1000);
        config.CheckpointInterval = TimeSpan.FromMilliseconds(200);
        await using var writer = await _log.OpenAsync(config);
        await writer.AppendAsync(FrameLogFixture.Command(1));

        // The writer's timer nudges it; wait for the checkpoint (not a timing assertion: the deadline is generous).
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (writer.Stats.LastSeq < 2 && DateTime.UtcNow < deadline)
            await Task.Delay(20);

        var records = await _log.ReadAllAsync();
        Assert.That(records.Select(r => r.Kind), Is.EqualTo(new[] { FrameKinds.Command, FrameKinds.Checkpoint }));
        Assert.That(records[1].Payload!["head_hash"]!.GetValue<string>(), Is.EqualTo(records[0].Hash));
    }

    [Test]
    public async Task SegmentRotatesByAge()
    {
        var clock = new ManualClock(DateTimeOffset.Parse("2025-03-01T10:00:00Z"));
        var config = FrameLogFixture.Config(checkpointEvery: 1000);
        config.SegmentMaxAge = TimeSpan.FromMinutes(10);
        await using var writer = await _log.OpenAsync(config, new FrameLogWriterOptions { Time = clock });
        await writer.AppendAsync(FrameLogFixture.Command(1));
        clock.Advance(TimeSpan.FromMinutes(11));
        await writer.AppendAsync(FrameLogFixture.Command(2));

        Assert.That(_log.Segments().Select(s => s.FirstSeq), Is.EqualTo(new long[] { 1, 2 }));
    }

    [Test]
    public async Task SecondWriterOnTheSameStateDirectoryIsRefused()
    {
        await using var writer = await _log.OpenAsync();

        Assert.ThrowsAsync<FrameLogUnavailableException>(async () => await _log.OpenAsync());
    }

    [Test]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task SigningKeyIsCreatedOwnerOnly()
    {
        await _log.WriteCommandsAsync(1);

        var mode = File.GetUnixFileMode(FrameLogPaths.SigningKeyPath(_log.StateDirectory));
        Assert.That(mode, Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite));
    }

    [Test]
    public async Task RetentionDeletesShippedOldSegmentsAndVerifierAcceptsTheCut()
    {
        var config = FrameLogFixture.Config(checkpointEvery: 1000, segmentMaxBytes: 2048);
        config.Retention = TimeSpan.FromHours(1);
        config.Sinks.Add(new SinkConfig { Type = "azure_monitor" });
        await _log.WriteCommandsAsync(40, config);
        var before = _log.Segments();
        foreach (var segment in before)
            File.SetLastWriteTimeUtc(segment.Path, DateTime.UtcNow.AddHours(-2));
        var cursors = FrameLogPaths.CursorDirectory(_log.StateDirectory);
        Directory.CreateDirectory(cursors);
        var shippedThrough = before[3].FirstSeq - 1;
        await File.WriteAllTextAsync(Path.Combine(cursors, "azure.json"), $"{{\"seq\": {shippedThrough}}}");

        await _log.WriteCommandsAsync(1, config);

        var after = _log.Segments();
        Assert.That(after[0].FirstSeq, Is.EqualTo(before[3].FirstSeq), "segments fully shipped are gone, the rest kept");
        var result = await _log.VerifyAsync();
        Assert.That(result.Problem, Is.Null);
        Assert.That(result.Notes, Has.Some.Contains("deleted by retention"));

        File.Delete(after[0].Path);
        var tampered = await _log.VerifyAsync();
        Assert.That(tampered.Problem!.What, Does.Contain("no retention record accounts for them"));
    }
}
