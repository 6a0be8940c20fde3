using Gateway.Tests.Fixtures;
using Gateway.Tests.Security;
using Npgsql;

namespace Gateway.Tests.Postgres.EndToEnd;

/// <summary>A <c>limit</c> rule's <c>max_rows</c>: the client gets 54000 naming the rule, and an honest transaction state.</summary>
[TestFixture]
[NonParallelizable]
public sealed class LimitThroughGatewayTests
{
    private PostgresServer _pg = null!;
    private GatewayUnderTest _gateway = null!;
    private string _rules = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _pg = await PostgresServer.GetSharedAsync();
        await _pg.ExecuteAsync("""
            DROP TABLE IF EXISTS limit_rows, limit_log;
            CREATE TABLE limit_rows AS SELECT g AS id FROM generate_series(1, 100) g;
            CREATE TABLE limit_log (note text);
            DROP TABLE IF EXISTS limit_blobs;
            CREATE TABLE limit_blobs AS SELECT g AS id, repeat('x', 1000) AS body FROM generate_series(1, 50) g;
            """);
        _rules = Path.Combine(Path.GetTempPath(), $"limit-rules-{Guid.NewGuid():n}.yaml");
        await File.WriteAllTextAsync(_rules, """
            version: 1
            default: allow
            rules:
              - id: analysts-small-results
                match: { groups: [analysts], statements: [select], tables: [limit_rows] }
                action: limit
                max_rows: 10
                message: Results are capped at 10 rows for analysts; aggregate or add a LIMIT.
              - id: analysts-small-payloads
                match: { groups: [analysts], tables: [limit_blobs] }
                action: limit
                max_bytes: 10000
                message: Results are capped at 10 kB for analysts.
              - id: analysts-quick-statements
                match: { groups: [analysts], functions: [pg_sleep] }
                action: limit
                statement_timeout: 500ms
                message: Analyst statements may run half a second.
            """);
        _gateway = await GatewayUnderTest.StartAsync(_pg, _rules);
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        await _gateway.DisposeAsync();
        File.Delete(_rules);
    }

    [Test]
    public async Task A_result_over_max_rows_ends_with_54000_naming_the_rule()
    {
        var result = await _gateway.PsqlAsync(_gateway.Token("analyst", "analysts"), "-c", "SELECT id FROM limit_rows", "-c", "SELECT count(*) FROM limit_rows");

        Assert.That(result.Stderr, Does.Contain("ERROR:  54000: result limited by rule analysts-small-results"), result.Output);
        Assert.That(result.Stdout, Does.Contain("100"), "a small result still passes, and the session goes on");
    }

    [Test]
    public async Task A_statement_over_its_statement_timeout_is_cancelled_on_the_server_naming_the_rule()
    {
        var started = DateTime.UtcNow;
        var result = await _gateway.PsqlAsync(_gateway.Token("analyst", "analysts"), "-c", "SELECT pg_sleep(20)", "-c", "SELECT 'after'");

        Assert.That(result.Stderr, Does.Contain("ERROR:  57014: canceling statement due to statement timeout of rule analysts-quick-statements"), result.Output);
        Assert.That(result.Stdout, Does.Contain("after"), "the session goes on");
        Assert.That(DateTime.UtcNow - started, Is.LessThan(TimeSpan.FromSeconds(15)), "the server stopped the statement");
    }

    [Test]
    public async Task A_result_over_max_bytes_ends_with_54000_naming_the_rule()
    {
        var result = await _gateway.PsqlAsync(_gateway.Token("analyst", "analysts"), "-tA", "-c", "SELECT body FROM limit_blobs", "-c", "SELECT length(body) FROM limit_blobs WHERE id = 1");

        Assert.That(result.Stderr, Does.Contain("ERROR:  54000: result limited by rule analysts-small-payloads: the result exceeds 10000 bytes"), result.Output);
        Assert.That(result.Stdout.TrimEnd(), Does.EndWith("1000"), "a small result passes");
    }

    [Test]
    public async Task A_result_within_max_rows_passes()
    {
        var result = await _gateway.PsqlAsync(_gateway.Token("analyst", "analysts"), "-tA", "-c", "SELECT id FROM limit_rows WHERE id <= 10");

        Assert.That(result.ExitCode, Is.Zero, result.Output);
        Assert.That(result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries), Has.Length.EqualTo(10));
    }

    [Test]
    public async Task A_limited_result_inside_a_transaction_fails_the_transaction_on_the_server_too()
    {
        await using var connection = await _gateway.OpenAsync(_gateway.Token("analyst", "analysts"));
        await using (var begin = new NpgsqlCommand("BEGIN; INSERT INTO limit_log VALUES ('in the transaction')", connection))
            await begin.ExecuteNonQueryAsync();

        var error = Assert.ThrowsAsync<PostgresException>(async () =>
        {
            await using var select = new NpgsqlCommand("SELECT id FROM limit_rows", connection);
            await using var reader = await select.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
            }
        })!;
        Assert.That(error.SqlState, Is.EqualTo("54000"));

        await using (var commit = new NpgsqlCommand("COMMIT", connection))
            await commit.ExecuteNonQueryAsync();
        Assert.That(await _pg.ScalarAsync("SELECT count(*) FROM limit_log"), Is.Zero, "the client was told the transaction failed; nothing committed");
    }

    // A cursor's rows come back to a FETCH, which names no table: the FETCH is judged with its cursor's query.

    [Test]
    public async Task A_FETCH_from_a_cursor_is_limited_by_the_rule_on_the_table_its_cursor_reads()
    {
        var result = await _gateway.PsqlAsync(_gateway.Token("analyst", "analysts"),
            "-c", "BEGIN", "-c", "DECLARE rows_cursor CURSOR FOR SELECT id FROM limit_rows", "-c", "FETCH ALL FROM rows_cursor", "-c", "ROLLBACK");

        Assert.That(result.Stderr, Does.Contain("ERROR:  54000: result limited by rule analysts-small-results"), result.Output);
    }

    [Test]
    public async Task A_FETCH_through_the_extended_protocol_is_limited_too()
    {
        await using var connection = await _gateway.OpenAsync(_gateway.Token("analyst", "analysts"));
        await using (var declare = new NpgsqlCommand("BEGIN; DECLARE np_cursor CURSOR FOR SELECT id FROM limit_rows", connection))
            await declare.ExecuteNonQueryAsync();

        var error = Assert.ThrowsAsync<PostgresException>(async () =>
        {
            await using var fetch = new NpgsqlCommand("FETCH ALL FROM np_cursor", connection);
            await using var reader = await fetch.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
            }
        })!;
        Assert.That(error.SqlState, Is.EqualTo("54000"));
    }

    [Test]
    public async Task A_cursor_closed_and_declared_again_is_judged_by_its_new_query()
    {
        var result = await _gateway.PsqlAsync(_gateway.Token("analyst", "analysts"), "-tA",
            "-c", "BEGIN", "-c", "DECLARE reused CURSOR FOR SELECT id FROM limit_rows", "-c", "CLOSE reused",
            "-c", "DECLARE reused CURSOR FOR SELECT g FROM generate_series(1, 20) g", "-c", "FETCH ALL FROM reused", "-c", "COMMIT");

        Assert.That(result.ExitCode, Is.Zero, result.Output);
        var rows = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(line => int.TryParse(line, out _));
        Assert.That(rows, Has.Exactly(20).Items, "20 rows: the rule on limit_rows does not apply to the new query");
    }

    [Test]
    public async Task A_COPY_started_after_a_limited_result_in_the_same_query_is_ended_and_the_session_goes_on()
    {
        var result = await _gateway.PsqlAsync(_gateway.Token("analyst", "analysts"),
            "-c", "SELECT id FROM limit_rows; COPY limit_log FROM STDIN", "-c", "SELECT 'still here'");

        Assert.That(result.Stderr, Does.Contain("ERROR:  54000: result limited by rule analysts-small-results"), result.Output);
        Assert.That(result.Stdout, Does.Contain("still here"), "the COPY the server started was failed by the gateway, not left waiting");
        Assert.That(await _pg.ScalarAsync("SELECT count(*) FROM limit_log"), Is.Zero);
    }

    [Test]
    public async Task A_COPY_from_a_server_file_through_the_extended_protocol_completes()
    {
        var file = Path.Combine(Path.GetTempPath(), $"limit-copy-{Guid.NewGuid():n}.txt");
        await File.WriteAllTextAsync(file, "from a file\n");
        try
        {
            await _pg.ExecuteAsync("DROP TABLE IF EXISTS limit_file_copy; CREATE TABLE limit_file_copy (note text)");
            await using var connection = await _gateway.OpenAsync(_gateway.Token("analyst", "analysts"));
            // Npgsql sends Parse, Bind, Execute and Sync at once; the server answers only after the Sync.
            await using var copy = new NpgsqlCommand($"COPY limit_file_copy FROM '{file}'", connection);
            var copying = copy.ExecuteNonQueryAsync();

            Assert.That(await copying.WaitAsync(TimeSpan.FromSeconds(20)), Is.EqualTo(1));
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Test]
    public async Task A_COPY_later_in_an_extended_batch_whose_result_was_limited_is_ended_and_the_batch_completes()
    {
        await using var client = await RawPgClient.ConnectAsync(_gateway.Port);
        await client.AuthenticateAsync(_gateway.Token("analyst", "analysts"));
        await client.WriteAsync([
            .. HostileFrames.Parse("", "SELECT id FROM limit_rows"), .. HostileFrames.Bind(), .. HostileFrames.DescribePortal(), .. HostileFrames.Execute(),
            .. HostileFrames.Parse("", "COPY limit_log FROM STDIN"), .. HostileFrames.Bind(), .. HostileFrames.Execute(), .. HostileFrames.Sync()]);

        var answer = await client.ReadUntilReadyAsync().WaitAsync(TimeSpan.FromSeconds(20));

        Assert.That(answer.Where(m => m.Type == 'E').Select(m => m.SqlState), Does.Contain("54000"));
        Assert.That(answer.Last().Type, Is.EqualTo('Z'), "the batch ended with ReadyForQuery instead of waiting on the COPY");
        Assert.That(await _pg.ScalarAsync("SELECT count(*) FROM limit_log"), Is.Zero);
    }
}
