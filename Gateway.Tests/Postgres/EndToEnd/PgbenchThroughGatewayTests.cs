using Gateway.Tests.Fixtures;

namespace Gateway.Tests.Postgres.EndToEnd;

/// <summary>pgbench through the gateway as an agent: simple, extended and prepared protocol, 8 clients.</summary>
[TestFixture]
[NonParallelizable]
public sealed class PgbenchThroughGatewayTests
{
    private PostgresServer _pg = null!;
    private GatewayUnderTest _gateway = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _pg = await PostgresServer.GetSharedAsync();
        // Initialising creates tables: that is DDL, which agents may not do, so it runs directly as the owner.
        var init = await ProcessRunner.RunAsync("pgbench", ["-i", "-s", "1", "-q", "-h", _pg.Host, "-p", _pg.Port.ToString(), "-U", "postgres", "postgres"],
            new Dictionary<string, string> { ["PGPASSWORD"] = _pg.SuperuserPassword }, TimeSpan.FromMinutes(2));
        Assert.That(init.ExitCode, Is.Zero, init.Output);
        _gateway = await GatewayUnderTest.StartAsync(_pg);
    }

    [OneTimeTearDown]
    public async Task StopAsync() => await _gateway.DisposeAsync();

    [TestCase("simple", false)]
    [TestCase("extended", false)]
    [TestCase("prepared", false)]
    [TestCase("prepared", true)]
    public async Task Pgbench_runs_clean_through_the_gateway(string protocol, bool selectOnly)
    {
        string[] arguments = ["-n", "-c", "8", "-j", "2", "-t", "25", "-M", protocol, .. selectOnly ? new[] { "-S" } : [], _gateway.LibpqConnection("pgbench-agent")];
        var result = await ProcessRunner.RunAsync("pgbench", arguments,
            new Dictionary<string, string> { ["PGPASSWORD"] = _gateway.Token("pgbench-agent") }, TimeSpan.FromMinutes(3));

        Assert.That(result.ExitCode, Is.Zero, result.Output);
        Assert.That(result.Stdout, Does.Contain("number of transactions actually processed: 200/200"));
        Assert.That(result.Stdout, Does.Contain("number of failed transactions: 0"));
    }
}
