using Gateway.Core.FrameLog;
using Gateway.Tests.Fixtures;
using Gateway.Tests.Security;

namespace Gateway.Tests.Postgres.EndToEnd;

/// <summary>
/// Bind and EXECUTE are judged and recorded with the statement the server will run. On the server, Parse and SQL
/// PREPARE share one name space, a Parse or PREPARE of an existing name fails, and an error skips the rest of a batch:
/// each test is a message sequence (raw protocol, the real PostgreSQL behind the gateway) where a gateway that kept
/// its own idea of the names would judge one statement while the server runs another.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class PreparedStatementNamesTests
{
    private PostgresServer _pg = null!;
    private SecurityGateway _gateway = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _pg = await PostgresServer.GetSharedAsync();
        await _pg.ExecuteAsync("""
            DROP TABLE IF EXISTS prep_orders, prep_many;
            CREATE TABLE prep_orders (id int); INSERT INTO prep_orders VALUES (7);
            CREATE TABLE prep_many (id int); INSERT INTO prep_many VALUES (1), (2), (3);
            """);
        _gateway = await SecurityGateway.StartAsync(_pg);
    }

    [OneTimeTearDown]
    public async Task StopAsync() => await _gateway.DisposeAsync();

    [Test]
    public async Task A_statement_redefined_with_DEALLOCATE_and_PREPARE_is_bound_as_redefined()
    {
        await using var client = await _gateway.AuthenticatedRawAsync("prepared-names");
        await client.RoundTripAsync(HostileFrames.Parse("s", "SELECT 'parsed' AS v"), HostileFrames.Sync());
        await client.RoundTripAsync(HostileFrames.Query("DEALLOCATE s; PREPARE s AS SELECT 'prepared' AS v"));

        var answer = await client.RoundTripAsync(HostileFrames.Bind("s"), HostileFrames.DescribePortal(), HostileFrames.Execute(), HostileFrames.Sync());

        Assert.That(RawPgClient.FirstColumns(answer), Is.EqualTo(new[] { "prepared" }), "the server runs the PREPAREd statement");
        Assert.That(await LastCommandTextAsync(), Does.Contain("SELECT 'prepared'"), "and the gateway judged and recorded that one");
    }

    [Test]
    public async Task EXECUTE_of_a_Parsed_statement_is_judged_with_its_statements()
    {
        await using var client = await _gateway.AuthenticatedRawAsync("prepared-names");
        await client.RoundTripAsync(HostileFrames.Parse("p", "SELECT id FROM prep_orders"), HostileFrames.Sync());

        var answer = await client.RoundTripAsync(HostileFrames.Query("EXECUTE p"));

        Assert.That(RawPgClient.FirstColumns(answer), Is.EqualTo(new[] { "7" }));
        var record = await LastCommandAsync();
        Assert.That(record.Objects, Does.Contain("prep_orders"), "EXECUTE p names the table p reads");
    }

    [Test]
    public async Task A_Parse_of_a_name_the_server_already_has_changes_nothing()
    {
        await using var client = await _gateway.AuthenticatedRawAsync("prepared-names");
        await client.RoundTripAsync(HostileFrames.Parse("e", "SELECT 'old' AS v"), HostileFrames.Sync());
        var refused = await client.RoundTripAsync(HostileFrames.Parse("e", "SELECT 'new' AS v"), HostileFrames.Sync());
        Assert.That(refused.Single(m => m.Type == 'E').SqlState, Is.EqualTo("42P05"), "the server keeps the first");

        var answer = await client.RoundTripAsync(HostileFrames.Bind("e"), HostileFrames.DescribePortal(), HostileFrames.Execute(), HostileFrames.Sync());

        Assert.That(RawPgClient.FirstColumns(answer), Is.EqualTo(new[] { "old" }));
        Assert.That(await LastCommandTextAsync(), Is.EqualTo("SELECT 'old' AS v"));
    }

    [Test]
    public async Task A_Close_the_server_skipped_after_an_error_leaves_the_name_uncertain_until_closed_again()
    {
        await using var client = await _gateway.AuthenticatedRawAsync("prepared-names");
        await client.RoundTripAsync(HostileFrames.Parse("u", "SELECT 'first' AS v"), HostileFrames.Sync());
        // 1/0 fails at Execute, so the server skips the Close behind it; then its Parse of "u" fails with 42P05.
        await client.RoundTripAsync(HostileFrames.Parse("", "SELECT 1/0"), HostileFrames.Bind(""), HostileFrames.Execute(), HostileFrames.CloseStatement("u"), HostileFrames.Sync());
        await client.RoundTripAsync(HostileFrames.Parse("u", "SELECT 'second' AS v"), HostileFrames.Sync());

        var denied = await client.RoundTripAsync(HostileFrames.Bind("u"), HostileFrames.DescribePortal(), HostileFrames.Execute(), HostileFrames.Sync());

        Assert.That(RawPgClient.FirstColumns(denied), Is.Empty, "neither statement ran");
        var error = denied.Single(m => m.Type == 'E');
        Assert.That(error.SqlState, Is.EqualTo("42501"));
        Assert.That(error.Fields['M'], Does.Contain("uncertain-statement"));

        await client.RoundTripAsync(HostileFrames.CloseStatement("u"), HostileFrames.Sync());
        await client.RoundTripAsync(HostileFrames.Parse("u", "SELECT 'third' AS v"), HostileFrames.Sync());
        var answer = await client.RoundTripAsync(HostileFrames.Bind("u"), HostileFrames.DescribePortal(), HostileFrames.Execute(), HostileFrames.Sync());
        Assert.That(RawPgClient.FirstColumns(answer), Is.EqualTo(new[] { "third" }), "closed and prepared again, the name is known");
    }

    [Test]
    public async Task Quoted_names_keep_their_case()
    {
        await using var client = await _gateway.AuthenticatedRawAsync("prepared-names");
        await client.RoundTripAsync(HostileFrames.Query("""PREPARE "Big" AS SELECT id FROM prep_orders"""));
        await client.RoundTripAsync(HostileFrames.Query("PREPARE big AS SELECT 1"));

        var answer = await client.RoundTripAsync(HostileFrames.Query("""EXECUTE "Big" """));

        Assert.That(RawPgClient.FirstColumns(answer), Is.EqualTo(new[] { "7" }));
        Assert.That((await LastCommandAsync()).Objects, Does.Contain("prep_orders"), "\"Big\" is not big");
    }

    [Test]
    public async Task DISCARD_ALL_forgets_every_statement_and_DISCARD_PLANS_none()
    {
        await using var client = await _gateway.AuthenticatedRawAsync("prepared-names");
        await client.RoundTripAsync(HostileFrames.Query("PREPARE kept AS SELECT id FROM prep_orders; DISCARD PLANS"));
        var kept = await client.RoundTripAsync(HostileFrames.Bind("kept"), HostileFrames.DescribePortal(), HostileFrames.Execute(), HostileFrames.Sync());
        Assert.That(RawPgClient.FirstColumns(kept), Is.EqualTo(new[] { "7" }));

        await client.RoundTripAsync(HostileFrames.Query("DISCARD ALL"));
        var gone = await client.RoundTripAsync(HostileFrames.Bind("kept"), HostileFrames.DescribePortal(), HostileFrames.Execute(), HostileFrames.Sync());
        Assert.That(gone.Single(m => m.Type == 'E').Fields['M'], Does.Contain("was not prepared through the gateway"));
    }

    [Test]
    public async Task A_PREPARE_sent_through_Parse_and_Execute_is_followed_too()
    {
        await using var client = await _gateway.AuthenticatedRawAsync("prepared-names");
        await client.RoundTripAsync(HostileFrames.Parse("", "PREPARE viaparse AS SELECT id FROM prep_orders"), HostileFrames.Bind(""), HostileFrames.Execute(), HostileFrames.Sync());

        var answer = await client.RoundTripAsync(HostileFrames.Query("EXECUTE viaparse"));

        Assert.That(RawPgClient.FirstColumns(answer), Is.EqualTo(new[] { "7" }));
        Assert.That((await LastCommandAsync()).Objects, Does.Contain("prep_orders"));
    }

    [Test]
    public async Task A_Parsed_EXECUTE_is_judged_with_the_statement_its_name_has_when_it_runs()
    {
        await using var client = await _gateway.AuthenticatedRawAsync("prepared-names");
        await client.RoundTripAsync(HostileFrames.Query("PREPARE later AS SELECT 1"));
        await client.RoundTripAsync(HostileFrames.Parse("runner", "EXECUTE later"), HostileFrames.Sync());
        await client.RoundTripAsync(HostileFrames.Query("DEALLOCATE later"));
        await client.RoundTripAsync(HostileFrames.Query("PREPARE later AS SELECT id FROM prep_orders"));

        var answer = await client.RoundTripAsync(HostileFrames.Bind("runner"), HostileFrames.DescribePortal(), HostileFrames.Execute(), HostileFrames.Sync());

        Assert.That(RawPgClient.FirstColumns(answer), Is.EqualTo(new[] { "7" }));
        Assert.That((await LastCommandAsync()).Objects, Does.Contain("prep_orders"), "judged with the PREPARE in force at Execute");
    }

    [Test]
    public async Task EXECUTE_of_a_name_never_prepared_through_the_gateway_is_denied()
    {
        await using var client = await _gateway.AuthenticatedRawAsync("prepared-names");

        var answer = await client.RoundTripAsync(HostileFrames.Query("EXECUTE never_prepared"));

        Assert.That(answer.Single(m => m.Type == 'E').Fields['M'], Does.Contain("uncertain-statement"));
    }

    [Test]
    public async Task A_pipelined_failed_Parse_then_a_refused_one_then_Close_and_Parse_never_leave_the_refused_one_judged()
    {
        await using var client = await _gateway.AuthenticatedRawAsync("prepared-names");
        // On the server: the first Parse fails (no such table), so the second creates "t", Close drops it, the last
        // creates it again. A gateway that let the second Parse's ParseComplete win would judge 'second'.
        await client.WriteAsync([
            .. HostileFrames.Parse("t", "SELECT * FROM no_such_table"), .. HostileFrames.Sync(),
            .. HostileFrames.Parse("t", "SELECT 'second' AS v"), .. HostileFrames.Sync(),
            .. HostileFrames.CloseStatement("t"), .. HostileFrames.Parse("t", "SELECT 'last' AS v"), .. HostileFrames.Sync()]);
        for (var i = 0; i < 3; i++)
            await client.ReadUntilReadyAsync();

        var answer = await client.RoundTripAsync(HostileFrames.Bind("t"), HostileFrames.DescribePortal(), HostileFrames.Execute(), HostileFrames.Sync());

        if (answer.Any(m => m.Type == 'E'))
        {
            Assert.That(answer.Single(m => m.Type == 'E').Fields['M'], Does.Contain("uncertain-statement"), "denied as uncertain");
        }
        else
        {
            Assert.That(RawPgClient.FirstColumns(answer), Is.EqualTo(new[] { "last" }));
            Assert.That(await LastCommandTextAsync(), Is.EqualTo("SELECT 'last' AS v"), "judged as what ran");
        }
    }

    [Test]
    public async Task A_portal_executed_again_is_judged_as_its_first_Execute_ran()
    {
        await using var client = await _gateway.AuthenticatedRawAsync("prepared-names");
        await client.RoundTripAsync(HostileFrames.Query("BEGIN; PREPARE many AS SELECT id FROM prep_many"));
        var first = await client.RoundTripAsync(HostileFrames.Parse("reader", "EXECUTE many"), HostileFrames.Bind("reader", portal: "P"),
            HostileFrames.DescribePortal("P"), HostileFrames.Execute("P", maxRows: 1), HostileFrames.Sync());
        Assert.That(first.Count(m => m.Type == 'D'), Is.EqualTo(1), "one row, then PortalSuspended");
        // The server ran EXECUTE many once and stored its rows; redefining "many" changes nothing for the portal.
        await client.RoundTripAsync(HostileFrames.Query("DEALLOCATE many; PREPARE many AS SELECT 1"));

        var rest = await client.RoundTripAsync(HostileFrames.Execute("P", maxRows: 0), HostileFrames.Sync());

        Assert.That(rest.Count(m => m.Type == 'D'), Is.EqualTo(2), "the stored rows of prep_many");
        Assert.That((await LastCommandAsync()).Objects, Does.Contain("prep_many"), "judged as what the portal reads on");
        await client.RoundTripAsync(HostileFrames.Query("ROLLBACK"));
    }

    [Test]
    public async Task A_portal_whose_first_Execute_the_server_skipped_is_judged_at_the_Execute_it_runs()
    {
        await using var client = await _gateway.AuthenticatedRawAsync("prepared-names");
        await client.RoundTripAsync(HostileFrames.Query("BEGIN; PREPARE harmless AS SELECT 1"));
        await client.RoundTripAsync(HostileFrames.Parse("runs_harmless", "EXECUTE harmless"), HostileFrames.Bind("runs_harmless", portal: "Q"), HostileFrames.Sync());
        await client.RoundTripAsync(HostileFrames.Query("SAVEPOINT before_skip"));
        // 1/0 fails, so the server skips Execute Q: the portal stays unrun.
        await client.RoundTripAsync(HostileFrames.Parse("", "SELECT 1/0"), HostileFrames.Bind(""), HostileFrames.Execute(), HostileFrames.Execute("Q"), HostileFrames.Sync());
        await client.RoundTripAsync(HostileFrames.Query("ROLLBACK TO before_skip; DEALLOCATE harmless; PREPARE harmless AS SELECT id FROM prep_many"));

        var answer = await client.RoundTripAsync(HostileFrames.DescribePortal("Q"), HostileFrames.Execute("Q"), HostileFrames.Sync());

        Assert.That(answer.Count(m => m.Type == 'D'), Is.EqualTo(3), "the server ran EXECUTE harmless now, as redefined");
        Assert.That((await LastCommandAsync()).Objects, Does.Contain("prep_many"), "and the gateway judged that");
        await client.RoundTripAsync(HostileFrames.Query("ROLLBACK"));
    }

    [Test]
    public async Task A_portal_executed_again_while_its_skipped_first_Execute_is_in_flight_is_never_judged_as_the_skipped_one()
    {
        await using var client = await _gateway.AuthenticatedRawAsync("prepared-names");
        await client.RoundTripAsync(HostileFrames.Query("BEGIN; PREPARE quiet AS SELECT 1"));
        await client.RoundTripAsync(HostileFrames.Parse("runs_quiet", "EXECUTE quiet"), HostileFrames.Bind("runs_quiet", portal: "S"), HostileFrames.Sync());
        await client.RoundTripAsync(HostileFrames.Query("SAVEPOINT before_skip"));
        // All in one write: the first Execute of S is skipped (1/0 fails before it), "quiet" is redefined, S runs.
        await client.WriteAsync([
            .. HostileFrames.Parse("", "SELECT 1/0"), .. HostileFrames.Bind(""), .. HostileFrames.Execute(), .. HostileFrames.Execute("S"), .. HostileFrames.Sync(),
            .. HostileFrames.Query("ROLLBACK TO before_skip; DEALLOCATE quiet; PREPARE quiet AS SELECT id FROM prep_many"),
            .. HostileFrames.DescribePortal("S"), .. HostileFrames.Execute("S"), .. HostileFrames.Sync()]);
        for (var i = 0; i < 2; i++)
            await client.ReadUntilReadyAsync();

        var last = await client.ReadUntilReadyAsync();

        if (last.Any(m => m.Type == 'D'))
            Assert.That((await LastCommandAsync()).Objects, Does.Contain("prep_many"), "rows of prep_many were judged as prep_many");
        else
            Assert.That(last.Single(m => m.Type == 'E').Fields['M'], Does.Contain("portal-in-flight"));
        await client.RoundTripAsync(HostileFrames.Query("ROLLBACK"));
    }

    [Test]
    public async Task A_Bind_the_server_refuses_leaves_the_portal_it_had()
    {
        await using var client = await _gateway.AuthenticatedRawAsync("prepared-names");
        await client.RoundTripAsync(HostileFrames.Query("BEGIN"));
        await client.RoundTripAsync(HostileFrames.Parse("many_rows", "SELECT id FROM prep_many"), HostileFrames.Bind("many_rows", portal: "R"), HostileFrames.Sync());
        await client.RoundTripAsync(HostileFrames.Query("SAVEPOINT rebind"));
        var refused = await client.RoundTripAsync(HostileFrames.Parse("one_row", "SELECT 1"), HostileFrames.Bind("one_row", portal: "R"), HostileFrames.Sync());
        Assert.That(refused.Single(m => m.Type == 'E').SqlState, Is.EqualTo("42P03"), "a named portal cannot be bound twice");
        await client.RoundTripAsync(HostileFrames.Query("ROLLBACK TO rebind"));

        var answer = await client.RoundTripAsync(HostileFrames.DescribePortal("R"), HostileFrames.Execute("R"), HostileFrames.Sync());

        Assert.That(answer.Count(m => m.Type == 'D'), Is.EqualTo(3), "the server runs the portal it kept");
        Assert.That(await LastCommandTextAsync(), Is.EqualTo("SELECT id FROM prep_many"), "and the gateway judged that one");
        await client.RoundTripAsync(HostileFrames.Query("ROLLBACK"));
    }

    private async Task<FrameRecord> LastCommandAsync() =>
        (await _gateway.Gateway.RecordsAsync()).Last(r => r.Kind == FrameKinds.Command);

    private async Task<string?> LastCommandTextAsync() => (await LastCommandAsync()).Command;
}
