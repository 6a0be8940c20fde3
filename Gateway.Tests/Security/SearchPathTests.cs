using Gateway.Tests.Fixtures;
using Npgsql;

namespace Gateway.Tests.Security;

/// <summary>
/// CVE-2025-12819 class: a client-chosen <c>search_path</c> (forwarded from the startup) must not redirect any
/// statement the gateway itself runs on the target. The only such statement is the denial placeholder, which
/// names nothing and fails to parse, so there is nothing to hijack; this test shows it is what the server ran.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class SearchPathTests
{
    [Test]
    public async Task A_hostile_search_path_does_not_change_what_the_gateway_runs_for_a_denial()
    {
        var pg = await PostgresServer.GetSharedAsync();
        await pg.ExecuteAsync("""
            DROP SCHEMA IF EXISTS hijack CASCADE;
            CREATE SCHEMA hijack;
            CREATE TABLE hijack.hijacked (at timestamptz);
            CREATE FUNCTION hijack.lower(text) RETURNS text LANGUAGE sql AS 'INSERT INTO hijack.hijacked VALUES (now()) RETURNING $1';
            CREATE TABLE hijack.victim (id int);
            """);
        await using var gateway = await SecurityGateway.StartAsync(pg);
        var builder = new NpgsqlConnectionStringBuilder(gateway.ConnectionString(applicationName: "search-path-attack")) { SearchPath = "hijack, pg_catalog, public" };
        await using var connection = new NpgsqlConnection(builder.ConnectionString);
        await connection.OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();

        await using var drop = new NpgsqlCommand("DROP TABLE victim", connection, transaction);
        var denial = Assert.ThrowsAsync<PostgresException>(() => drop.ExecuteNonQueryAsync())!;
        var serverRan = await pg.ScalarAsync("select query from pg_stat_activity where application_name = 'search-path-attack'");
        await using var next = new NpgsqlCommand("select 1", connection, transaction);
        var aborted = Assert.ThrowsAsync<PostgresException>(() => next.ExecuteScalarAsync())!;

        Assert.That(denial.SqlState, Is.EqualTo("42501"));
        Assert.That(serverRan, Is.EqualTo("GATEWAY DENIED THIS STATEMENT"), "the gateway's own statement names no object a search_path could redirect");
        Assert.That(aborted.SqlState, Is.EqualTo("25P02"), "the server failed the transaction itself, as the client was told");
        Assert.That(await pg.ScalarAsync("select count(*) from hijack.hijacked"), Is.Zero);
        Assert.That(await pg.ScalarAsync("select count(*) from pg_tables where schemaname = 'hijack' and tablename = 'victim'"), Is.EqualTo(1L));
    }
}
