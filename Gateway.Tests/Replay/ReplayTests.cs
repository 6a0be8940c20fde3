using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Gateway.Core.FrameLog;
using Gateway.Host.Replay;
using Gateway.Tests.FrameLog;

namespace Gateway.Tests.Replay;

public sealed class ReplayTests
{
    private FrameLogFixture _log = null!;
    private LocalSessionSource _source = null!;

    [SetUp]
    public async Task SetUp()
    {
        _log = new FrameLogFixture();
        await RecordedSession.WriteAsync(_log);
        _source = new LocalSessionSource(_log.LogDirectory);
    }

    [TearDown]
    public void TearDown() => _log.Delete();

    [Test]
    public async Task RecordedSessionRendersAsThePsqlClientSawIt()
    {
        var recording = await _source.LoadAsync(RecordedSession.Id, CancellationToken.None);
        var output = new StringWriter { NewLine = "\n" };

        await TextPlayer.PlayAsync(TranscriptRenderer.Render(recording!), new ReplayTiming(), wait: false, output, CancellationToken.None);

        Assert.That(output.ToString(), Is.EqualTo(RecordedSession.ExpectedTranscript));
    }

    [Test]
    public async Task FramesKeepTheRecordedTimingScaledBySpeed()
    {
        var recording = await _source.LoadAsync("s-4", CancellationToken.None);
        var frames = TranscriptRenderer.Render(recording!);

        var schedule = new ReplayTiming(Speed: 4).Schedule(frames);

        Assert.That(frames.Select(f => f.At.TotalSeconds), Is.EqualTo(new[] { 0, 1, 1.25, 3, 3, 5, 5.5, 6, 6, 8 }));
        Assert.That(schedule[^1], Is.EqualTo(TimeSpan.FromSeconds(2)));
        Assert.That(new ReplayTiming(IdleLimit: TimeSpan.FromSeconds(1)).Schedule(frames)[^1], Is.EqualTo(TimeSpan.FromSeconds(5.25)));
    }

    [Test]
    public async Task AsciicastIsValidVersion2()
    {
        var recording = await _source.LoadAsync(RecordedSession.Id, CancellationToken.None);
        using var stream = new MemoryStream();

        await AsciicastWriter.WriteAsync(stream, recording!, TranscriptRenderer.Render(recording!), new ReplayTiming(Speed: 2), CancellationToken.None);

        var lines = Encoding.UTF8.GetString(stream.ToArray()).Split('\n');
        Assert.That(lines[^1], Is.Empty, "every line ends with a newline");
        using var header = JsonDocument.Parse(lines[0]);
        Assert.That(header.RootElement.GetProperty("version").GetInt32(), Is.EqualTo(2));
        Assert.That(header.RootElement.GetProperty("width").GetInt32(), Is.GreaterThanOrEqualTo(80));
        Assert.That(header.RootElement.GetProperty("height").GetInt32(), Is.GreaterThan(0));
        Assert.That(header.RootElement.GetProperty("timestamp").GetInt64(), Is.EqualTo(RecordedSession.Start.ToUnixTimeSeconds()));
        Assert.That(header.RootElement.GetProperty("env").GetProperty("TERM").GetString(), Is.Not.Empty);

        var previous = 0.0;
        var played = new StringBuilder();
        foreach (var line in lines[1..^1])
        {
            using var e = JsonDocument.Parse(line);
            var items = e.RootElement.EnumerateArray().ToArray();
            Assert.That(items, Has.Length.EqualTo(3));
            var time = items[0].GetDouble();
            Assert.That(time, Is.GreaterThanOrEqualTo(previous));
            previous = time;
            Assert.That(items[1].GetString(), Is.EqualTo("o"));
            var text = items[2].GetString()!;
            Assert.That(text.Replace("\r\n", "", StringComparison.Ordinal), Does.Not.Contain('\n'), "terminal line endings");
            played.Append(text);
        }
        Assert.That(previous, Is.EqualTo(4.0), "8 s played at speed 2");
        Assert.That(played.ToString(), Is.EqualTo(RecordedSession.ExpectedTranscript.Replace("\n", "\r\n", StringComparison.Ordinal)));
    }

