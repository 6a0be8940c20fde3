using Gateway.Core.Config;
using Gateway.Core.FrameLog;

namespace Gateway.Tests.FrameLog;

/// <summary>
/// <c>durability: buffered</c> on a real disk: a caller that finds no commit running writes its record itself
/// (no hop to the writer task), while others queue behind it. Whichever path a record takes, the chain stays
/// gap-free and each caller's records stay in the order it appended them.
/// </summary>
public sealed class InlineCommitTests
{
    private FrameLogFixture _log = null!;

    [SetUp]
    public void SetUp() => _log = new FrameLogFixture();

    [TearDown]
    public void TearDown() => _log.Delete();

    [Test]
    public async Task AnUncontendedAppendCompletesBeforeItReturns()
    {
        await using var writer = await _log.OpenAsync();
        var record = FrameLogFixture.Command(1);

        var pending = writer.AppendAsync(record);

        Assert.That(pending.IsCompletedSuccessfully, Is.True, "written on the caller's thread");
        await pending;
        Assert.That(record.Seq, Is.EqualTo(1));
        Assert.That(File.ReadAllText(_log.Segments()[0].Path), Does.Contain(record.Hash), "on disk (page cache) when the append completes");
    }

    [Test]
    public async Task ConcurrentWritersKeepTheirOrderAndTheChainWhicheverPathTheyTake()
    {
        const int writers = 8;
        const int perWriter = 300;
        var writer = await _log.OpenAsync(FrameLogFixture.Config(checkpointEvery: 50));
        var tasks = Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
        {
            var records = new List<FrameRecord>();
            for (var i = 0; i < perWriter; i++)
            {
                var record = FrameLogFixture.Command(i, $"w{w}");
                // Every other record is not awaited before the next is appended, as session results are not.
                var append = writer.AppendAsync(record);
                if (i % 2 == 0)
                    await append;
                else
                    _ = append.AsTask();
                records.Add(record);
            }
            return records;
        })).ToArray();
        await Task.WhenAll(tasks);
        await writer.DisposeAsync();

        var all = await _log.ReadAllAsync();
        var commands = all.Where(r => r.Kind == FrameKinds.Command).ToList();
        Assert.That(commands, Has.Count.EqualTo(writers * perWriter));
        foreach (var session in commands.GroupBy(r => r.SessionId))
        {
            Assert.That(session.Select(r => r.Command), Is.EqualTo(Enumerable.Range(0, perWriter).Select(i => FrameLogFixture.Command(i).Command)),
                $"{session.Key}'s records are in the order it appended them");
        }
        var verification = await _log.VerifyAsync();
        Assert.That(verification.Problem, Is.Null);
        Assert.That(verification.Records, Is.EqualTo(all.Count));
    }

    [Test]
    public async Task APostedRecordIsWrittenWithTheNextCommitInItsOrder()
    {
        await using var writer = await _log.OpenAsync(FrameLogFixture.Config(checkpointEvery: 1000));
        await writer.AppendAsync(FrameLogFixture.Command(1));
        var batchesBefore = writer.Stats.Batches;
        var result = FrameLogFixture.Command(2);
        result.Kind = FrameKinds.Result;

        writer.Post(result);
        await writer.AppendAsync(FrameLogFixture.Command(3));

        Assert.That(writer.Stats.Batches, Is.EqualTo(batchesBefore + 1), "the posted record shared the next command's write");
        var records = await _log.ReadAllAsync();
        Assert.That(records.Select(r => r.Command), Is.EqualTo(new[] { 1, 2, 3 }.Select(i => FrameLogFixture.Command(i).Command)));
    }

    [Test]
    public async Task APostedRecordIsWrittenSoonWithoutAnotherAppend()
    {
        await using var writer = await _log.OpenAsync(FrameLogFixture.Config(checkpointEvery: 1000));
        var result = FrameLogFixture.Command(1);
        result.Kind = FrameKinds.Result;

        writer.Post(result);

        // The flush timer writes it within FrameLogWriter.PostedFlushPeriod; the deadline is generous (no timing assertion).
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (writer.Stats.LastSeq < 1 && DateTime.UtcNow < deadline)
            await Task.Delay(10);
        Assert.That((await _log.ReadAllAsync()).Select(r => r.Kind), Is.EqualTo(new[] { FrameKinds.Result }));
    }

    [Test]
    public async Task PostedRecordsAreWrittenBeforeTheLogCloses()
    {
        var writer = await _log.OpenAsync(FrameLogFixture.Config(checkpointEvery: 1000));
        for (var i = 0; i < 300; i++)
            writer.Post(FrameLogFixture.Command(i));
        await writer.DisposeAsync();

        var records = await _log.ReadAllAsync();
        Assert.That(records.Where(r => r.Kind == FrameKinds.Command).Select(r => r.Command),
            Is.EqualTo(Enumerable.Range(0, 300).Select(i => FrameLogFixture.Command(i).Command)));
        Assert.That((await _log.VerifyAsync()).Problem, Is.Null);
    }

    [Test]
    public async Task APairIsOneWriteAndFailsWhenItsFirstRecordIsRefused()
    {
        await using var writer = await _log.OpenAsync(FrameLogFixture.Config(checkpointEvery: 1000), new FrameLogWriterOptions { MaxRecordBytes = 4096 });
        await writer.AppendAsync(FrameLogFixture.Command(0));
        var batchesBefore = writer.Stats.Batches;

        await writer.AppendPairAsync(FrameLogFixture.Command(1), FrameLogFixture.Command(2));
        Assert.That(writer.Stats.Batches, Is.EqualTo(batchesBefore + 1));

        var tooLarge = FrameLogFixture.Command(3);
        tooLarge.Command = new string('x', 10_000);
        Assert.ThrowsAsync<FrameLogUnavailableException>(async () => await writer.AppendPairAsync(tooLarge, FrameLogFixture.Command(4)),
            "the caller must not forward a command whose record was refused, even though its decision record was written");
    }

    [Test]
    public async Task FsyncDurabilityWritesPairsAndPostsThroughTheWriterTaskInOrder()
    {
        var writer = await _log.OpenAsync(FrameLogFixture.Config(checkpointEvery: 1000, durability: Durability.Fsync));
        await writer.AppendPairAsync(FrameLogFixture.Command(1), FrameLogFixture.Command(2));
        writer.Post(FrameLogFixture.Command(3));
        await writer.AppendAsync(FrameLogFixture.Command(4));
        await writer.DisposeAsync();

        var commands = (await _log.ReadAllAsync()).Where(r => r.Kind == FrameKinds.Command).Select(r => r.Command);
        Assert.That(commands, Is.EqualTo(new[] { 1, 2, 3, 4 }.Select(i => FrameLogFixture.Command(i).Command)));
    }

    [Test]
    public async Task AppendsToAClosedLogAreRefused()
    {
        var writer = await _log.OpenAsync();
        await writer.DisposeAsync();

        Assert.ThrowsAsync<FrameLogUnavailableException>(async () => await writer.AppendAsync(FrameLogFixture.Command(1)));
        Assert.ThrowsAsync<FrameLogUnavailableException>(async () => await writer.AppendPairAsync(FrameLogFixture.Command(2), FrameLogFixture.Command(3)));
        Assert.DoesNotThrow(() => writer.Post(FrameLogFixture.Command(4)), "a posted record is dropped, not thrown back");
    }

    [Test]
    public async Task FsyncDurabilityStillCommitsOnTheWriterTask()
    {
        await using var writer = await _log.OpenAsync(FrameLogFixture.Config(durability: Durability.Fsync));
        var record = FrameLogFixture.Command(1);

        await writer.AppendAsync(record);

        Assert.That(record.Seq, Is.EqualTo(1));
        Assert.That(writer.Stats.Batches, Is.EqualTo(1));
    }
}
