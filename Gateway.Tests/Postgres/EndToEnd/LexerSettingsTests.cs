using Gateway.Core.FrameLog;
using Gateway.Tests.Fixtures;

namespace Gateway.Tests.Postgres.EndToEnd;

/// <summary>
/// The analysis reads SQL as a server with standard_conforming_strings on and a UTF-8 client encoding. With other
/// values the server reads <c>SELECT '\', $$'; DROP TABLE t; -- $$</c> as two statements where the analysis sees one,
/// so a session whose server has other values is refused at startup, and one whose server changes to them (which the
/// analysis cannot always see: a function may call set_config) is ended before another command reaches it.
/// SET, set_config and UPDATE pg_settings are refused by the analysis (the bypass corpus).
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class LexerSettingsTests
{
    private const string LenientDatabase = "gateway_lexer_off";

    private PostgresServer _pg = null!;
    private GatewayUnderTest _gateway = null!;
    private string _token = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _pg = await PostgresServer.GetSharedAsync();
        await _pg.ExecuteAsync($"DROP DATABASE IF EXISTS {LenientDatabase}");
        await _pg.ExecuteAsync($"CREATE DATABASE {LenientDatabase}");
        await _pg.ExecuteAsync($"ALTER DATABASE {LenientDatabase} SET standard_conforming_strings = off");
        await _pg.ExecuteAsync("""
            DROP TABLE IF EXISTS lexer_sentinel;
            CREATE TABLE lexer_sentinel (id int);
            CREATE OR REPLACE FUNCTION lexer_flip() RETURNS text LANGUAGE sql
                AS $$ SELECT set_config('standard_conforming_strings', 'off', false) $$;
            """);
        _gateway = await GatewayUnderTest.StartAsync(_pg);
        _token = _gateway.Token("lexer-agent");
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        await _gateway.DisposeAsync();
        await _pg.ExecuteAsync($"DROP DATABASE IF EXISTS {LenientDatabase}");
    }

    [Test]
    public async Task A_client_encoding_that_hides_quotes_is_refused_at_startup()
    {
        var before = await ErrorsNamingAsync("client_encoding = 'SJIS'");
        var result = await Psql("postgres", new() { ["PGCLIENTENCODING"] = "SJIS" }, "-c", "SELECT 1");

        Assert.That(result.ExitCode, Is.Not.Zero);
        Assert.That(result.Stderr, Does.Contain("FATAL:  the target reports client_encoding = 'SJIS'"), result.Output);
        await AssertOneMoreErrorAsync("client_encoding = 'SJIS'", before);
    }

    [Test]
    public async Task A_database_default_of_standard_conforming_strings_off_is_refused_at_startup()
    {
        var before = await ErrorsNamingAsync("standard_conforming_strings = 'off'");
        var result = await Psql(LenientDatabase, [], "-c", "SELECT 1");

        Assert.That(result.ExitCode, Is.Not.Zero);
        Assert.That(result.Stderr, Does.Contain("FATAL:  the target reports standard_conforming_strings = 'off'"), result.Output);
        Assert.That(result.Stderr, Does.Contain("connect with standard_conforming_strings on and client_encoding UTF8"));
        await AssertOneMoreErrorAsync("standard_conforming_strings = 'off'", before);
    }

    [TestCase("SQL_ASCII")]
    [TestCase("LATIN1")]
    public async Task An_encoding_that_keeps_ASCII_bytes_is_read_as_the_analysis_reads_it_and_accepted(string encoding)
    {
        var result = await Psql("postgres", new() { ["PGCLIENTENCODING"] = encoding }, "-At", "-c", "SHOW client_encoding");

        Assert.That(result.ExitCode, Is.Zero, result.Output);
        Assert.That(result.Stdout.Trim(), Is.EqualTo(encoding));
    }

    [Test]
    public async Task A_function_that_turns_standard_conforming_strings_off_ends_the_session_before_the_next_command()
    {
        var before = await ErrorsNamingAsync("standard_conforming_strings = 'off'");
        var result = await Psql("postgres", [], "-c", "SELECT lexer_flip()", "-c", "INSERT INTO lexer_sentinel VALUES (1)");

        Assert.That(result.Stderr, Does.Contain("FATAL:  0A000: terminating connection: the target reports standard_conforming_strings = 'off'"), result.Output);
        Assert.That(await _pg.ScalarAsync("SELECT count(*) FROM lexer_sentinel"), Is.Zero, "nothing ran after the change");
        await AssertOneMoreErrorAsync("standard_conforming_strings = 'off'", before);
    }

    private Task<ProcessResult> Psql(string database, Dictionary<string, string> environment, params string[] arguments)
    {
        environment["PGPASSWORD"] = _token;
        environment["PGCONNECT_TIMEOUT"] = "10";
        return ProcessRunner.RunAsync("psql",
            [$"host=127.0.0.1 port={_gateway.Port} dbname={database} user=agent-007 sslmode=require", "-X", "-v", "VERBOSITY=verbose", .. arguments],
            environment);
    }

    /// <summary>The gateway's errors in the frame log that name this setting, with their SQLSTATE.</summary>
    private async Task<int> ErrorsNamingAsync(string setting) => (await _gateway.RecordsAsync()).Count(r =>
        r.Kind == FrameKinds.Error && (string?)r.Payload?["code"] == "0A000" && ((string?)r.Payload["message"])?.Contains(setting) == true);

    /// <summary>
    /// The run added one such error (psql shows no SQLSTATE for a refused connection, so the record is where the
    /// code is checked). The error may be written just after the client has seen it: polled, bounded.
    /// </summary>
    private async Task AssertOneMoreErrorAsync(string setting, int before)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        int now;
        while ((now = await ErrorsNamingAsync(setting)) <= before && DateTime.UtcNow < deadline)
            await Task.Delay(50);
        Assert.That(now, Is.EqualTo(before + 1), $"one 0A000 error record naming {setting}");
    }
}
