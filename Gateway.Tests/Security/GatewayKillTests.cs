using System.Net.Sockets;
using Gateway.Core.FrameLog;
using Gateway.Tests.Fixtures;
using Npgsql;

namespace Gateway.Tests.Security;

/// <summary>
/// Audit before forward under a crash: the real <c>gateway</c> executable (<see cref="GatewayProcess"/>) takes a write load from several clients and is killed with SIGKILL. Every row that reached
/// PostgreSQL must have its <c>command</c> record in the frame log, and <c>gateway verify</c> must pass.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class GatewayKillTests
{
    private const int Writers = 4;

    [Test]
    public async Task After_kill_9_during_a_write_load_every_row_in_PostgreSQL_has_its_command_record_and_verify_passes()
    {
        var pg = await PostgresServer.GetSharedAsync();
        await pg.ExecuteAsync("DROP TABLE IF EXISTS killload; CREATE TABLE killload (conn int, seq int)");
        await using var gateway = await GatewayProcess.StartAsync(pg, "kill");

        using var stop = new CancellationTokenSource();
        var acknowledged = new long[Writers];
        var writers = Enumerable.Range(0, Writers)
            .Select(conn => WriteUntilFailureAsync(conn, gateway.ConnectionString($"load-{conn}", "loader"), acknowledged, stop.Token))
            .ToArray();
        // Kill in the middle of the load, once every writer is running.
        while (Enumerable.Range(0, Writers).Any(i => Interlocked.Read(ref acknowledged[i]) < 50) && !writers.Any(w => w.IsCompleted))
            await Task.Delay(20);
        await Task.Delay(300);
        await gateway.SignalAsync("KILL");
        await gateway.WaitForExitAsync(TimeSpan.FromSeconds(30));
        await stop.CancelAsync();
        var failures = await Task.WhenAll(writers);

        var rows = await RowsAsync(pg);
        var commands = await CommandsBySessionAsync(gateway.StateDirectory);
        var verify = await gateway.RunCliAsync("verify");

        Assert.That(failures, Has.All.Not.Null, "every writer lost its connection to the kill");
        Assert.That(rows, Has.Count.GreaterThanOrEqualTo(acknowledged.Sum()), "every acknowledged insert is in PostgreSQL");
        var missing = rows.Where(r => !commands.TryGetValue($"load-{r.Conn}", out var texts) || !texts.Contains(InsertText(r.Conn, r.Seq))).ToList();
        Assert.That(missing, Is.Empty, $"rows in PostgreSQL without a command record: {string.Join(", ", missing.Take(10))}");
        Assert.That(verify.ExitCode, Is.Zero, verify.Output);
        Assert.That(verify.Stdout, Does.Contain("frame log intact"));
        TestContext.Progress.WriteLine($"kill -9: {rows.Count} rows in PostgreSQL ({acknowledged.Sum()} acknowledged), each with its command record; verify: {verify.Stdout.Replace('\n', ' ')}");
    }

    private static string InsertText(int conn, int seq) => $"insert into killload values ({conn}, {seq})";

    /// <summary>Inserts rows one by one (autocommit) until the connection breaks; returns that failure.</summary>
    private static async Task<Exception?> WriteUntilFailureAsync(int conn, string connectionString, long[] acknowledged, CancellationToken stop)
    {
        try
        {
            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync(stop);
            for (var seq = 1; !stop.IsCancellationRequested; seq++)
            {
                await using var insert = new NpgsqlCommand(InsertText(conn, seq), connection);
                await insert.ExecuteNonQueryAsync(stop);
                Interlocked.Increment(ref acknowledged[conn]);
            }
            return null;
        }
        catch (Exception e) when (e is NpgsqlException or IOException or OperationCanceledException or SocketException)
        {
            return e;
        }
    }

    private static async Task<List<(int Conn, int Seq)>> RowsAsync(PostgresServer pg)
    {
        await using var connection = new NpgsqlConnection(pg.ConnectionString);
        await connection.OpenAsync();
        await using var select = new NpgsqlCommand("select conn, seq from killload", connection);
        await using var reader = await select.ExecuteReaderAsync();
        var rows = new List<(int, int)>();
        while (await reader.ReadAsync())
            rows.Add((reader.GetInt32(0), reader.GetInt32(1)));
        return rows;
    }

    /// <summary>The command texts of each session, keyed by the application_name its startup gave.</summary>
    private static async Task<Dictionary<string, HashSet<string>>> CommandsBySessionAsync(string stateDirectory)
    {
        var applications = new Dictionary<string, string>();
        var commands = new Dictionary<string, HashSet<string>>();
        await foreach (var entry in new FrameLogReader(FrameLogPaths.LogDirectory(stateDirectory)).ReadRecordsAsync())
        {
            var record = entry.Record;
            if (record.Kind == FrameKinds.SessionStart && record.Payload?["client"]?["application_name"]?.GetValue<string>() is { } name)
                applications[record.SessionId!] = name;
            if (record.Kind == FrameKinds.Command && record.SessionId is { } id && applications.TryGetValue(id, out var application))
            {
                if (!commands.TryGetValue(application, out var texts))
                    commands[application] = texts = [];
                texts.Add(record.Command!);
            }
        }
        return commands;
    }
}
