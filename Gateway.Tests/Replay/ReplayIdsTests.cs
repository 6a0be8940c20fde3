using Gateway.Tests.FrameLog;

namespace Gateway.Tests.Replay;

/// <summary><c>gateway replay --list --format ids</c>: session ids only, one per line, newest last (what scripts and the demo use).</summary>
public sealed class ReplayIdsTests
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
    public async Task Ids_come_one_per_line_oldest_first()
    {
        var (exit, output, _) = await CliRun.RunAsync("replay", "--config", _config, "--list", "--format", "ids");

        Assert.That(exit, Is.Zero);
        Assert.That(output, Is.EqualTo("s-42\ns-other\n"));
    }

    [Test]
    public async Task Ids_honour_subject_and_since()
    {
        var (_, alice, _) = await CliRun.RunAsync("replay", "--config", _config, "--list", "--format", "ids", "--subject", "alice");
        Assert.That(alice, Is.EqualTo("s-42\n"));

        var (exit, recent, _) = await CliRun.RunAsync("replay", "--config", _config, "--list", "--format", "ids", "--since", "1h");
        Assert.That(exit, Is.Zero);
        Assert.That(recent, Is.Empty, "the recorded sessions are from 2025");
    }

    [Test]
    public async Task Formats_that_do_not_fit_the_mode_are_usage_errors()
    {
        Assert.That((await CliRun.RunAsync("replay", "--config", _config, "s-42", "--format", "ids")).Exit, Is.EqualTo(2));
        Assert.That((await CliRun.RunAsync("replay", "--config", _config, "--list", "--format", "asciicast")).Exit, Is.EqualTo(2));
    }
}
