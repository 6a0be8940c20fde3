using System.Text.Json;
using Gateway.Tests.FrameLog;

namespace Gateway.Tests.Replay;

public sealed class ReplayCommandTests
{
    private FrameLogFixture _log = null!;
    private string _config = null!;

    [SetUp]
    public async Task SetUp()
    {
        _log = new FrameLogFixture();
        _config = CliRun.WriteConfig(_log);
        await RecordedSession.WriteAsync(_log);
    }

    [TearDown]
    public void TearDown() => _log.Delete();

    [Test]
    public async Task ListShowsSessionsInATable()
    {
        var (exit, output, _) = await CliRun.RunAsync("replay", "--config", _config, "--list", "--subject", "alice");

        Assert.That(exit, Is.Zero);
        var row = output.Split('\n').Single(l => l.Contains("s-42", StringComparison.Ordinal));
        Assert.That(row, Does.Contain("alice").And.Contain("agent").And.Contain("pg-main/appdb").And.Contain("2025-03-01 10:00:08"));
        Assert.That(output, Does.Not.Contain("bob"));
    }

    [Test]
    public async Task PlaysASessionToAFile()
    {
        var file = Path.Combine(_log.StateDirectory, "s-42.txt");

        var (exit, _, _) = await CliRun.RunAsync("replay", "--config", _config, "s-42", "--no-wait", "--output", file);

        Assert.That(exit, Is.Zero);
        Assert.That(File.ReadAllText(file), Is.EqualTo(RecordedSession.ExpectedTranscript));
    }

    [Test]
    public async Task WritesAsciicast()
    {
        var file = Path.Combine(_log.StateDirectory, "s-42.cast");

        var (exit, _, _) = await CliRun.RunAsync("replay", "--config", _config, "s-42", "--format", "asciicast", "--speed", "10", "--output", file);

        Assert.That(exit, Is.Zero);
        var lines = File.ReadAllLines(file);
        using var header = JsonDocument.Parse(lines[0]);
        Assert.That(header.RootElement.GetProperty("version").GetInt32(), Is.EqualTo(2));
        using var last = JsonDocument.Parse(lines[^1]);
        Assert.That(last.RootElement[0].GetDouble(), Is.EqualTo(0.8).Within(1e-9));
    }

    [Test]
    public async Task UnknownSessionExitsOne()
    {
        var (exit, _, error) = await CliRun.RunAsync("replay", "--config", _config, "missing", "--no-wait");

        Assert.That(exit, Is.EqualTo(1));
        Assert.That(error, Does.Contain("no session 'missing'"));
    }
}
