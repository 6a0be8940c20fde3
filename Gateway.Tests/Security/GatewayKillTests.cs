using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Gateway.Core.Config;
using Gateway.Core.FrameLog;
using Gateway.Core.Identity;
using Gateway.Tests.Fixtures;
using Gateway.Tests.Postgres.EndToEnd;
using Npgsql;

namespace Gateway.Tests.Security;

/// <summary>
/// Audit before forward under a crash: the real <c>gateway</c> executable (the built gateway.dll, run with
/// <c>dotnet</c>) takes a write load from several clients and is killed with SIGKILL. Every row that reached
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
        var root = Directory.CreateTempSubdirectory("gw-kill-").FullName;
        Process? gateway = null;
        try
        {
            var (configPath, port) = await WriteConfigAsync(root, pg);
            gateway = StartGateway("run", "--config", configPath);
            await WaitForPortAsync(port, gateway);
            var config = ConfigLoader.Load(configPath);
            using var issuer = new DevIssuer(config.Identity, config.StateDirectory);

            using var stop = new CancellationTokenSource();
            var acknowledged = new long[Writers];
            var writers = Enumerable.Range(0, Writers)
                .Select(conn => WriteUntilFailureAsync(conn, port, issuer.Issue("loader", ["ai-agents"], TimeSpan.FromMinutes(10)), acknowledged, stop.Token))
                .ToArray();
            // Kill in the middle of the load, once every writer is running.
            while (Enumerable.Range(0, Writers).Any(i => Interlocked.Read(ref acknowledged[i]) < 50) && !writers.Any(w => w.IsCompleted))
                await Task.Delay(20);
            await Task.Delay(300);
            gateway.Kill(entireProcessTree: true);
            await gateway.WaitForExitAsync();
            await stop.CancelAsync();
            var failures = await Task.WhenAll(writers);

            var rows = await RowsAsync(pg);
            var commands = await CommandsBySessionAsync(config.StateDirectory);
            var verify = await RunGatewayAsync("verify", "--config", configPath);

            Assert.That(failures, Has.All.Not.Null, "every writer lost its connection to the kill");
            Assert.That(rows, Has.Count.GreaterThanOrEqualTo(acknowledged.Sum()), "every acknowledged insert is in PostgreSQL");
            var missing = rows.Where(r => !commands.TryGetValue($"load-{r.Conn}", out var texts) || !texts.Contains(InsertText(r.Conn, r.Seq))).ToList();
            Assert.That(missing, Is.Empty, $"rows in PostgreSQL without a command record: {string.Join(", ", missing.Take(10))}");
            Assert.That(verify.ExitCode, Is.Zero, verify.Output);
            Assert.That(verify.Stdout, Does.Contain("frame log intact"));
            TestContext.Progress.WriteLine($"kill -9: {rows.Count} rows in PostgreSQL ({acknowledged.Sum()} acknowledged), each with its command record; verify: {verify.Stdout.Replace('\n', ' ')}");
        }
        finally
        {
            if (gateway is { HasExited: false })
                gateway.Kill(entireProcessTree: true);
            gateway?.Dispose();
            Directory.Delete(root, recursive: true);
        }
    }

    private static string InsertText(int conn, int seq) => $"insert into killload values ({conn}, {seq})";

    /// <summary>Inserts rows one by one (autocommit) until the connection breaks; returns that failure.</summary>
    private static async Task<Exception?> WriteUntilFailureAsync(int conn, int port, string token, long[] acknowledged, CancellationToken stop)
    {
        var builder = new NpgsqlConnectionStringBuilder
        {
            Host = "127.0.0.1",
            Port = port,
            Database = "postgres",
            Username = "loader",
            Password = token,
            SslMode = SslMode.Require,
            Pooling = false,
            Timeout = 15,
            CommandTimeout = 15,
            ApplicationName = $"load-{conn}",
        };
        try
        {
            await using var connection = new NpgsqlConnection(builder.ConnectionString);
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

    private static async Task<(string Path, int Port)> WriteConfigAsync(string root, PostgresServer pg)
    {
        var passwordFile = Path.Combine(root, "upstream.password");
        await File.WriteAllTextAsync(passwordFile, pg.SuperuserPassword);
        int port;
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }
        var path = Path.Combine(root, "gateway.yaml");
        await File.WriteAllTextAsync(path, $"""
            node: kill-test
            state_dir: {root}/state
            identity:
              dev_issuer: true
            audit:
              durability: buffered
            listeners:
              - name: pg
                protocol: postgres
                bind: 127.0.0.1:{port}
                tls: auto
                target:
                  host: {pg.Host}
                  port: {pg.Port}
                  tls: prefer
                  username: postgres
                  password_file: {passwordFile}
                rules: [{Path.Combine(RepoPaths.Root, "examples", "rules", "agents.yaml")}]
            """);
        return (path, port);
    }

    /// <summary>The built gateway executable next to the tests: <c>dotnet gateway.dll ARGS</c>.</summary>
    private static Process StartGateway(params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "gateway.dll"));
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        var process = Process.Start(start)!;
        // Drain its output so a chatty gateway never blocks on a full pipe.
        _ = process.StandardOutput.ReadToEndAsync();
        _ = process.StandardError.ReadToEndAsync();
        return process;
    }

    private static Task<ProcessResult> RunGatewayAsync(params string[] arguments) =>
        ProcessRunner.RunAsync("dotnet", [Path.Combine(AppContext.BaseDirectory, "gateway.dll"), .. arguments], timeout: TimeSpan.FromSeconds(60));

    private static async Task WaitForPortAsync(int port, Process gateway)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            if (gateway.HasExited)
                Assert.Fail($"the gateway exited with {gateway.ExitCode} before listening");
            using var probe = new TcpClient();
            try
            {
                await probe.ConnectAsync(IPAddress.Loopback, port);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(100);
            }
        }
        Assert.Fail($"the gateway did not listen on {port} within 60 s");
    }
}
