using Gateway.Core.FrameLog;
using Gateway.Tests.AzureMonitor;
using Gateway.Tests.FrameLog;

namespace Gateway.Tests.Replay;

/// <summary>
/// <c>gateway replay --from-azure</c> against the Log Analytics query FIXTURE (HTTPS, bearer check, the documented
/// <c>tables[0].columns/rows</c> answer) holding the shipped copy of a recorded session: the same transcript as from
/// the local log, duplicates removed, Seq gaps on stderr, the credential from the sink's configuration.
/// </summary>
[TestFixture]
public sealed class AzureReplayTests
{
    private FrameLogFixture _log = null!;
    private LogAnalyticsQueryFixture _workspace = null!;
    private List<FrameRecord> _shipped = null!;
    private string _config = "";
    private string _tokenFile = "";

    [SetUp]
    public async Task SetUpAsync()
    {
        _log = new FrameLogFixture();
        await RecordedSession.WriteAsync(_log);
        _shipped = await _log.ReadAllAsync();
        _workspace = await LogAnalyticsQueryFixture.StartAsync(_log.StateDirectory);
        _tokenFile = Path.Combine(_log.StateDirectory, "query.token");
        await File.WriteAllTextAsync(_tokenFile, _workspace.Token);
        _config = WriteConfig(_tokenFile);
        Serve(_shipped.Concat(_shipped.Where(r => r.Kind == FrameKinds.Command))); // at-least-once: commands arrived twice
    }

    [TearDown]
    public async Task TearDownAsync()
    {
        await _workspace.DisposeAsync();
        _log.Delete();
    }

    [Test]
    public async Task A_session_from_the_workspace_plays_exactly_like_the_local_one()
    {
        var file = Path.Combine(_log.StateDirectory, "from-azure.txt");

        var (exit, _, error) = await ReplayAsync(RecordedSession.Id, "--no-wait", "--output", file);

        Assert.That(exit, Is.Zero, error);
        Assert.That(File.ReadAllText(file), Is.EqualTo(RecordedSession.ExpectedTranscript));
        Assert.That(error, Is.Empty, "nothing is missing");
        Assert.That(_workspace.Queries[0], Does.Contain($"where SessionId == \"{RecordedSession.Id}\""));
    }

    [Test]
    public async Task Seq_gaps_around_the_session_are_reported_on_stderr()
    {
        var missing = _shipped.First(r => r.SessionId == "s-other");
        Serve(_shipped.Where(r => r != missing));
        var file = Path.Combine(_log.StateDirectory, "gap.txt");

        var (exit, _, error) = await ReplayAsync(RecordedSession.Id, "--no-wait", "--output", file);

        Assert.That(exit, Is.Zero, error);
        Assert.That(error, Does.Contain($"warning: node node-a: Seq {missing.Seq}..{missing.Seq} (1 record) not in the workspace"));
        Assert.That(File.ReadAllText(file), Is.EqualTo(RecordedSession.ExpectedTranscript), "the gap was another session's record");
    }

    [Test]
    public async Task A_unique_prefix_finds_the_session_and_an_unknown_one_exits_1()
    {
        var file = Path.Combine(_log.StateDirectory, "prefix.txt");
        var (exit, _, error) = await ReplayAsync("s-4", "--no-wait", "--output", file);
        Assert.That(exit, Is.Zero, error);
        Assert.That(File.ReadAllText(file), Is.EqualTo(RecordedSession.ExpectedTranscript));

        var (unknown, _, message) = await ReplayAsync("nope", "--no-wait");
        Assert.That(unknown, Is.EqualTo(1));
        Assert.That(message, Does.Contain("no session 'nope' in the workspace"));
    }

