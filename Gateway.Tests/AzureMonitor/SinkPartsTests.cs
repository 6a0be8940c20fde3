using System.IO.Compression;
using System.Text;
using System.Text.Json.Nodes;
using Gateway.Host.Azure;
using Gateway.Host.Sinks;

namespace Gateway.Tests.AzureMonitor;

/// <summary>The sink's small pieces: line parsing, batching, truncation, cursor files, backoff.</summary>
[TestFixture]
public sealed class SinkPartsTests
{
    [TestCase("{\"TimeGenerated\":\"2025-07-01T10:00:00+00:00\",\"Seq\":42,\"Payload\":{\"Seq\":7}}", true, 42)]
    [TestCase("{\"Seq\":0}", true, 0)]
    [TestCase("{\"Payload\":{\"Seq\":7}}", false, -1)]
    [TestCase("{\"Seq\":\"42\"}", false, -1)]
    [TestCase("{\"Seq\":42} {\"Seq\":43}", false, 42)]
    [TestCase("[{\"Seq\":42}]", false, -1)]
    [TestCase("{\"Seq\":42", false, 42)]
    [TestCase("not json", false, -1)]
    public void A_line_is_a_record_only_when_it_is_one_object_with_a_top_level_Seq(string line, bool valid, long seq)
    {
        var parsed = RecordLine.TryParse(Encoding.UTF8.GetBytes(line), out var actual, out _);
        Assert.That(parsed, Is.EqualTo(valid));
        if (valid)
            Assert.That(actual, Is.EqualTo(seq));
    }

    [Test]
    public void A_batch_is_a_JSON_array_that_never_exceeds_its_cap()
    {
        using var batch = new IngestionBatch(64);
        var segment = SpoolSegment.NameFor(1);
        Assert.That(batch.TryAdd("{\"Seq\":1}"u8, 1, default, segment, 10, default), Is.True);
        Assert.That(batch.TryAdd("{\"Seq\":2}"u8, 2, default, segment, 20, default), Is.True);
        var longRecord = Encoding.UTF8.GetBytes("{\"Seq\":3,\"P\":\"" + new string('x', 30) + "\"}");
        Assert.That(batch.TryAdd(longRecord, 3, default, segment, 60, default), Is.False);

        Assert.That(Encoding.UTF8.GetString(batch.Body), Is.EqualTo("[{\"Seq\":1},{\"Seq\":2}]"));
        Assert.That(batch.BodyLength, Is.LessThanOrEqualTo(64));
        Assert.That((batch.FirstSeq, batch.LastSeq, batch.EndSegment, batch.EndOffset), Is.EqualTo((1L, 2L, segment, 20L)));

        using var gunzip = new GZipStream(new MemoryStream(batch.Compress().ToArray()), CompressionMode.Decompress);
        using var plain = new MemoryStream();
        gunzip.CopyTo(plain);
        Assert.That(Encoding.UTF8.GetString(plain.ToArray()), Is.EqualTo("[{\"Seq\":1},{\"Seq\":2}]"));

        batch.Clear();
        Assert.That(Encoding.UTF8.GetString(batch.Body), Is.EqualTo("[]"));
    }

    [Test]
    public void An_oversized_record_keeps_its_identity_and_is_marked_truncated()
    {
        var record = new JsonObject
        {
            ["Seq"] = 9, ["Node"] = "n1", ["Hash"] = "abc", ["Kind"] = "result", ["Command"] = new string('c', 40_000),
            ["Objects"] = new JsonArray([.. Enumerable.Range(0, 500).Select(i => (JsonNode)$"t{i}")]),
            ["Payload"] = new JsonObject { ["rows"] = new string('r', 100_000) }, ["Truncated"] = false,
        };
        var line = Encoding.UTF8.GetBytes(record.ToJsonString());

        var fitted = JsonNode.Parse(RecordFitter.Fit(line, 30_000)!)!.AsObject();
        Assert.That(fitted["Truncated"]!.GetValue<bool>(), Is.True);
        Assert.That(fitted["Payload"]!["_truncated"], Is.Not.Null);
        Assert.That(fitted["Command"]!.GetValue<string>(), Has.Length.EqualTo(16 * 1024));
        Assert.That(fitted["Objects"]!.AsArray(), Has.Count.EqualTo(64));
        Assert.That((fitted["Seq"]!.GetValue<int>(), fitted["Node"]!.GetValue<string>()), Is.EqualTo((9, "n1")));

        var minimal = JsonNode.Parse(RecordFitter.Fit(line, 2_000)!)!.AsObject();
        Assert.That(minimal.Select(p => p.Key), Is.EquivalentTo(new[] { "Seq", "Node", "Hash", "Kind", "Payload", "Truncated" }));
        Assert.That(RecordFitter.Fit("[1,2]"u8, 2_000), Is.Null);
    }

