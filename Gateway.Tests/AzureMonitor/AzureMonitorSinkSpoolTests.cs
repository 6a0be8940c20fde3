using Gateway.Core.Config;
using Gateway.Host.Sinks;

namespace Gateway.Tests.AzureMonitor;

/// <summary>The spool bound: signalled for the writer under refuse, enforced by the sink under drop_oldest.</summary>
[TestFixture]
public sealed class AzureMonitorSinkSpoolTests : SinkTestBase
{
    private const long MaxSpool = 64 * 1024;

    [Test]
    public async Task Spool_full_is_signalled_while_the_destination_is_down_and_clears_once_shipped()
    {
        Fixture.FailWith(503);
        var sink = CreateSink(o => o with { MaxSpoolBytes = MaxSpool });
        var set = new SinkSet([sink]);
        await sink.StartAsync(CancellationToken.None);

        Segments.AppendMany(20, payloadBytes: 200);
        var written = SegmentBytes();
        Assert.That(written, Is.LessThan(MaxSpool));
        await WaitUntilAsync(() => set.UnshippedBytes == written, TimeSpan.FromSeconds(5), "the unshipped bytes to be measured");
        Assert.That(set.SpoolFull, Is.False);

        Segments.Rotate();
        Segments.AppendMany(100, payloadBytes: 200);
        await WaitUntilAsync(() => set.SpoolFull, TimeSpan.FromSeconds(5), "spool full");
        Assert.That(SegmentBytes(), Is.GreaterThanOrEqualTo(MaxSpool));
        await WaitUntilAsync(() => set.UnshippedBytes == SegmentBytes(), TimeSpan.FromSeconds(5), "every written byte to count");
        Assert.That(sink.LagRecords, Is.EqualTo(Segments.LastSeq));
        Assert.That(set.ShippedThroughSeq, Is.EqualTo(SpoolCursor.Beginning.Seq));

        Fixture.FailWith(null);
        await WaitForDeliveryAsync(Segments.LastSeq, TimeSpan.FromSeconds(30));
        await WaitUntilAsync(() => !set.SpoolFull && set.UnshippedBytes == 0, TimeSpan.FromSeconds(5), "the spool to drain");
        Assert.That(set.ShippedThroughSeq, Is.EqualTo(Segments.LastSeq));
        Assert.That(sink.LagRecords, Is.Zero);
        Assert.That(DistinctSeqs(), Is.EqualTo(Range(1, Segments.LastSeq)), "refuse never drops");
    }

    [Test]
    public async Task Drop_oldest_skips_whole_segments_and_records_the_gap()
    {
        Fixture.FailWith(503);
        // Four closed segments of ~25 KiB (30 records of ~850 bytes) and a growing one; the limit holds about two and a half.
        for (var i = 0; i < 4; i++)
        {
            Segments.AppendMany(30, payloadBytes: 200);
            Segments.Rotate();
        }
        Segments.AppendMany(10, payloadBytes: 200);
        Assert.That(SegmentBytes(), Is.GreaterThan(MaxSpool + 25 * 1024));
        var sink = CreateSink(o => o with { MaxSpoolBytes = MaxSpool, OnSpoolFull = SpoolFullBehavior.DropOldest });
        await sink.StartAsync(CancellationToken.None);

        await WaitUntilAsync(() => !sink.SpoolFull && sink.Cursor.Gaps.Count > 0, TimeSpan.FromSeconds(10), "drop_oldest to act");
        Fixture.FailWith(null);
        await WaitUntilAsync(() => sink.Cursor.Seq == Segments.LastSeq, TimeSpan.FromSeconds(30), "the rest to ship");

        var stored = await new SpoolCursorStore(Path.Combine(Segments.CursorDirectory, "test-sink.json")).LoadAsync(CancellationToken.None);
        var dropped = stored.Gaps.SelectMany(g => Range(g.FromSeq, g.ToSeq)).ToList();
        Assert.That(stored.Gaps[0].FromSeq, Is.EqualTo(1), "the oldest records go first");
        Assert.That(stored.Gaps.All(g => (g.FromSeq - 1) % 30 == 0 && g.Count % 30 == 0), Is.True, "whole segments only");
        Assert.That(dropped, Is.Not.Empty);
        Assert.That(DistinctSeqs(), Is.EqualTo(Range(1, Segments.LastSeq).Except(dropped)), "everything not in a recorded gap arrived");
        Assert.That(DistinctSeqs().Max(), Is.EqualTo(Segments.LastSeq));
    }

    private long SegmentBytes() => Directory.GetFiles(Segments.LogDirectory).Sum(f => new FileInfo(f).Length);

    [Test]
    public void Without_sinks_nothing_holds_the_writer_or_retention_back()
    {
        var none = new SinkSet([]);
        Assert.That(none.SpoolFull, Is.False);
        Assert.That(none.UnshippedBytes, Is.Zero);
        Assert.That(none.ShippedThroughSeq, Is.EqualTo(long.MaxValue));
    }
}
