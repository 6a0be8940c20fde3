using System.Text.Json.Nodes;
using Gateway.Host.Sinks;

namespace Gateway.Tests.AzureMonitor;

/// <summary>Nothing is lost: outages, throttling, size limits, restarts.</summary>
[TestFixture]
public sealed class AzureMonitorSinkDeliveryTests : SinkTestBase
{
    [Test]
    public async Task Every_record_arrives_through_a_15_second_outage()
    {
        Fixture.OutageFor(TimeSpan.FromSeconds(15));
        var sink = CreateSink();
        await sink.StartAsync(CancellationToken.None);

        // Records keep coming during the outage, across rotations.
        for (var segment = 0; segment < 4; segment++)
        {
            Segments.AppendMany(400, payloadBytes: 300);
            Segments.Rotate();
            await Task.Delay(500);
        }
        Segments.AppendMany(100);

        await WaitForDeliveryAsync(Segments.LastSeq, TimeSpan.FromSeconds(60));

        Assert.That(DistinctSeqs(), Is.EqualTo(Range(1, Segments.LastSeq)));
        Assert.That(Fixture.Calls.Count(c => c.Status == 503), Is.GreaterThan(3), "the outage was seen and retried");
        Assert.That(Fixture.Calls.Max(c => c.UncompressedBytes), Is.LessThanOrEqualTo(LogsIngestionFixture.MaxBodyBytes));
        await WaitUntilAsync(() => sink.Cursor.Seq == Segments.LastSeq, TimeSpan.FromSeconds(5), "the cursor to reach the end");
        Assert.That(sink.Health.State, Is.EqualTo(SinkState.Healthy));
    }

    [Test]
    public async Task Every_record_arrives_through_a_throttling_storm_and_each_retry_hint_is_honoured()
    {
        Segments.AppendMany(1200, payloadBytes: 100);
        Fixture.Throttle(6, RetryAfterStyle.Milliseconds, TimeSpan.FromMilliseconds(150));
        Fixture.Throttle(2, RetryAfterStyle.Seconds, TimeSpan.FromSeconds(1));
        Fixture.Throttle(1, RetryAfterStyle.HttpDate, TimeSpan.FromSeconds(1));
        Fixture.Throttle(4, RetryAfterStyle.Milliseconds, TimeSpan.FromMilliseconds(50));
        var sink = CreateSink(o => o with { BatchRecords = 100 });
        await sink.StartAsync(CancellationToken.None);

        await WaitForDeliveryAsync(Segments.LastSeq, TimeSpan.FromSeconds(60));

        Assert.That(DistinctSeqs(), Is.EqualTo(Range(1, Segments.LastSeq)));
        var calls = Fixture.Calls;
        Assert.That(calls.Count(c => c.Status == 429), Is.EqualTo(13));
        for (var i = 0; i < calls.Count - 1; i++)
        {
            if (calls[i].RetryHint is not { } hint)
                continue;
            // The sink never came back before the server said it may (a few ms for clock granularity).
            Assert.That(calls[i + 1].At - calls[i].At, Is.GreaterThanOrEqualTo(hint - TimeSpan.FromMilliseconds(5)),
                $"call {i + 1} came too early after a 429 asking for {hint}");
        }
    }

    [Test]
    public async Task No_call_exceeds_1_MiB_uncompressed()
    {
        // 500 records of ~10 KiB: one batch by count would be ~5 MiB, so the byte cap must cut it.
        Segments.AppendMany(500, payloadBytes: 10 * 1024);
        var sink = CreateSink();
        await sink.StartAsync(CancellationToken.None);

        await WaitForDeliveryAsync(Segments.LastSeq, TimeSpan.FromSeconds(60));

        var accepted = Fixture.Calls.Where(c => c.Status == 204).ToList();
        Assert.That(accepted, Has.Count.GreaterThanOrEqualTo(5));
        Assert.That(Fixture.Calls.Max(c => c.UncompressedBytes), Is.LessThanOrEqualTo(LogsIngestionFixture.MaxBodyBytes));
        Assert.That(Fixture.Calls.Any(c => c.Status == 413), Is.False);
        Assert.That(DistinctSeqs(), Is.EqualTo(Range(1, Segments.LastSeq)));
    }