    [Test]
    public async Task A_cursor_file_is_replaced_atomically_and_read_back()
    {
        var folder = Directory.CreateTempSubdirectory("gateway-cursor-").FullName;
        try
        {
            var store = new SpoolCursorStore(Path.Combine(folder, "cursors", "s.json"));
            Assert.That(await store.LoadAsync(CancellationToken.None), Is.EqualTo(SpoolCursor.Beginning));

            var gap = new SpoolGap(1, 30, new DateTimeOffset(2025, 7, 1, 10, 0, 0, TimeSpan.Zero), "spool full (drop_oldest)");
            var cursor = new SpoolCursor(77, SpoolSegment.NameFor(31), 4096) { Gaps = [gap] };
            await store.SaveAsync(cursor, CancellationToken.None);
            await store.SaveAsync(cursor with { Seq = 78, Offset = 5000 }, CancellationToken.None);

            var loaded = await store.LoadAsync(CancellationToken.None);
            Assert.That((loaded.Seq, loaded.Segment, loaded.Offset), Is.EqualTo((78L, SpoolSegment.NameFor(31), 5000L)));
            Assert.That(loaded.Gaps, Is.EqualTo(new[] { gap }));
            Assert.That(Directory.GetFiles(Path.Combine(folder, "cursors")), Is.EqualTo(new[] { store.Path }), "no temp file left");
            var json = JsonNode.Parse(await File.ReadAllTextAsync(store.Path))!;
            Assert.That((json["seq"]!.GetValue<long>(), json["segment"]!.GetValue<string>(), json["offset"]!.GetValue<long>()),
                Is.EqualTo((78L, SpoolSegment.NameFor(31), 5000L)), "the documented {seq, segment, offset} shape");

            await File.WriteAllTextAsync(store.Path, "{\"seq\":");
            Assert.ThrowsAsync<InvalidDataException>(() => store.LoadAsync(CancellationToken.None));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Test]
    public void Backoff_grows_exponentially_with_jitter_up_to_the_cap_and_yields_to_the_server()
    {
        var backoff = new RetryBackoff(TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(1), new Random(7));
        var delays = Enumerable.Range(0, 8).Select(_ => backoff.Next(null).TotalMilliseconds).ToList();
        double[] ceilings = [100, 200, 400, 800, 1000, 1000, 1000, 1000];
        for (var i = 0; i < delays.Count; i++)
            Assert.That(delays[i], Is.InRange(ceilings[i] / 2, ceilings[i]), $"attempt {i + 1}");

        Assert.That(backoff.Next(TimeSpan.FromSeconds(3)), Is.EqualTo(TimeSpan.FromSeconds(3)), "Retry-After wins over the cap");
        Assert.That(backoff.Next(TimeSpan.FromDays(1)), Is.EqualTo(RetryBackoff.MaxRetryAfter));
        backoff.Reset();
        Assert.That(backoff.Next(null).TotalMilliseconds, Is.InRange(50, 100));
    }

    [Test]
    public void The_sink_name_follows_the_destination_not_the_list_position()
    {
        var a = new Gateway.Core.Config.SinkConfig { Type = "azure_monitor", Endpoint = "https://dce.example/", RuleId = "dcr-1", Stream = "Custom-GatewayFrames" };
        var same = new Gateway.Core.Config.SinkConfig { Type = "azure_monitor", Endpoint = "https://dce.example", RuleId = "dcr-1", Stream = "Custom-GatewayFrames" };
        var other = new Gateway.Core.Config.SinkConfig { Type = "azure_monitor", Endpoint = "https://dce.example", RuleId = "dcr-2", Stream = "Custom-GatewayFrames" };
        Assert.That(AzureMonitorSinkOptions.DefaultName(a), Does.Match("^azure_monitor-[0-9a-f]{8}$"));
        Assert.That(AzureMonitorSinkOptions.DefaultName(a), Is.EqualTo(AzureMonitorSinkOptions.DefaultName(same)));
        Assert.That(AzureMonitorSinkOptions.DefaultName(a), Is.Not.EqualTo(AzureMonitorSinkOptions.DefaultName(other)));
    }

    [TestCase(204, IngestionOutcome.Accepted)]
    [TestCase(408, IngestionOutcome.Retry)]
    [TestCase(429, IngestionOutcome.Retry)]
    [TestCase(500, IngestionOutcome.Retry)]
    [TestCase(502, IngestionOutcome.Retry)]
    [TestCase(503, IngestionOutcome.Retry)]
    [TestCase(504, IngestionOutcome.Retry)]
    [TestCase(400, IngestionOutcome.Rejected)]
    [TestCase(401, IngestionOutcome.Rejected)]
    [TestCase(403, IngestionOutcome.Rejected)]
    [TestCase(404, IngestionOutcome.Rejected)]
    [TestCase(413, IngestionOutcome.Rejected)]
    [TestCase(200, IngestionOutcome.Rejected)]
    public void Statuses_are_classified_as_documented(int status, IngestionOutcome outcome) =>
        Assert.That(LogsIngestionClient.Classify(status), Is.EqualTo(outcome));

    [TestCase("3", 3000)]
    [TestCase(" 0 ", 0)]
    [TestCase("Tue, 01 Jul 2025 10:00:05 GMT", 5000)]
    [TestCase("Tue, 01 Jul 2025 09:59:00 GMT", 0)]
    public void Retry_After_is_read_as_seconds_or_an_HTTP_date(string value, int milliseconds)
    {
        var now = new DateTimeOffset(2025, 7, 1, 10, 0, 0, TimeSpan.Zero);
        Assert.That(RetryAfterHeader.TryParse(value, now, out var delay), Is.True);
        Assert.That(delay, Is.EqualTo(TimeSpan.FromMilliseconds(milliseconds)));
    }

    [TestCase("")]
    [TestCase("-1")]
    [TestCase("soon")]
    [TestCase("2025-07-01T10:00:05Z")]
    public void A_Retry_After_that_is_neither_is_ignored(string value) =>
        Assert.That(RetryAfterHeader.TryParse(value, DateTimeOffset.UtcNow, out _), Is.False);

    [Test]
    public void Retry_after_ms_is_read_in_milliseconds()
    {
        Assert.That(RetryAfterHeader.TryParseMilliseconds("250", out var delay), Is.True);
        Assert.That(delay, Is.EqualTo(TimeSpan.FromMilliseconds(250)));
        Assert.That(RetryAfterHeader.TryParseMilliseconds("x", out _), Is.False);
    }
}
