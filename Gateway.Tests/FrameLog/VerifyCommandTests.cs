namespace Gateway.Tests.FrameLog;

public sealed class VerifyCommandTests
{
    private FrameLogFixture _log = null!;
    private string _config = null!;

    [SetUp]
    public async Task SetUp()
    {
        _log = new FrameLogFixture();
        _config = CliRun.WriteConfig(_log);
        await _log.WriteCommandsAsync(12, FrameLogFixture.Config(checkpointEvery: 5));
    }

    [TearDown]
    public void TearDown() => _log.Delete();

    [Test]
    public async Task IntactLogExitsZeroWithCounts()
    {
        var (exit, output, _) = await CliRun.RunAsync("verify", "--config", _config);

        Assert.That(exit, Is.Zero);
        Assert.That(output, Does.Contain("frame log intact: 15 records (Seq 1..15) in 1 segments, 3 checkpoints verified"));
    }

    [Test]
    public async Task BrokenLogExitsOneNamingTheRecord()
    {
        var segment = _log.Segments()[0].Path;
        var lines = File.ReadAllLines(segment).ToList();
        lines.RemoveAt(3);
        File.WriteAllLines(segment, lines);

        var (exit, output, _) = await CliRun.RunAsync("verify", "--config", _config);

        Assert.That(exit, Is.EqualTo(1));
        Assert.That(output, Does.Contain($"frame log BROKEN at {Path.GetFileName(segment)}:4 (Seq 5): Seq 5 follows Seq 3"));
    }

    [Test]
    public async Task ExportedKeyVerifiesTheLogAwayFromTheNode()
    {
        var keyFile = Path.Combine(_log.StateDirectory, "node.pub.pem");

        var (exported, _, _) = await CliRun.RunAsync("verify", "--config", _config, "--export-key", keyFile);
        var (toStdout, pem, _) = await CliRun.RunAsync("verify", "--config", _config, "--export-key", "-");
        File.Delete(Gateway.Core.FrameLog.FrameLogPaths.SigningKeyPath(_log.StateDirectory));
        var (withoutKey, failure, _) = await CliRun.RunAsync("verify", "--config", _config);
        var (withKey, _, _) = await CliRun.RunAsync("verify", "--config", _config, "--public-key", keyFile);

        Assert.That(exported, Is.Zero);
        Assert.That(File.ReadAllText(keyFile), Does.StartWith("-----BEGIN PUBLIC KEY-----"));
        Assert.That(toStdout, Is.Zero);
        Assert.That(pem.Trim(), Is.EqualTo(File.ReadAllText(keyFile).Trim()));
        Assert.That(withoutKey, Is.EqualTo(1), "checkpoints cannot be checked without a key: fail closed");
        Assert.That(failure, Does.Contain("no public key"));
        Assert.That(withKey, Is.Zero);
    }
}
