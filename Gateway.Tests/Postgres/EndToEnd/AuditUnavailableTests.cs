using Gateway.Core.FrameLog;
using Gateway.Tests.Fixtures;
using Npgsql;

namespace Gateway.Tests.Postgres.EndToEnd;

/// <summary>Audit before forward: when the frame log cannot take a command's record, the command does not run.</summary>
[TestFixture]
[NonParallelizable]
public sealed class AuditUnavailableTests
{
    private PostgresServer _pg = null!;
    private GatewayUnderTest _gateway = null!;
    private FailingFrameLog _log = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _pg = await PostgresServer.GetSharedAsync();
        await _pg.ExecuteAsync("DROP TABLE IF EXISTS unaudited; CREATE TABLE unaudited (id int)");
        _gateway = await GatewayUnderTest.StartAsync(_pg, wrapFrameLog: inner => _log = new FailingFrameLog(inner));
    }

    [OneTimeTearDown]
    public async Task StopAsync() => await _gateway.DisposeAsync();

    [Test]
    public async Task A_command_the_log_cannot_record_is_refused_with_a_native_error_and_not_run()
    {
        await using var connection = await _gateway.OpenAsync();
        _log.FailCommands = true;
        try
        {
            await using var insert = new NpgsqlCommand("INSERT INTO unaudited VALUES (1)", connection);
            var error = Assert.ThrowsAsync<PostgresException>(() => insert.ExecuteNonQueryAsync())!;

            Assert.That(error.SqlState, Is.EqualTo("55000"));
            Assert.That(error.MessageText, Does.Contain("audit log cannot record this command"));
            Assert.That(await _pg.ScalarAsync("SELECT count(*) FROM unaudited"), Is.Zero);
        }
        finally
        {
            _log.FailCommands = false;
        }

        await using var after = new NpgsqlCommand("INSERT INTO unaudited VALUES (2)", connection);
        Assert.That(await after.ExecuteNonQueryAsync(), Is.EqualTo(1), "once the log recovers, commands run again");
    }

    [Test]
    public async Task Psql_sees_the_refusal_and_keeps_its_session()
    {
        _log.FailCommands = true;
        try
        {
            var result = await _gateway.PsqlAsync(_gateway.Token(), "-c", "INSERT INTO unaudited VALUES (3)", "-c", "INSERT INTO unaudited VALUES (4)");
            Assert.That(result.Stderr, Does.Contain("ERROR:  55000: the gateway refused the statement"), result.Output);
            Assert.That(result.Stderr, Does.Not.Contain("closed"), result.Output);
            Assert.That(await _pg.ScalarAsync("SELECT count(*) FROM unaudited WHERE id IN (3, 4)"), Is.Zero);
        }
        finally
        {
            _log.FailCommands = false;
        }
    }

    /// <summary>The real log, with a switch that makes command records fail as a full disk would.</summary>
    private sealed class FailingFrameLog(IFrameLog inner) : IFrameLog
    {
        public volatile bool FailCommands;

        public ValueTask AppendAsync(FrameRecord record, CancellationToken cancellationToken = default) =>
            FailCommands && record.Kind == FrameKinds.Command
                ? ValueTask.FromException(new FrameLogUnavailableException("No space left on device"))
                : inner.AppendAsync(record, cancellationToken);
    }
}
