using Gateway.Core.FrameLog;
using Gateway.Core.Masking;
using Gateway.Core.Policy;
using Gateway.Host.Backtest;
using Gateway.Protocols.Postgres.Analysis;
using Gateway.Tests.Fixtures;
using Gateway.Tests.FrameLog;
using Gateway.Tests.Postgres.EndToEnd;
using Npgsql;

namespace Gateway.Tests.Backtest;

/// <summary>
/// The backtest over a log recorded by the real gateway with examples/rules/agents.yaml: psql and Npgsql sessions
/// of agents (simple and extended protocol, SQL PREPARE/EXECUTE, COPY TO, a redacted role password, the fast-path
/// function call of psql's \lo_import, a replication connection) and of an SRE, judged again under a stricter and a
/// looser copy of the shipped policy.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class BacktestThroughGatewayTests
{
    private const string Insert = "INSERT INTO bt_items VALUES (3, 'c')";
    private const string Prepare = "PREPARE bt_ins AS INSERT INTO bt_items VALUES (9, 'z')";
    private const string Drop = "DROP TABLE bt_items";

    private PostgresServer _pg = null!;
    private GatewayUnderTest _gateway = null!;
    private string _rulesDirectory = "";
    private int _recordedCommands;

    [OneTimeSetUp]
    public async Task RecordAsync()
    {
        _pg = await PostgresServer.GetSharedAsync();
        await _pg.ExecuteAsync("""
            DROP TABLE IF EXISTS bt_items;
            CREATE TABLE bt_items (id int, note text);
            INSERT INTO bt_items VALUES (1, 'a'), (2, 'b');
            """);
        _gateway = await GatewayUnderTest.StartAsync(_pg);
        _rulesDirectory = Directory.CreateTempSubdirectory("gateway-backtest-").FullName;

        var agent = _gateway.Token("bt-agent", "ai-agents");
        var session = await _gateway.PsqlAsync(agent,
            "-c", "SELECT id, note FROM bt_items WHERE id = 1",
            "-c", Insert,
            "-c", "UPDATE bt_items SET note = 'x'",
            "-c", Drop,
            "-c", "CREATE ROLE bt_intruder PASSWORD 'hunter2hunter2'",
            "-c", Prepare,
            "-c", "EXECUTE bt_ins",
            "-c", "COPY bt_items TO STDOUT");
        Assert.That(session.Stderr, Does.Contain("agents-no-ddl"), session.Output);
        await _gateway.PsqlAsync(agent, "-c", @"\lo_import /etc/hostname");
        await ProcessRunner.RunAsync("psql", [_gateway.LibpqConnection("bt-agent") + " replication=database", "-X", "-c", "IDENTIFY_SYSTEM"],
            new Dictionary<string, string> { ["PGPASSWORD"] = agent, ["PGCONNECT_TIMEOUT"] = "10" });

        await using (var connection = await _gateway.OpenAsync(_gateway.Token("bt-npgsql", "ai-agents")))
        await using (var select = new NpgsqlCommand("SELECT note FROM bt_items WHERE id = @id", connection))
        {
            select.Parameters.AddWithValue("id", 2);
            Assert.That(await select.ExecuteScalarAsync(), Is.EqualTo("b"));
        }

        var sre = await _gateway.PsqlAsync(_gateway.Token("bt-sre", "sre"), "-c", "CREATE TABLE bt_sre_tmp (id int)", "-c", "DROP TABLE bt_sre_tmp");
        Assert.That(sre.ExitCode, Is.Zero, sre.Output);

        var records = await _gateway.WaitForRecordsAsync(r => r.Kind == FrameKinds.SessionEnd && r.Subject == "bt-sre");
        _recordedCommands = records.Count(r => r.Kind == FrameKinds.Command);
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        await _gateway.DisposeAsync();
        Directory.Delete(_rulesDirectory, recursive: true);
    }

    [Test]
    public async Task The_recorded_decisions_come_back_unchanged_under_the_rules_that_made_them()
    {
        var report = await BacktestAsync(ShippedAgentsPolicy);

        Assert.That(report.Skipped, Is.Empty, "every recorded command is judged again, redacted ones included");
        Assert.That(report.Judged, Is.EqualTo(_recordedCommands));
        Assert.That(report.Changes, Is.Empty, string.Join("\n", report.Changes.Select(c => $"{c.Recorded} -> {c.New}: {c.Commands.First().Text}")));
    }

    [Test]
    public async Task A_stricter_policy_lists_the_new_denials_and_fails_the_build_only_when_asked()
    {
        var stricter = WriteRules("stricter.yaml", File.ReadAllText(ShippedAgentsPolicy).Replace("  - id: agents-mask", """
              - id: agents-no-insert
                description: This deployment's agents only read.
                match: { groups: [ai-agents], statements: [insert] }
                action: deny
                message: Agents only read here.

              - id: agents-mask
            """, StringComparison.Ordinal));

        var report = await BacktestAsync(stricter);

        var change = report.Changes.Single();
        Assert.That((change.Recorded, change.New), Is.EqualTo((new RecordedDecision("mask", "agents-mask"), new RecordedDecision("deny", "agents-no-insert"))));
        Assert.That(change.IsNewDenial, Is.True);
        // The PREPARE is now denied, so the session would never have bt_ins and its EXECUTE stays a plain (masked) execute.
        Assert.That(change.Commands.Select(c => c.Text), Is.EqualTo(new[] { Insert, Prepare }));
        Assert.That(report.NewDenials, Is.EqualTo(2));

        var (failing, output, _) = await RulesTestAsync("--rules", stricter, "--fail-on-new-denials");
        Assert.That(failing, Is.EqualTo(1), output);
        Assert.That(output, Does.Contain("mask (agents-mask)").And.Contain("deny (agents-no-insert)").And.Contain("NEW DENIAL"));
        Assert.That(output, Does.Contain($"1× {Insert}").And.Contain($"1× {Prepare}"));
        Assert.That(output, Does.Contain("2 decisions would change in 1 group: 2 newly blocked"));

        var (reporting, _, _) = await RulesTestAsync("--rules", stricter);
        Assert.That(reporting, Is.Zero, "without --fail-on-new-denials the changes are a report, not a failure");
    }

    [Test]
    public async Task A_looser_policy_lists_what_would_now_run_and_passes_even_with_the_flag()
    {
        var looser = WriteRules("looser.yaml", WithoutRules(File.ReadAllText(ShippedAgentsPolicy), "agents-no-ddl", "agents-no-protocol-bypass"));

        var report = await BacktestAsync(looser);

        Assert.That(report.Changes.Select(c => $"{c.Recorded} -> {c.New}"), Is.EquivalentTo(new[]
        {
            "deny (agents-no-ddl) -> mask (agents-mask)",
            "deny (agents-no-protocol-bypass) -> mask (agents-mask)",
        }));
        Assert.That(report.Changes.Single(c => c.Recorded.RuleId == "agents-no-ddl").Commands.Select(c => c.Text), Is.EqualTo(new[] { Drop }),
            "the SRE's DROP was allowed by the default before and after");
        var bypass = report.Changes.Single(c => c.Recorded.RuleId == "agents-no-protocol-bypass").Commands.Select(c => c.Text).ToList();
        Assert.That(bypass, Has.Some.StartsWith("FunctionCall(oid ").And.Some.EqualTo("replication=database"),
            "protocol requests are rebuilt as the session built them");
        Assert.That(report.NewDenials, Is.Zero);

        var (exit, output, _) = await RulesTestAsync("--rules", looser, "--fail-on-new-denials", "--listener", "pg");
        Assert.That(exit, Is.Zero, output);
        Assert.That(output, Does.Contain("deny (agents-no-ddl)").And.Contain("NOW RUNS").And.Contain($"1× {Drop}"));
        Assert.That(output, Does.Not.Contain("NEW DENIAL"));
    }

    [Test]
    public async Task Rules_split_over_two_files_are_judged_as_a_listener_lists_them()
    {
        var extra = WriteRules("first.yaml", """
            version: 1
            rules:
              - id: sre-no-drop
                match: { groups: [sre], statements: [drop] }
                action: require_approval
                message: Dropping needs a second person.
            """);

        var (exit, output, _) = await RulesTestAsync("--rules", extra, "--rules", ShippedAgentsPolicy, "--fail-on-new-denials");

        Assert.That(exit, Is.EqualTo(1), output);
        Assert.That(output, Does.Contain("allow (default)").And.Contain("require_approval (sre-no-drop)").And.Contain("1× DROP TABLE bt_sre_tmp"));
    }

    [Test]
    public async Task Rules_that_do_not_load_exit_2_with_the_errors()
    {
        var broken = WriteRules("broken.yaml", "version: 1\nrules:\n  - id: x\n    action: explode\n");

        var (exit, _, error) = await RulesTestAsync("--rules", broken, "--fail-on-new-denials");

        Assert.That(exit, Is.EqualTo(2));
        Assert.That(error, Does.Contain("broken.yaml").And.Contain("explode"));
    }

    [Test]
    public async Task An_unknown_listener_or_window_is_a_usage_error()
    {
        Assert.That((await RulesTestAsync("--rules", ShippedAgentsPolicy, "--listener", "nope")).Exit, Is.EqualTo(2));
        Assert.That((await RulesTestAsync("--rules", ShippedAgentsPolicy, "--since", "yesterday")).Exit, Is.EqualTo(2));
    }

    [Test]
    public async Task Since_leaves_out_older_commands()
    {
        var report = await BacktestAsync(ShippedAgentsPolicy, new BacktestOptions { Since = DateTimeOffset.UtcNow.AddMinutes(5) });
        Assert.That(report.Judged, Is.Zero);

        var (exit, output, _) = await RulesTestAsync("--rules", ShippedAgentsPolicy, "--since", "1h");
        Assert.That(exit, Is.Zero);
        Assert.That(output, Does.Contain($"rules test: {_recordedCommands} commands judged again (all listeners, since 1h); no decision changes"));
    }

    private static string ShippedAgentsPolicy => Path.Combine(RepoPaths.Root, "examples", "rules", "agents.yaml");

    private async Task<BacktestReport> BacktestAsync(string rulesFile, BacktestOptions? options = null)
    {
        var rules = RuleSet.Load([rulesFile], MaskingKey.LoadOrCreate(_gateway.StateDirectory));
        return await new Backtester(rules, new SqlAnalyzer())
            .RunAsync(FrameLogPaths.LogDirectory(_gateway.StateDirectory), options ?? new BacktestOptions(), null, CancellationToken.None);
    }

    private Task<(int Exit, string Out, string Err)> RulesTestAsync(params string[] arguments) =>
        CliRun.RunAsync(["rules", "test", "--config", _gateway.Config.SourcePath, .. arguments]);

    private string WriteRules(string name, string yaml)
    {
        var path = Path.Combine(_rulesDirectory, name);
        File.WriteAllText(path, yaml);
        return path;
    }

    /// <summary>The policy text without the named rules (each rule is a "  - id:" block up to the next one).</summary>
    private static string WithoutRules(string yaml, params string[] ids)
    {
        foreach (var id in ids)
        {
            var start = yaml.IndexOf($"  - id: {id}\n", StringComparison.Ordinal);
            Assert.That(start, Is.GreaterThanOrEqualTo(0), id);
            var next = yaml.IndexOf("\n  - id: ", start + 1, StringComparison.Ordinal);
            yaml = yaml[..start] + (next < 0 ? "" : yaml[(next + 1)..]);
        }
        return yaml;
    }
}
