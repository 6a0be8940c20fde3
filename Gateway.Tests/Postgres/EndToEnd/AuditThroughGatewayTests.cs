using Gateway.Core.FrameLog;
using Gateway.Tests.Fixtures;

namespace Gateway.Tests.Postgres.EndToEnd;

/// <summary>What the frame log holds after a session: every command before its result, masked rows, no secrets.</summary>
[TestFixture]
[NonParallelizable]
public sealed class AuditThroughGatewayTests
{
    private PostgresServer _pg = null!;
    private GatewayUnderTest _gateway = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _pg = await PostgresServer.GetSharedAsync();
        await _pg.ExecuteAsync("""
            DROP TABLE IF EXISTS audit_people;
            CREATE TABLE audit_people (id int, email text);
            INSERT INTO audit_people VALUES (1, 'someone@example.com');
            """);
        _gateway = await GatewayUnderTest.StartAsync(_pg);
    }

    [OneTimeTearDown]
    public async Task StopAsync() => await _gateway.DisposeAsync();

    [Test]
    public async Task A_session_is_recorded_in_order_masked_and_without_secrets()
    {
        var token = _gateway.Token("auditor-agent");
        var result = await _gateway.PsqlAsync(token, "-c", "SELECT id, email FROM audit_people", "-c", "DROP TABLE audit_people",
            "-c", "CREATE ROLE intruder PASSWORD 'hunter2hunter2'");
        Assert.That(result.Stdout, Does.Contain("(1 row)"), result.Output);

        var all = await _gateway.WaitForRecordsAsync(r => r.Subject == "auditor-agent" && r.Kind == FrameKinds.SessionEnd);
        var records = all.Where(r => r.Subject == "auditor-agent").ToList();
        var kinds = records.Select(r => r.Kind).ToList();
        Assert.That(kinds.First(), Is.EqualTo(FrameKinds.SessionStart));
        Assert.That(kinds.Last(), Is.EqualTo(FrameKinds.SessionEnd));

        var select = records.Single(r => r.Kind == FrameKinds.Command && r.Command!.StartsWith("SELECT id, email", StringComparison.Ordinal));
        var selectResult = records.First(r => r.Kind == FrameKinds.Result && r.Seq > select.Seq);
        Assert.That(select.Decision, Is.EqualTo("mask"));
        Assert.That(selectResult.Rows, Is.EqualTo(1));
        Assert.That(selectResult.Payload!.ToJsonString(), Does.Not.Contain("someone@example.com"), "captured rows are masked");
        Assert.That(select.Objects, Does.Contain("audit_people"));

        var drop = records.Single(r => r.Kind == FrameKinds.Command && r.CommandKind == "drop");
        Assert.That(drop.Decision, Is.EqualTo("deny"));
        Assert.That(drop.RuleId, Is.EqualTo("agents-no-ddl"));
        Assert.That(records.Any(r => r.Kind == FrameKinds.Decision && r.Seq > drop.Seq && r.RuleId == "agents-no-ddl"), Is.True);

        var logText = string.Concat(Directory.GetFiles(Path.Combine(_gateway.StateDirectory, "log"), "*.jsonl").Select(File.ReadAllText));
        Assert.That(logText, Does.Not.Contain(token), "the token never lands in the log");
        Assert.That(logText, Does.Not.Contain(token.Split('.')[2]), "not even its signature");
        Assert.That(logText, Does.Not.Contain(_pg.SuperuserPassword), "nor the upstream password");
        Assert.That(logText, Does.Not.Contain("hunter2hunter2"), "role passwords are redacted from command text");
    }

    [Test]
    public async Task The_chain_verifies_after_a_session()
    {
        await _gateway.PsqlAsync(_gateway.Token(), "-c", "SELECT 1");

        var verification = await FrameLogVerifier.ForStateDirectory(_gateway.StateDirectory).VerifyAsync();

        Assert.That(verification.Intact, Is.True, verification.ToString());
    }
}
