using Gateway.Tests.Fixtures;

namespace Gateway.Tests.Postgres.EndToEnd;

/// <summary>An unmodified psql through the gateway: TLS, token as password, native denials, masking, cancel.</summary>
[TestFixture]
[NonParallelizable]
public sealed class PsqlThroughGatewayTests
{
    private PostgresServer _pg = null!;
    private GatewayUnderTest _gateway = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _pg = await PostgresServer.GetSharedAsync();
        await _pg.ExecuteAsync("""
            DROP TABLE IF EXISTS psql_customers;
            CREATE TABLE psql_customers (id int PRIMARY KEY, name text, email text, card_number text);
            INSERT INTO psql_customers VALUES
                (1, 'Ada', 'ada@example.com', '4111 1111 1111 1111'),
                (2, 'Grace', 'grace@example.org', '5500 0000 0000 0004');
            """);
        _gateway = await GatewayUnderTest.StartAsync(_pg);
    }

    [OneTimeTearDown]
    public async Task StopAsync() => await _gateway.DisposeAsync();

    [Test]
    public async Task Select_runs_over_TLS_and_conninfo_shows_it()
    {
        var result = await _gateway.PsqlAsync(_gateway.Token(), "-tA", "-c", "select 40+2", "-c", @"\conninfo");

        Assert.That(result.ExitCode, Is.Zero, result.Output);
        Assert.That(result.Stdout, Does.StartWith("42\n"));
        Assert.That(result.Stdout, Does.Contain("SSL connection (protocol: TLSv1."));
    }

    [Test]
    public async Task Drop_is_denied_with_42501_naming_the_rule_and_the_session_goes_on()
    {
        var result = await _gateway.PsqlAsync(_gateway.Token(), "-c", "DROP TABLE psql_customers", "-c", "select 'still here'");

        Assert.That(result.Stderr, Does.Contain("ERROR:  42501: denied by rule agents-no-ddl"));
        Assert.That(result.Stdout, Does.Contain("still here"));
        Assert.That(await _pg.ScalarAsync("select count(*) from psql_customers"), Is.EqualTo(2L), "the table is untouched");
    }

    [Test]
    public async Task Emails_and_card_numbers_come_back_masked()
    {
        var result = await _gateway.PsqlAsync(_gateway.Token(), "-tA", "-F", ",", "-c",
            "select id, name, email, card_number, lower(email) from psql_customers order by id");

        Assert.That(result.ExitCode, Is.Zero, result.Output);
        Assert.That(result.Stdout, Does.Not.Contain("@example"));
        Assert.That(result.Stdout, Does.Not.Contain("4111"));
        var first = result.Stdout.Split('\n')[0].Split(',');
        Assert.That(first[1], Is.EqualTo("Ada"), "columns no rule names stay as they are");
        Assert.That(first[2], Is.Not.EqualTo("ada@example.com"));
        Assert.That(first[4], Does.Not.Contain("ada@"), "a detector catches the e-mail under an expression too");
    }

    [Test]
    public async Task Ctrl_C_in_psql_cancels_the_query_through_the_gateway()
    {
        var started = DateTime.UtcNow;
        var result = await ProcessRunner.RunAsync("timeout", ["-s", "INT", "2", "psql", _gateway.LibpqConnection(), "-X", "-c", "select pg_sleep(30)"],
            new Dictionary<string, string> { ["PGPASSWORD"] = _gateway.Token() });

        Assert.That(result.Stderr, Does.Contain("canceling statement due to user request"));
        Assert.That(DateTime.UtcNow - started, Is.LessThan(TimeSpan.FromSeconds(20)), "the server stopped the query, psql did not wait it out");
    }

    [Test]
    public async Task A_forged_token_is_refused_with_a_reason()
    {
        var token = _gateway.Token();
        var forged = token[..^4] + (token[^4] == 'A' ? "BBBB" : "AAAA");

        var result = await _gateway.PsqlAsync(forged, "-c", "select 1");

        Assert.That(result.ExitCode, Is.Not.Zero);
        Assert.That(result.Stderr, Does.Contain("FATAL:  token authentication failed: token signature does not verify"));
    }

    [Test]
    public async Task Plain_text_connections_are_refused_when_the_listener_has_TLS()
    {
        var result = await ProcessRunner.RunAsync("psql", [_gateway.LibpqConnection(sslmode: "disable"), "-X", "-c", "select 1"],
            new Dictionary<string, string> { ["PGPASSWORD"] = _gateway.Token() });

        Assert.That(result.ExitCode, Is.Not.Zero);
        Assert.That(result.Stderr, Does.Contain("requires TLS"));
    }
}
