using Gateway.Core.Config;
using Gateway.Core.FrameLog;

namespace Gateway.Tests.FrameLog;

/// <summary>When the sinks' spool is full, the log refuses records (and so the gateway refuses commands) by default.</summary>
public sealed class SpoolFullTests
{
    private FrameLogFixture _log = null!;

    [SetUp]
    public void SetUp() => _log = new FrameLogFixture();

    [TearDown]
    public void TearDown() => _log.Delete();

    [Test]
    public async Task Appends_are_refused_while_the_spool_is_full_and_accepted_once_it_drains()
    {
        var spool = new SpoolStub { SpoolFull = true, UnshippedBytes = 5000 };
        await using var writer = await _log.OpenAsync(options: new FrameLogWriterOptions { SpoolStatus = spool });

        var refused = Assert.ThrowsAsync<FrameLogUnavailableException>(async () => await writer.AppendAsync(FrameLogFixture.Command(1)))!;
        Assert.That(refused.Message, Does.Contain("spool is full"));

        spool.SpoolFull = false;
        await writer.AppendAsync(FrameLogFixture.Command(2));
        Assert.That(writer.Stats.LastSeq, Is.GreaterThan(0));
    }

    [Test]
    public async Task A_command_and_decision_pair_is_refused_while_the_spool_is_full()
    {
        await using var writer = await _log.OpenAsync(options: new FrameLogWriterOptions { SpoolStatus = new SpoolStub { SpoolFull = true } });

        Assert.ThrowsAsync<FrameLogUnavailableException>(async () =>
            await writer.AppendPairAsync(FrameLogFixture.Command(1), FrameLogFixture.Command(2)));
    }

    [Test]
    public async Task Drop_oldest_keeps_accepting_records()
    {
        var config = FrameLogFixture.Config();
        config.OnSpoolFull = SpoolFullBehavior.DropOldest;
        await using var writer = await _log.OpenAsync(config, new FrameLogWriterOptions { SpoolStatus = new SpoolStub { SpoolFull = true } });

        await writer.AppendAsync(FrameLogFixture.Command(1));

        Assert.That(writer.Healthy, Is.True);
    }

    private sealed class SpoolStub : ISpoolStatus
    {
        public long UnshippedBytes { get; set; }
        public bool SpoolFull { get; set; }
        public long ShippedThroughSeq => 0;

        public void Written(long bytes) => UnshippedBytes += bytes;
    }
}
