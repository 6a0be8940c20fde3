using Gateway.Core.FrameLog;
using Gateway.Tests.Fixtures;
using Npgsql;

namespace Gateway.Tests.Security;

/// <summary>The real PostgreSQL restarts under live sessions: clients get a clear error, never a hang; the gateway lives on.</summary>
[TestFixture]
[NonParallelizable]
public sealed class UpstreamRestartTests
{
    [Test]
    public async Task A_restart_of_the_target_ends_idle_and_busy_sessions_with_a_clear_error_and_new_ones_work()
    {
        await using var pg = await PostgresServer.StartPrivateAsync();
        var gateway = await SecurityGateway.StartAsync(pg);
        try
        {
            await using var idle = await gateway.OpenAsync(applicationName: "idle-through-restart");
            await using var busy = await gateway.OpenAsync(applicationName: "busy-through-restart");
            await using (var warm = new NpgsqlCommand("select 1", idle))
                Assert.That(await warm.ExecuteScalarAsync(), Is.EqualTo(1));
            await using var sleep = new NpgsqlCommand("select pg_sleep(60)", busy);
            var sleeping = sleep.ExecuteScalarAsync();
            await WaitUntilAsync(async () => (long)(await pg.ScalarAsync("select count(*) from pg_stat_activity where query = 'select pg_sleep(60)'"))! == 1);

            await pg.RestartAsync();

            // Bounded waits: a hang fails the test. The server's own FATAL reaches both clients through the gateway.
            var busyError = Assert.ThrowsAsync<PostgresException>(async () => await sleeping.WaitAsync(TimeSpan.FromSeconds(30)))!;
            await using var after = new NpgsqlCommand("select 2", idle);
            var idleError = Assert.ThrowsAsync<PostgresException>(async () => await after.ExecuteScalarAsync().WaitAsync(TimeSpan.FromSeconds(30)))!;
            Assert.That(busyError.SqlState, Is.EqualTo("57P01"), busyError.ToString());
            Assert.That(idleError.SqlState, Is.EqualTo("57P01"), idleError.ToString());
            Assert.That(busyError.MessageText, Is.EqualTo("terminating connection due to administrator command"));

            await using var fresh = await gateway.OpenAsync();
            await using var query = new NpgsqlCommand("select 3", fresh);
            Assert.That(await query.ExecuteScalarAsync(), Is.EqualTo(3), "the gateway reconnects new sessions to the restarted server");

            var records = await gateway.Gateway.WaitForRecordsAsync(r => r.Kind == FrameKinds.SessionEnd && r.Payload?["reason"]?.GetValue<string>() == "the target closed the connection");
            Assert.That(records.Where(r => r.Kind == FrameKinds.SessionEnd).Select(r => r.Payload!["reason"]!.GetValue<string>()),
                Does.Contain("the target closed the connection"));
        }
        finally
        {
            await gateway.DisposeAsync();
        }
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
                Assert.Fail("condition not reached in 20 s");
            await Task.Delay(50);
        }
    }
}
