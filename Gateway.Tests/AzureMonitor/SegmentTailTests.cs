using System.Text;
using Gateway.Host.Sinks;

namespace Gateway.Tests.AzureMonitor;

/// <summary>Reading the writer's segments: complete lines only, rotation, torn tails, untrustworthy cursors.</summary>
[TestFixture]
public sealed class SegmentTailTests
{
    private string _log = "";

    [SetUp]
    public void CreateFolder() => _log = Directory.CreateTempSubdirectory("gateway-tail-").FullName;

    [TearDown]
    public void DeleteFolder() => Directory.Delete(_log, recursive: true);

    [Test]
    public async Task A_line_without_its_newline_is_not_returned_until_it_is_complete()
    {
        var path = Segment(1, "{\"Seq\":1}\n{\"Seq\":2");
        using var tail = new SegmentTail(_log, 1024);
        tail.Open(SpoolCursor.Beginning);

        Assert.That(await NextAsync(tail), Is.EqualTo("{\"Seq\":1}"));
        Assert.That(await tail.TryPeekLineAsync(CancellationToken.None), Is.False);
        Assert.That(tail.Offset, Is.EqualTo(10), "the partial line is not consumed");

        await File.AppendAllTextAsync(path, ",\"Kind\":\"command\"}\n");
        Assert.That(await NextAsync(tail), Is.EqualTo("{\"Seq\":2,\"Kind\":\"command\"}"));
        Assert.That(tail.Offset, Is.EqualTo(new FileInfo(path).Length));
    }

    [Test]
    public async Task Rotation_is_followed_and_a_torn_tail_of_a_closed_segment_is_skipped()
    {
        Segment(1, "{\"Seq\":1}\n{\"Seq\":2,\"Kin");
        Segment(2, "{\"Seq\":2}\n");
        using var tail = new SegmentTail(_log, 1024);
        tail.Open(SpoolCursor.Beginning);

        Assert.That(await NextAsync(tail), Is.EqualTo("{\"Seq\":1}"));
        Assert.That(await NextAsync(tail), Is.EqualTo("{\"Seq\":2}"));
        Assert.That(tail.Segment!.Name, Is.EqualTo(SpoolSegment.NameFor(2)));
        Assert.That(tail.TornBytesSkipped, Is.EqualTo("{\"Seq\":2,\"Kin".Length));
        Assert.That(await tail.TryPeekLineAsync(CancellationToken.None), Is.False);
    }

    [Test]
    public async Task A_peeked_line_stays_until_consumed()
    {
        Segment(1, "{\"Seq\":1}\n{\"Seq\":2}\n");
        using var tail = new SegmentTail(_log, 1024);
        tail.Open(SpoolCursor.Beginning);

        Assert.That(await tail.TryPeekLineAsync(CancellationToken.None), Is.True);
        Assert.That(await tail.TryPeekLineAsync(CancellationToken.None), Is.True);
        Assert.That(Encoding.UTF8.GetString(tail.Line), Is.EqualTo("{\"Seq\":1}"));
        tail.Consume();
        Assert.That(await NextAsync(tail), Is.EqualTo("{\"Seq\":2}"));
    }

    [Test]
    public async Task A_cursor_is_resumed_at_its_offset_and_distrusted_when_it_is_not_a_line_start()
    {
        Segment(1, "{\"Seq\":1}\n{\"Seq\":2}\n{\"Seq\":3}\n");
        using var tail = new SegmentTail(_log, 1024);

        tail.Open(new SpoolCursor(1, SpoolSegment.NameFor(1), 10));
        Assert.That(await NextAsync(tail), Is.EqualTo("{\"Seq\":2}"));

        tail.Open(new SpoolCursor(1, SpoolSegment.NameFor(1), 12));
        Assert.That(await NextAsync(tail), Is.EqualTo("{\"Seq\":1}"), "mid-line offset: re-read the segment (the sink skips by Seq)");

        tail.Open(new SpoolCursor(1, SpoolSegment.NameFor(1), 10_000));
        Assert.That(await NextAsync(tail), Is.EqualTo("{\"Seq\":1}"), "offset past the end: re-read");
    }

    [Test]
    public async Task A_cursor_whose_segment_is_gone_resumes_in_the_segment_holding_the_next_seq()
    {
        Segment(11, "{\"Seq\":11}\n{\"Seq\":12}\n");
        Segment(21, "{\"Seq\":21}\n");
        using var tail = new SegmentTail(_log, 1024);

        tail.Open(new SpoolCursor(12, SpoolSegment.NameFor(1), 500));
        Assert.That(await NextAsync(tail), Is.EqualTo("{\"Seq\":11}"));
    }

    [Test]
    public async Task A_line_over_the_cap_is_skipped_without_being_buffered()
    {
        Segment(1, "{\"Seq\":1}\n{\"Seq\":2,\"P\":\"" + new string('x', 5000) + "\"}\n{\"Seq\":3}\n");
        using var tail = new SegmentTail(_log, 1024);
        tail.Open(SpoolCursor.Beginning);

        Assert.That(await NextAsync(tail), Is.EqualTo("{\"Seq\":1}"));
        Assert.That(await NextAsync(tail), Is.EqualTo("{\"Seq\":3}"));
        Assert.That(tail.OversizedLinesSkipped, Is.EqualTo(1));
    }

    [Test]
    public async Task Nothing_is_read_before_the_first_segment_exists()
    {
        using var tail = new SegmentTail(_log, 1024);
        tail.Open(SpoolCursor.Beginning);
        Assert.That(await tail.TryPeekLineAsync(CancellationToken.None), Is.False);

        Segment(1, "{\"Seq\":1}\n");
        Assert.That(await NextAsync(tail), Is.EqualTo("{\"Seq\":1}"));
    }

    private string Segment(long firstSeq, string content)
    {
        var path = Path.Combine(_log, SpoolSegment.NameFor(firstSeq));
        File.WriteAllText(path, content);
        return path;
    }

    private static async Task<string> NextAsync(SegmentTail tail)
    {
        Assert.That(await tail.TryPeekLineAsync(CancellationToken.None), Is.True, "a complete line was expected");
        var line = Encoding.UTF8.GetString(tail.Line);
        tail.Consume();
        return line;
    }
}