    [Test]
    public async Task ListSummarisesSessionsAndFilters()
    {
        var all = await ToListAsync(_source.ListAsync(new SessionQuery(), CancellationToken.None));
        var alice = await ToListAsync(_source.ListAsync(new SessionQuery { Subject = "alice" }, CancellationToken.None));
        var recent = await ToListAsync(_source.ListAsync(new SessionQuery { ActiveSince = RecordedSession.Start.AddSeconds(7) }, CancellationToken.None));

        Assert.That(all.Select(s => s.SessionId), Is.EqualTo(new[] { "s-42", "s-other" }));
        var session = alice.Single();
        Assert.That(session.SessionId, Is.EqualTo("s-42"));
        Assert.That(session.IdentityKind, Is.EqualTo("agent"));
        Assert.That(session.Target, Is.EqualTo("pg-main"));
        Assert.That(session.Commands, Is.EqualTo(4));
        Assert.That(session.Denials, Is.EqualTo(1));
        Assert.That(session.Start, Is.EqualTo(RecordedSession.Start));
        Assert.That(session.End, Is.EqualTo(RecordedSession.Start.AddSeconds(8)));
        Assert.That(recent.Select(s => s.SessionId), Is.EqualTo(new[] { "s-42" }));
    }

    [Test]
    public async Task ARefusedConnectionIsNotListedButReplaysByItsId()
    {
        await using (var writer = await _log.OpenAsync())
        {
            await writer.AppendAsync(new FrameRecord
            {
                Kind = FrameKinds.ConnectionRefused,
                Direction = "gateway",
                SessionId = "s-4-refused",
                Listener = "pg",
                Protocol = "postgres",
                SourceIp = "10.9.9.9",
                Payload = new JsonObject
                {
                    ["reason"] = "token refused: the token has expired",
                    ["code"] = "28P01",
                    ["message"] = "token authentication failed: the token has expired",
                    ["claimed"] = new JsonObject { ["user"] = "agent-007", ["database"] = "appdb" },
                },
            });
        }

        var all = await ToListAsync(_source.ListAsync(new SessionQuery(), CancellationToken.None));
        var recording = await _source.LoadAsync("s-4-refused", CancellationToken.None);

        Assert.That(all.Select(s => s.SessionId), Is.EqualTo(new[] { "s-42", "s-other" }));
        Assert.That((await _source.LoadAsync("s-4", CancellationToken.None))!.Summary.SessionId, Is.EqualTo("s-42"),
            "a prefix is not made ambiguous by refused connections");
        Assert.That(TranscriptRenderer.Render(recording!).Single().Text, Is.EqualTo(
            "-- connection from 10.9.9.9 refused before identification (claimed user agent-007, database appdb): token refused: the token has expired\n"
            + "FATAL:  token authentication failed: the token has expired\n"));
    }

    [Test]
    public async Task AmbiguousPrefixIsRefusedAndUnknownIsNull()
    {
        Assert.ThrowsAsync<AmbiguousSessionException>(() => _source.LoadAsync("s-", CancellationToken.None));
        Assert.That(await _source.LoadAsync("nope", CancellationToken.None), Is.Null);
        Assert.That((await _source.LoadAsync("s-o", CancellationToken.None))!.Summary.Subject, Is.EqualTo("bob"));
    }

    [Test]
    public async Task RecordedLogIsIntact()
    {
        var result = await _log.VerifyAsync();

        Assert.That(result.Problem, Is.Null);
        Assert.That(result.Checkpoints, Is.GreaterThanOrEqualTo(2));
    }

    private static async Task<List<T>> ToListAsync<T>(IAsyncEnumerable<T> items)
    {
        var list = new List<T>();
        await foreach (var item in items)
            list.Add(item);
        return list;
    }
}