    [Test]
    public async Task A_single_record_over_the_limit_is_sent_truncated_with_a_marker()
    {
        Segments.AppendMany(3);
        var big = Segments.Append(payloadBytes: 2 * 1024 * 1024);
        Segments.AppendMany(3);
        var sink = CreateSink();
        await sink.StartAsync(CancellationToken.None);

        await WaitForDeliveryAsync(Segments.LastSeq, TimeSpan.FromSeconds(30));

        var records = Fixture.Records.ToDictionary(SeqOf);
        var truncated = records[big];
        Assert.That(truncated["Truncated"]!.GetValue<bool>(), Is.True);
        Assert.That(truncated["Payload"]!["_truncated"], Is.Not.Null);
        Assert.That(truncated["Payload"]!["OriginalBytes"]!.GetValue<int>(), Is.GreaterThan(2 * 1024 * 1024));
        Assert.That(truncated["Command"]!.GetValue<string>(), Is.EqualTo($"select * from orders where id = {big}"));
        Assert.That(truncated["Hash"]!.GetValue<string>(), Has.Length.EqualTo(64), "the record keeps its identity");
        Assert.That(records[big - 1]["Truncated"]!.GetValue<bool>(), Is.False);
        Assert.That(records[big + 1]["Payload"]!["filler"], Is.Not.Null);
        Assert.That(Fixture.Calls.Max(c => c.UncompressedBytes), Is.LessThanOrEqualTo(LogsIngestionFixture.MaxBodyBytes));
    }

    [Test]
    public async Task A_restarted_sink_resumes_at_its_cursor_without_loss_or_repeat()
    {
        Segments.AppendMany(700);
        Segments.Rotate();
        Segments.AppendMany(800);
        Fixture.OutageAfter(3);
        var first = CreateSink(o => o with { BatchRecords = 200 });
        await first.StartAsync(CancellationToken.None);
        await WaitUntilAsync(() => Fixture.Calls.Any(c => c.Status == 503), TimeSpan.FromSeconds(20), "the outage to begin");
        await first.StopAsync(CancellationToken.None);

        var shipped = DistinctSeqs();
        Assert.That(shipped, Is.EqualTo(Range(1, 600)), "three calls of 200 records were accepted before the outage");
        var stored = await new SpoolCursorStore(Path.Combine(Segments.CursorDirectory, "test-sink.json")).LoadAsync(CancellationToken.None);
        Assert.That(stored.Seq, Is.EqualTo(600));
        Assert.That(stored.Segment, Is.EqualTo(SpoolSegment.NameFor(1)));

        Fixture.EndOutage();
        Segments.AppendMany(50); // written while no sink ran
        var second = CreateSink();
        await second.StartAsync(CancellationToken.None);
        await WaitForDeliveryAsync(Segments.LastSeq, TimeSpan.FromSeconds(30));

        Assert.That(DistinctSeqs(), Is.EqualTo(Range(1, Segments.LastSeq)));
        Assert.That(Fixture.Records, Has.Count.EqualTo(Segments.LastSeq), "a clean stop sends nothing twice");
    }

    [Test]
    public async Task Lines_that_are_not_records_are_skipped_and_every_record_around_them_arrives()
    {
        Segments.AppendMany(5);
        Segments.WriteRaw("this is not json\n");
        Segments.WriteRaw("\n");
        Segments.WriteRaw("[{\"Seq\":999}]\n");
        Segments.AppendMany(5);
        Segments.WriteTorn("{\"Seq\":11,\"Kind\":\"comm"); // crash mid-write, then the writer rotates
        Segments.Rotate();
        Segments.AppendMany(5);
        var sink = CreateSink();
        await sink.StartAsync(CancellationToken.None);

        await WaitForDeliveryAsync(Segments.LastSeq, TimeSpan.FromSeconds(20));

        Assert.That(DistinctSeqs(), Is.EqualTo(Range(1, Segments.LastSeq)));
        Assert.That(Fixture.Records, Has.Count.EqualTo(Segments.LastSeq));
    }

    [Test]
    public async Task Every_record_carries_the_dedupe_key_and_the_Azure_column_shapes()
    {
        Segments.AppendMany(50);
        Segments.Rotate();
        Segments.AppendMany(50);
        var sink = CreateSink();
        await sink.StartAsync(CancellationToken.None);
        await WaitForDeliveryAsync(Segments.LastSeq, TimeSpan.FromSeconds(30));

        var records = Fixture.Records;
        Assert.That(records.Select(r => (r["Node"]!.GetValue<string>(), SeqOf(r))).Distinct().Count(), Is.EqualTo(records.Count));
        Assert.Multiple(() =>
        {
            foreach (var record in records)
            {
                Assert.That(record["Node"]!.GetValue<string>(), Is.EqualTo(Segments.Node));
                Assert.That(record["Seq"]!.GetValue<long>(), Is.Positive);
                Assert.That(record["TimeGenerated"]!.GetValue<DateTimeOffset>(), Is.Not.EqualTo(default(DateTimeOffset)));
                Assert.That(record["Groups"], Is.InstanceOf<JsonArray>());
                Assert.That(record["Objects"], Is.InstanceOf<JsonArray>());
                Assert.That(record["Payload"], Is.InstanceOf<JsonObject>());
            }
        });
    }
}
