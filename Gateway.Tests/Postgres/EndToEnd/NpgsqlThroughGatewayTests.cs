using System.Data;
using Gateway.Tests.Fixtures;
using Npgsql;
using NpgsqlTypes;

namespace Gateway.Tests.Postgres.EndToEnd;

/// <summary>Npgsql through the gateway: extended protocol, prepared statements, batching, COPY, cancellation.</summary>
[TestFixture]
[NonParallelizable]
public sealed class NpgsqlThroughGatewayTests
{
    private PostgresServer _pg = null!;
    private GatewayUnderTest _agents = null!;
    private GatewayUnderTest _open = null!;
    private string _openRules = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _pg = await PostgresServer.GetSharedAsync();
        await _pg.ExecuteAsync("""
            DROP TABLE IF EXISTS np_items;
            CREATE TABLE np_items (id int PRIMARY KEY, name text, owner_email text, payload bytea);
            INSERT INTO np_items SELECT g, 'item ' || g, 'owner' || g || '@example.com', decode('00ff', 'hex') FROM generate_series(1, 50) g;
            """);
        _agents = await GatewayUnderTest.StartAsync(_pg);

        // A listener for a trusted service: everything allowed, secrets still masked by content detectors only.
        _openRules = Path.Combine(Path.GetTempPath(), $"open-rules-{Guid.NewGuid():n}.yaml");
        await File.WriteAllTextAsync(_openRules, """
            version: 1
            default: allow
            rules:
              - id: service-all
                match: { groups: [service] }
                action: allow
            """);
        _open = await GatewayUnderTest.StartAsync(_pg, _openRules);
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        await _agents.DisposeAsync();
        await _open.DisposeAsync();
        File.Delete(_openRules);
    }

    [Test]
    public async Task Parameters_are_sent_and_results_come_back_masked()
    {
        await using var connection = await _agents.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT id, name, owner_email FROM np_items WHERE id = @id", connection);
        command.Parameters.AddWithValue("id", 7);
        await using var reader = await command.ExecuteReaderAsync();

        Assert.That(await reader.ReadAsync(), Is.True);
        Assert.That(reader.GetInt32(0), Is.EqualTo(7), "binary int4 passes untouched");
        Assert.That(reader.GetString(1), Is.EqualTo("item 7"));
        Assert.That(reader.GetString(2), Does.Not.Contain("@example.com"));
    }

    [Test]
    public async Task Prepared_statements_run_many_times()
    {
        await using var connection = await _agents.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT name FROM np_items WHERE id = $1", connection);
        command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Integer });
        await command.PrepareAsync();
        for (var id = 1; id <= 20; id++)
        {
            command.Parameters[0].Value = id;
            Assert.That(await command.ExecuteScalarAsync(), Is.EqualTo($"item {id}"));
        }
        Assert.That(command.IsPrepared, Is.True);
    }

    [Test]
    public async Task A_batch_of_statements_returns_every_result()
    {
        await using var connection = await _agents.OpenAsync();
        await using var batch = new NpgsqlBatch(connection)
        {
            BatchCommands =
            {
                new NpgsqlBatchCommand("SELECT count(*) FROM np_items"),
                new NpgsqlBatchCommand("SELECT max(id) FROM np_items"),
                new NpgsqlBatchCommand("SELECT 'third'"),
            },
        };
        await using var reader = await batch.ExecuteReaderAsync();
        Assert.That(await reader.ReadAsync(), Is.True);
        Assert.That(reader.GetInt64(0), Is.EqualTo(50));
        Assert.That(await reader.NextResultAsync(), Is.True);
        Assert.That(await reader.ReadAsync(), Is.True);
        Assert.That(reader.GetInt32(0), Is.EqualTo(50));
        Assert.That(await reader.NextResultAsync(), Is.True);
        Assert.That(await reader.ReadAsync(), Is.True);
        Assert.That(reader.GetString(0), Is.EqualTo("third"));
    }

    [Test]
    public async Task Transactions_commit_through_the_gateway()
    {
        await using var connection = await _agents.OpenAsync();
        await using (var transaction = await connection.BeginTransactionAsync())
        {
            await using var update = new NpgsqlCommand("UPDATE np_items SET name = 'renamed' WHERE id = 50", connection, transaction);
            Assert.That(await update.ExecuteNonQueryAsync(), Is.EqualTo(1));
            await transaction.CommitAsync();
        }
        Assert.That(await _pg.ScalarAsync("SELECT name FROM np_items WHERE id = 50"), Is.EqualTo("renamed"));
        await _pg.ExecuteAsync("UPDATE np_items SET name = 'item 50' WHERE id = 50");
    }

    [Test]
    public async Task Binary_COPY_import_and_export_pass_through()
    {
        await _pg.ExecuteAsync("DROP TABLE IF EXISTS np_copy; CREATE TABLE np_copy (id int, label text)");
        await using var connection = await _open.OpenAsync(_open.Token("loader", "service"));

        await using (var importer = await connection.BeginBinaryImportAsync("COPY np_copy (id, label) FROM STDIN (FORMAT BINARY)"))
        {
            for (var i = 0; i < 1000; i++)
            {
                await importer.StartRowAsync();
                await importer.WriteAsync(i, NpgsqlDbType.Integer);
                await importer.WriteAsync($"label {i}", NpgsqlDbType.Text);
            }
            Assert.That(await importer.CompleteAsync(), Is.EqualTo(1000UL));
        }

        var seen = 0;
        long sum = 0;
        await using (var exporter = await connection.BeginBinaryExportAsync("COPY np_copy (id, label) TO STDOUT (FORMAT BINARY)"))
        {
            while (await exporter.StartRowAsync() != -1)
            {
                sum += await exporter.ReadAsync<int>(NpgsqlDbType.Integer);
                Assert.That(await exporter.ReadAsync<string>(NpgsqlDbType.Text), Does.StartWith("label "));
                seen++;
            }
        }
        Assert.That(seen, Is.EqualTo(1000));
        Assert.That(sum, Is.EqualTo(999L * 1000 / 2));
    }

    [Test]
    public async Task Agents_may_COPY_in_from_STDIN_but_COPY_out_of_masked_data_is_denied()
    {
        await _pg.ExecuteAsync("DROP TABLE IF EXISTS np_agent_copy; CREATE TABLE np_agent_copy (id int, label text)");
        await using var connection = await _agents.OpenAsync();
        await using (var writer = await connection.BeginTextImportAsync("COPY np_agent_copy FROM STDIN"))
        {
            await writer.WriteAsync("1\tone\n2\ttwo\n");
        }
        Assert.That(await _pg.ScalarAsync("SELECT count(*) FROM np_agent_copy"), Is.EqualTo(2L));

        var denied = Assert.ThrowsAsync<PostgresException>(async () =>
        {
            using var reader = await connection.BeginTextExportAsync("COPY np_items TO STDOUT");
            await reader.ReadToEndAsync();
        })!;
        Assert.That(denied.SqlState, Is.EqualTo("42501"));
        Assert.That(denied.MessageText, Does.Contain("COPY TO cannot be masked by column"));
    }

    [Test]
    public async Task Cancel_stops_a_running_query()
    {
        await using var connection = await _agents.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT pg_sleep(30)", connection);
        var running = command.ExecuteNonQueryAsync();
        await Task.Delay(500);
        command.Cancel();

        var error = Assert.ThrowsAsync<OperationCanceledException>(() => running)!;
        Assert.That(error.InnerException, Is.InstanceOf<PostgresException>());
        Assert.That(((PostgresException)error.InnerException!).SqlState, Is.EqualTo("57014"), "the server cancelled it");
        Assert.That(connection.State, Is.EqualTo(ConnectionState.Open));
        await using var after = new NpgsqlCommand("SELECT 1", connection);
        Assert.That(await after.ExecuteScalarAsync(), Is.EqualTo(1));
    }

    [Test]
    public void An_expired_or_forged_token_is_refused_with_28P01()
    {
        var token = _agents.Token();
        var forged = token[..^4] + (token[^4] == 'A' ? "BBBB" : "AAAA");

        var error = Assert.ThrowsAsync<PostgresException>(async () => await _agents.OpenAsync(forged))!;

        Assert.That(error.SqlState, Is.EqualTo("28P01"));
        Assert.That(error.Severity, Is.EqualTo("FATAL"));
        Assert.That(error.MessageText, Does.StartWith("token authentication failed: "));
    }

    [Test]
    public async Task Denied_prepared_statement_is_refused_at_prepare_time()
    {
        await using var connection = await _agents.OpenAsync();
        await using var command = new NpgsqlCommand("DELETE FROM np_items", connection);

        var error = Assert.ThrowsAsync<PostgresException>(() => command.PrepareAsync())!;

        Assert.That(error.SqlState, Is.EqualTo("42501"));
        Assert.That(await _pg.ScalarAsync("SELECT count(*) FROM np_items"), Is.EqualTo(50L));
    }
}
