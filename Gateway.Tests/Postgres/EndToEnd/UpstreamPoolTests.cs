using Gateway.Core.FrameLog;
using Gateway.Tests.Fixtures;
using Gateway.Tests.Postgres.Protocol;
using Gateway.Tests.Security;
using Npgsql;

namespace Gateway.Tests.Postgres.EndToEnd;

/// <summary>
/// <c>target.pool</c> against a real PostgreSQL: a client that ended cleanly hands its backend to the next client
/// with the same startup, reset with <c>DISCARD ALL</c>, and nothing of the first session's state reaches the
/// second; a backend that is not provably clean (a transaction left open, a cancel sent, terminated on the server)
/// is never handed on; the pool is bounded and expires, and closes its backends when the gateway stops.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class UpstreamPoolTests
{
    private PostgresServer _pg = null!;
    private string _rules = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _pg = await PostgresServer.GetSharedAsync();
        await _pg.ExecuteAsync("DROP TABLE IF EXISTS pool_orders; CREATE TABLE pool_orders (id serial PRIMARY KEY, note text)");
        // Agents may do anything here: the tests leave every kind of session state behind on purpose.
        _rules = Path.Combine(Path.GetTempPath(), $"gw-pool-{Guid.NewGuid():n}.yaml");
        await File.WriteAllTextAsync(_rules, """
            version: 1
            default: allow
            rules:
              - id: audit-only
                match: { groups: [nobody] }
                action: deny
            """);
    }

    [OneTimeTearDown]
    public void DeleteRules() => File.Delete(_rules);

    [Test]
    public async Task The_next_client_gets_the_backend_reset_with_nothing_of_the_previous_session()
    {
        await using var gateway = await StartGatewayAsync("pool: { max_idle: 2 }");
        int first;
        await using (var connection = await gateway.OpenAsync())
        {
            first = await BackendPidAsync(connection);
            foreach (var sql in new[]
            {
                "CREATE TEMP TABLE left_behind (x int)", "SET work_mem = '7MB'", "SET TimeZone = 'Asia/Tokyo'",
                "PREPARE left_prepared AS SELECT 1", "SELECT pg_advisory_lock(4242)", "LISTEN left_channel",
                "SELECT set_config('app.agent', 'first', false)", "DECLARE left_cursor CURSOR WITH HOLD FOR SELECT 1",
            })
            {
                await ExecAsync(connection, sql);
            }
            Assert.That(connection.Timezone, Is.EqualTo("Asia/Tokyo"), "the server reported the SET to the first client");
        }
        await WaitForIdleAsync(gateway, 1);

        await using var next = await gateway.OpenAsync();

        Assert.That(await BackendPidAsync(next), Is.EqualTo(first), "the same backend, not a new fork");
        Assert.That((gateway.Metrics.UpstreamOpened, gateway.Metrics.UpstreamReused), Is.EqualTo((1L, 1L)), "gateway_upstream_sessions_total");
        Assert.That(next.Timezone, Is.Not.EqualTo("Asia/Tokyo"), "the startup reports the reset TimeZone, not the first client's");
        Assert.That(await ScalarAsync(next, "SHOW TimeZone"), Is.EqualTo(next.Timezone));
        Assert.That(await ScalarAsync(next, "SELECT to_regclass('left_behind') IS NULL"), Is.True, "temporary table dropped");
        Assert.That(await ScalarAsync(next, "SHOW work_mem"), Is.EqualTo(await _pg.ScalarAsync("SHOW work_mem")).And.Not.EqualTo("7MB"));
        Assert.That(await ScalarAsync(next, "SELECT count(*) FROM pg_prepared_statements"), Is.Zero, "prepared statements deallocated");
        Assert.That(await ScalarAsync(next, "SELECT count(*) FROM pg_cursors WHERE name = 'left_cursor'"), Is.Zero, "cursors closed");
        Assert.That(await ScalarAsync(next, "SELECT count(*) FROM pg_listening_channels()"), Is.Zero, "UNLISTEN *");
        Assert.That(await ScalarAsync(next, "SELECT coalesce(current_setting('app.agent', true), '')"), Is.Empty, "RESET ALL");
        Assert.That(await _pg.ScalarAsync($"SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = {first}"), Is.Zero,
            "advisory locks released");

        // Each session's end record names the backend that served it (as the server's own log does) and its reuse.
        await next.CloseAsync();
        var records = await gateway.WaitForRecordsAsync(r => r.Kind == FrameKinds.SessionEnd && r.Payload?["upstream"]?["reused"]?.GetValue<bool>() == true);
        var served = records.Where(r => r.Kind == FrameKinds.SessionEnd)
            .Select(r => (r.Payload!["upstream"]!["backend"]!.GetValue<long>(), r.Payload["upstream"]!["reused"]!.GetValue<bool>()));
        Assert.That(served, Is.EqualTo(new[] { ((long)first, false), ((long)first, true) }));
    }

    [Test]
    public async Task Without_a_pool_every_client_gets_a_backend_of_its_own()
    {
        await using var gateway = await StartGatewayAsync("");
        int first;
        await using (var connection = await gateway.OpenAsync())
            first = await BackendPidAsync(connection);
        await WaitForBackendGoneAsync(first);

        await using var next = await gateway.OpenAsync();

        Assert.That(await BackendPidAsync(next), Is.Not.EqualTo(first));
    }

    [Test]
    public async Task A_client_that_leaves_inside_a_transaction_does_not_hand_on_its_backend()
    {
        await using var gateway = await StartGatewayAsync("pool: { max_idle: 2 }");
        await _pg.ExecuteAsync("TRUNCATE pool_orders");
        int first;
        await using (var connection = await gateway.OpenAsync())
        {
            first = await BackendPidAsync(connection);
            await ExecAsync(connection, "BEGIN");
            await ExecAsync(connection, "INSERT INTO pool_orders (note) VALUES ('never committed')");
        }
        await WaitForBackendGoneAsync(first);

        await using var next = await gateway.OpenAsync();

        Assert.That(await BackendPidAsync(next), Is.Not.EqualTo(first));
        Assert.That(await _pg.ScalarAsync("SELECT count(*) FROM pool_orders"), Is.Zero, "the open transaction died with its backend");
        Assert.That(gateway.IdleUpstreamSessions, Is.Zero);
    }

    [Test]
    public async Task A_client_that_leaves_in_the_middle_of_an_extended_batch_does_not_hand_on_its_backend()
    {
        // Parse, Bind, Execute and Flush, answered, then Terminate with no Sync: the server is still inside the
        // batch's implicit transaction, which a reset would commit on a server that allowed it.
        await using var gateway = await StartGatewayAsync("pool: { max_idle: 2 }");
        await _pg.ExecuteAsync("TRUNCATE pool_orders");
        var application = "unsynced-" + Guid.NewGuid().ToString("n")[..8];
        var logFrom = new FileInfo(_pg.LogPath).Length;
        int first;
        await using (var client = await RawPgClient.ConnectAsync(gateway.Port))
        {
            await client.AuthenticateAsync(gateway.Token(), applicationName: application);
            first = await BackendOfAsync(application);
            await client.WriteAsync([
                .. WireBytes.Frame('P', new WireBytes().CString("").CString("INSERT INTO pool_orders (note) VALUES ('never synced')").Int16(0)),
                .. WireBytes.Frame('B', new WireBytes().CString("").CString("").Int16(0).Int16(0).Int16(0)),
                .. WireBytes.Frame('E', new WireBytes().CString("").Int32(0)),
                .. WireBytes.Frame('H', []),
            ]);
            var answered = new List<char>();
            for (var i = 0; i < 3; i++)
                answered.Add((await client.ReadMessageAsync())!.Type);
            Assert.That(answered, Is.EqualTo(new[] { '1', '2', 'C' }), "ParseComplete, BindComplete, CommandComplete");
            await client.WriteAsync(WireBytes.Frame('X', []));
        }
        await WaitForBackendGoneAsync(first);

        Assert.That(gateway.IdleUpstreamSessions, Is.Zero);
        Assert.That(await _pg.ScalarAsync("SELECT count(*) FROM pool_orders"), Is.Zero, "the unsynced insert died with its backend");
        // PostgreSQL 15 would refuse the reset inside the batch anyway (and log it): the gateway must not even try.
        Assert.That((await ServerLogSinceAsync(logFrom)).Split('\n').Where(line => line.Contains($"[{first}]", StringComparison.Ordinal)),
            Has.None.Contains("DISCARD ALL"), "no reset was sent to a backend inside a batch");
    }

    [Test]
    public async Task A_session_a_cancel_was_sent_for_does_not_hand_on_its_backend()
    {
        await using var gateway = await StartGatewayAsync("pool: { max_idle: 2 }");
        int first;
        await using (var connection = await gateway.OpenAsync())
        {
            first = await BackendPidAsync(connection);
            await using var sleep = new NpgsqlCommand("SELECT pg_sleep(30)", connection);
            var running = sleep.ExecuteNonQueryAsync();
            // A cancel that reaches an idle backend is ignored: cancel once the sleep runs.
            await WaitUntilAsync(async () => (long)(await _pg.ScalarAsync(
                $"SELECT count(*) FROM pg_stat_activity WHERE pid = {first} AND state = 'active' AND query LIKE '%pg_sleep%'"))! == 1, "the sleep runs");
            sleep.Cancel();
            var cancelled = Assert.CatchAsync(async () => await running)!;
            Assert.That((cancelled as PostgresException ?? cancelled.InnerException as PostgresException)?.SqlState, Is.EqualTo("57014"));
        }
        await WaitForBackendGoneAsync(first);

        await using var next = await gateway.OpenAsync();

        Assert.That(await BackendPidAsync(next), Is.Not.EqualTo(first), "a late cancel must not reach the next client's backend");
    }

    [Test]
    public async Task A_backend_terminated_while_idle_is_dropped_and_the_client_gets_a_fresh_one()
    {
        // idle_timeout 30 s: the sweep (every 5 s) drops the session because its backend has gone, not for its age.
        await using var gateway = await StartGatewayAsync("pool: { max_idle: 2, idle_timeout: 30s }");
        var first = await ParkOneAsync(gateway);
        await _pg.ExecuteAsync($"SELECT pg_terminate_backend({first})");
        await WaitForBackendGoneAsync(first);
        await WaitForIdleAsync(gateway, 0);

        await using var next = await gateway.OpenAsync();

        Assert.That(await BackendPidAsync(next), Is.Not.EqualTo(first));
        Assert.That(await ScalarAsync(next, "SELECT 'usable'"), Is.EqualTo("usable"));
    }

    [Test]
    public async Task The_pool_keeps_at_most_max_idle()
    {
        await using var gateway = await StartGatewayAsync("pool: { max_idle: 2 }");
        var connections = new List<NpgsqlConnection>();
        for (var i = 0; i < 3; i++)
            connections.Add(await gateway.OpenAsync());
        var pids = new List<int>();
        foreach (var connection in connections)
            pids.Add(await BackendPidAsync(connection));
        foreach (var connection in connections)
            await connection.DisposeAsync();

        // A session hands its backend back (and the pool closes one to make room) before its session_end is written.
        await WaitUntilAsync(async () => (await gateway.RecordsAsync()).Count(r => r.Kind == FrameKinds.SessionEnd) == 3, "three sessions ended");
        await WaitUntilAsync(async () => await LiveBackendsAsync(pids) == 2, "two of the three backends kept, one closed");
        Assert.That(gateway.IdleUpstreamSessions, Is.EqualTo(2));
    }

    [Test]
    public async Task Idle_sessions_are_closed_after_idle_timeout()
    {
        await using var gateway = await StartGatewayAsync("pool: { max_idle: 2, idle_timeout: 1s }");
        var first = await ParkOneAsync(gateway);

        await WaitForBackendGoneAsync(first);
        Assert.That(gateway.IdleUpstreamSessions, Is.Zero);
    }

    [Test]
    public async Task A_session_past_max_lifetime_is_not_handed_out()
    {
        // What was fixed at connect (ALTER ROLE ... SET, a password since rotated) lasts no longer than max_lifetime.
        await using var gateway = await StartGatewayAsync("pool: { max_idle: 2, max_lifetime: 1s }");
        var first = await ParkOneAsync(gateway);
        await Task.Delay(TimeSpan.FromSeconds(1.2));

        await using var next = await gateway.OpenAsync();

        Assert.That(await BackendPidAsync(next), Is.Not.EqualTo(first));
        await WaitForBackendGoneAsync(first);
    }

    [Test]
    public async Task The_bound_is_for_the_whole_target_whatever_startup_parameters_clients_choose()
    {
        // Clients choose part of the key (application_name): a bound per key would let one park backends without limit.
        await using var gateway = await StartGatewayAsync("pool: { max_idle: 2 }");
        var pids = new List<int>();
        for (var i = 0; i < 3; i++)
        {
            var builder = new NpgsqlConnectionStringBuilder(gateway.NpgsqlConnectionString(gateway.Token())) { ApplicationName = $"run-{i}" };
            await using (var connection = new NpgsqlConnection(builder.ConnectionString))
            {
                await connection.OpenAsync();
                pids.Add(await BackendPidAsync(connection));
            }
            await WaitForIdleAsync(gateway, Math.Min(i + 1, 2));
        }

        await WaitForBackendGoneAsync(pids[0]);
        Assert.That(await LiveBackendsAsync(pids[1..]), Is.EqualTo(2), "the longest idle made room for the newest");
    }

    [Test]
    public async Task Stopping_the_gateway_closes_its_idle_backends()
    {
        int first;
        await using (var gateway = await StartGatewayAsync("pool: { max_idle: 2 }"))
        {
            first = await ParkOneAsync(gateway);
            Assert.That(await LiveBackendsAsync([first]), Is.EqualTo(1));
        }

        await WaitForBackendGoneAsync(first);
    }

    private Task<GatewayUnderTest> StartGatewayAsync(string targetYaml) =>
        GatewayUnderTest.StartAsync(_pg, rulesFile: _rules, targetYaml: targetYaml);

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (!await condition() && DateTime.UtcNow < deadline)
            await Task.Delay(20);
        Assert.That(await condition(), Is.True, what);
    }

    /// <summary>One client session that ends cleanly at once; its backend, now idle in the pool.</summary>
    private static async Task<int> ParkOneAsync(GatewayUnderTest gateway)
    {
        int pid;
        await using (var connection = await gateway.OpenAsync())
            pid = await BackendPidAsync(connection);
        await WaitForIdleAsync(gateway, 1);
        return pid;
    }

    private static async Task WaitForIdleAsync(GatewayUnderTest gateway, int count)
    {
        // The session hands its backend back after its client has gone, so the next connect may come first.
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (gateway.IdleUpstreamSessions != count && DateTime.UtcNow < deadline)
            await Task.Delay(20);
        Assert.That(gateway.IdleUpstreamSessions, Is.EqualTo(count), "idle upstream sessions in the pool");
    }

    private async Task WaitForBackendGoneAsync(int pid)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (await LiveBackendsAsync([pid]) > 0 && DateTime.UtcNow < deadline)
            await Task.Delay(50);
        Assert.That(await LiveBackendsAsync([pid]), Is.Zero, $"backend {pid} has exited");
    }

    private async Task<string> ServerLogSinceAsync(long offset)
    {
        await using var log = new FileStream(_pg.LogPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        log.Seek(offset, SeekOrigin.Begin);
        using var reader = new StreamReader(log);
        return await reader.ReadToEndAsync();
    }

    /// <summary>The backend serving the (unique) application name, as the server sees it.</summary>
    private async Task<int> BackendOfAsync(string applicationName) =>
        (int)(await _pg.ScalarAsync($"SELECT pid FROM pg_stat_activity WHERE application_name = '{applicationName}'"))!;

    private async Task<long> LiveBackendsAsync(IEnumerable<int> pids) =>
        (long)(await _pg.ScalarAsync($"SELECT count(*) FROM pg_stat_activity WHERE pid IN ({string.Join(',', pids)})"))!;

    private static async Task<int> BackendPidAsync(NpgsqlConnection connection) => (int)(await ScalarAsync(connection, "SELECT pg_backend_pid()"))!;

    private static async Task<object?> ScalarAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync();
    }

    private static async Task ExecAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
