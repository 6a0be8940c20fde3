using Gateway.Tests.Fixtures;
using Npgsql;

namespace Gateway.Tests.Postgres.EndToEnd;

/// <summary>
/// A denial leaves both ends in honest state (invariant 7): the client is told its statement failed, and the
/// server's transaction fails with it, so a later COMMIT commits nothing.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class TransactionStateTests
{
    private PostgresServer _pg = null!;
    private GatewayUnderTest _gateway = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _pg = await PostgresServer.GetSharedAsync();
        await _pg.ExecuteAsync("DROP TABLE IF EXISTS tx_orders; CREATE TABLE tx_orders (id serial PRIMARY KEY, note text)");
        _gateway = await GatewayUnderTest.StartAsync(_pg);
    }

    [OneTimeTearDown]
    public async Task StopAsync() => await _gateway.DisposeAsync();

    [SetUp]
    public Task EmptyTableAsync() => _pg.ExecuteAsync("TRUNCATE tx_orders");

    [Test]
    public async Task Denied_statement_in_a_transaction_then_commit_commits_nothing()
    {
        await using var connection = await _gateway.OpenAsync();
        await Exec(connection, "BEGIN");
        await Exec(connection, "INSERT INTO tx_orders (note) VALUES ('before the denial')");

        var denied = Assert.ThrowsAsync<PostgresException>(() => Exec(connection, "DROP TABLE tx_orders"))!;
        Assert.That(denied.SqlState, Is.EqualTo("42501"));
        Assert.That(denied.MessageText, Does.StartWith("denied by rule agents-no-ddl"));

        var aborted = Assert.ThrowsAsync<PostgresException>(() => Exec(connection, "INSERT INTO tx_orders (note) VALUES ('after')"))!;
        Assert.That(aborted.SqlState, Is.EqualTo("25P02"), "the server itself reports the failed transaction");

        await Exec(connection, "COMMIT");
        Assert.That(await _pg.ScalarAsync("SELECT count(*) FROM tx_orders"), Is.Zero, "COMMIT of a failed transaction commits nothing");

        Assert.That(await Scalar(connection, "SELECT 'usable'"), Is.EqualTo("usable"));
    }

    [Test]
    public async Task Rollback_after_a_denial_leaves_the_session_usable()
    {
        await using var connection = await _gateway.OpenAsync();
        await Exec(connection, "BEGIN");
        Assert.ThrowsAsync<PostgresException>(() => Exec(connection, "TRUNCATE tx_orders"));
        await Exec(connection, "ROLLBACK");

        await Exec(connection, "INSERT INTO tx_orders (note) VALUES ('after rollback')");
        Assert.That(await _pg.ScalarAsync("SELECT count(*) FROM tx_orders"), Is.EqualTo(1L));
    }

    [Test]
    public async Task Savepoint_recovers_from_a_denial_as_it_would_from_any_error()
    {
        await using var connection = await _gateway.OpenAsync();
        await Exec(connection, "BEGIN");
        await Exec(connection, "INSERT INTO tx_orders (note) VALUES ('kept')");
        await Exec(connection, "SAVEPOINT s1");
        Assert.ThrowsAsync<PostgresException>(() => Exec(connection, "DELETE FROM tx_orders"));
        await Exec(connection, "ROLLBACK TO SAVEPOINT s1");
        await Exec(connection, "COMMIT");

        Assert.That(await _pg.ScalarAsync("SELECT count(*) FROM tx_orders"), Is.EqualTo(1L));
    }

    [Test]
    public async Task A_denial_inside_an_extended_protocol_batch_fails_the_whole_batch()
    {
        await using var connection = await _gateway.OpenAsync();
        await using var batch = new NpgsqlBatch(connection)
        {
            BatchCommands =
            {
                new NpgsqlBatchCommand("INSERT INTO tx_orders (note) VALUES ('first')"),
                new NpgsqlBatchCommand("DELETE FROM tx_orders"),
                new NpgsqlBatchCommand("INSERT INTO tx_orders (note) VALUES ('third')"),
            },
        };

        var denied = Assert.ThrowsAsync<PostgresException>(() => batch.ExecuteNonQueryAsync())!;

        Assert.That(denied.SqlState, Is.EqualTo("42501"));
        Assert.That(await _pg.ScalarAsync("SELECT count(*) FROM tx_orders"), Is.Zero,
            "the batch is one implicit transaction: the server rolled back the first insert and skipped the third");
        Assert.That(await Scalar(connection, "SELECT 'usable'"), Is.EqualTo("usable"));
    }

    private static async Task Exec(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<object?> Scalar(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync();
    }
}
