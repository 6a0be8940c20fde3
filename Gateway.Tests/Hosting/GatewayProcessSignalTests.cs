using Gateway.Tests.Fixtures;
using Gateway.Tests.Postgres.EndToEnd;

namespace Gateway.Tests.Hosting;

/// <summary>
/// The real <c>gateway run</c> process and a real SIGTERM: the query in flight finishes, new connections are
/// refused, the process exits 0 and the frame log verifies.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class GatewayProcessSignalTests
{
    [Test]
    public async Task Sigterm_drains_the_running_query_then_exits_0()
    {
        var pg = await PostgresServer.GetSharedAsync();
        await using var gateway = await GatewayProcess.StartAsync(pg, "sigterm", "shutdown_timeout: 20s", tls: "off");
        var token = gateway.Token("drainer");
        var connection = $"host=127.0.0.1 port={gateway.Port} dbname=postgres user=drainer sslmode=disable";
        var slow = ProcessRunner.RunAsync("psql", [connection, "-X", "-tA", "-c", "SELECT 'finished after ' || pg_sleep(2)::text || 'the drain started'"],
            new Dictionary<string, string> { ["PGPASSWORD"] = token });
        // Signal only once the query runs on the server: an idle session is ended by the drain at once.
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!Equals(await pg.ScalarAsync("SELECT count(*) FROM pg_stat_activity WHERE query LIKE '%finished after%' AND state = 'active' AND pid <> pg_backend_pid()"), 1L))
        {
            Assert.That(DateTime.UtcNow, Is.LessThan(deadline), "the slow query never started");
            await Task.Delay(50);
        }

        await gateway.SignalAsync("TERM");
        await Task.Delay(300);
        var refused = await ProcessRunner.RunAsync("psql", [connection, "-X", "-c", "SELECT 1"],
            new Dictionary<string, string> { ["PGPASSWORD"] = token, ["PGCONNECT_TIMEOUT"] = "3" });

        var finished = await slow;
        Assert.That(finished.ExitCode, Is.Zero, finished.Output);
        Assert.That(finished.Stdout, Does.Contain("finished after"), "the query in flight ran to completion");
        Assert.That(refused.ExitCode, Is.Not.Zero, "no new connection during the drain");

        await gateway.WaitForExitAsync(TimeSpan.FromSeconds(30));
        Assert.That(gateway.ExitCode, Is.Zero, await gateway.Stdout);

        var verify = await gateway.RunCliAsync("verify");
        Assert.That(verify.ExitCode, Is.Zero, verify.Output);
    }
}