    [Test]
    public async Task Lists_sessions_from_the_workspace_as_a_table_and_as_ids()
    {
        var (exit, table, _) = await ReplayAsync("--list");
        Assert.That(exit, Is.Zero);
        var row = table.Split('\n').Single(l => l.Contains(RecordedSession.Id, StringComparison.Ordinal));
        Assert.That(row, Does.Contain("alice").And.Contain("pg-main/appdb").And.Contain("2025-03-01 10:00:08"));

        var (idsExit, ids, _) = await ReplayAsync("--list", "--format", "ids", "--subject", "alice");
        Assert.That(idsExit, Is.Zero);
        Assert.That(ids, Is.EqualTo(RecordedSession.Id + "\n"));

        var (recentExit, recent, _) = await ReplayAsync("--list", "--format", "ids", "--since", "1h");
        Assert.That(recentExit, Is.Zero);
        Assert.That(recent, Is.Empty, "the recorded sessions are from 2025");
        Assert.That(_workspace.Queries[^1], Does.StartWith("let active = GatewayFrames_CL | where TimeGenerated >= datetime("));
    }

    [Test]
    public async Task A_token_the_workspace_refuses_is_a_runtime_error_and_credential_options_override_the_sink()
    {
        await File.WriteAllTextAsync(_tokenFile, "not-the-token");
        var (refused, _, error) = await ReplayAsync(RecordedSession.Id, "--no-wait");
        Assert.That(refused, Is.EqualTo(3));
        Assert.That(error.TrimEnd(), Is.EqualTo("cannot read the session: the workspace answered HTTP 401 AuthorizationRequiredError: Valid authentication was not provided"));

        var good = Path.Combine(_log.StateDirectory, "good.token");
        await File.WriteAllTextAsync(good, _workspace.Token);
        var file = Path.Combine(_log.StateDirectory, "override.txt");
        var (exit, _, overrideError) = await ReplayAsync(RecordedSession.Id, "--no-wait", "--output", file, "--credential", "token_file", "--token-file", good);
        Assert.That(exit, Is.Zero, overrideError);
    }

    [Test]
    public async Task Azure_options_without_their_partner_are_usage_errors()
    {
        var (noWorkspace, _, error) = await CliRun.RunAsync("replay", "--config", _config, RecordedSession.Id, "--from-azure");
        Assert.That(noWorkspace, Is.EqualTo(2));
        Assert.That(error, Does.Contain("--workspace"));

        var (stray, _, strayError) = await CliRun.RunAsync("replay", "--config", _config, RecordedSession.Id, "--workspace", _workspace.WorkspaceId);
        Assert.That(stray, Is.EqualTo(2));
        Assert.That(strayError, Does.Contain("--workspace only apply with --from-azure"));

        var (noFile, _, _) = await ReplayAsync(RecordedSession.Id, "--credential", "token_file");
        Assert.That(noFile, Is.EqualTo(2));
        Assert.That(_workspace.Queries, Is.Empty, "nothing was asked of the workspace");
    }

    private void Serve(IEnumerable<FrameRecord> rows)
    {
        var responder = new WorkspaceResponder([.. rows]);
        _workspace.Responder = responder.Answer;
    }

    private Task<(int Exit, string Out, string Err)> ReplayAsync(params string[] arguments) =>
        CliRun.RunAsync(["replay", "--config", _config, "--from-azure", "--workspace", _workspace.WorkspaceId,
            "--query-endpoint", _workspace.Endpoint.ToString(), .. arguments]);

    /// <summary>A gateway config whose Azure Monitor sink names the token file and the private root replay reuses.</summary>
    private string WriteConfig(string tokenFile)
    {
        var path = Path.Combine(_log.StateDirectory, "gateway.yaml");
        File.WriteAllText(path, $"""
            node: node-a
            state_dir: {_log.StateDirectory}
            identity:
              dev_issuer: true
            audit:
              sinks:
                - type: azure_monitor
                  endpoint: https://ingest.example.invalid
                  rule_id: dcr-00000000000000000000000000000000
                  stream: Custom-GatewayFrames
                  credential: {"{"} type: token_file, path: {tokenFile} {"}"}
                  ca_file: {_workspace.CaFile}
            """);
        return path;
    }
}
