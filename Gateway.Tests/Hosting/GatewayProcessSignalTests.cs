using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Gateway.Tests.Fixtures;
using Gateway.Tests.Postgres.EndToEnd;

namespace Gateway.Tests.Hosting;

/// <summary>
/// The real <c>gateway run</c> process and a real SIGTERM: the query in flight finishes, new connections are
/// refused, the process exits 0 and the frame log verifies.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class GatewayProcessSignalTests
{
    [Test]
    public async Task Sigterm_drains_the_running_query_then_exits_0()
    {
        var pg = await PostgresServer.GetSharedAsync();
        var root = Path.Combine(Path.GetTempPath(), "gw-sigterm-" + Guid.NewGuid().ToString("n")[..8]);
        Directory.CreateDirectory(root);
        var port = FreePort();
        var config = Path.Combine(root, "gateway.yaml");
        await File.WriteAllTextAsync(Path.Combine(root, "pw"), pg.SuperuserPassword);
        await File.WriteAllTextAsync(config, $$"""
            state_dir: {{root}}/state
            identity: { dev_issuer: true }
            listeners:
              - name: pg
                protocol: postgres
                bind: 127.0.0.1:{{port}}
                tls: off
                shutdown_timeout: 20s
                target: { host: 127.0.0.1, port: {{pg.Port}}, username: postgres, password_file: {{root}}/pw }
                rules: [{{Path.Combine(RepoPaths.Root, "examples", "rules", "agents.yaml")}}]
            """);
        var gateway = Path.Combine(AppContext.BaseDirectory, "gateway");
        using var process = Process.Start(new ProcessStartInfo(gateway, ["run", "--config", config])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var output = process.StandardOutput.ReadToEndAsync();
        _ = process.StandardError.ReadToEndAsync();
        try
        {
            await WaitForPortAsync(port);
            var token = (await ProcessRunner.RunAsync(gateway, ["token", "--config", config, "--sub", "drainer", "--group", "ai-agents"])).Stdout.Trim();
            var connection = $"host=127.0.0.1 port={port} dbname=postgres user=drainer sslmode=disable";
            var slow = ProcessRunner.RunAsync("psql", [connection, "-X", "-tA", "-c", "SELECT 'finished after ' || pg_sleep(2)::text || 'the drain started'"],
                new Dictionary<string, string> { ["PGPASSWORD"] = token });
            // Signal only once the query runs on the server: an idle session is ended by the drain at once.
            var deadline = DateTime.UtcNow.AddSeconds(20);
            while (!Equals(await pg.ScalarAsync("SELECT count(*) FROM pg_stat_activity WHERE query LIKE '%finished after%' AND state = 'active' AND pid <> pg_backend_pid()"), 1L))
            {
                Assert.That(DateTime.UtcNow, Is.LessThan(deadline), "the slow query never started");
                await Task.Delay(50);
            }

            Assert.That(Kill(process.Id, "TERM"), Is.Zero);
            await Task.Delay(300);
            var refused = await ProcessRunner.RunAsync("psql", [connection, "-X", "-c", "SELECT 1"],
                new Dictionary<string, string> { ["PGPASSWORD"] = token, ["PGCONNECT_TIMEOUT"] = "3" });

            var finished = await slow;
            Assert.That(finished.ExitCode, Is.Zero, finished.Output);
            Assert.That(finished.Stdout, Does.Contain("finished after"), "the query in flight ran to completion");
            Assert.That(refused.ExitCode, Is.Not.Zero, "no new connection during the drain");

            using var exit = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await process.WaitForExitAsync(exit.Token);
            Assert.That(process.ExitCode, Is.Zero, await output);

            var verify = await ProcessRunner.RunAsync(gateway, ["verify", "--config", config]);
            Assert.That(verify.ExitCode, Is.Zero, verify.Output);
        }
        finally
        {
            if (!process.HasExited)
                process.Kill();
            Directory.Delete(root, recursive: true);
        }
    }

    private static int Kill(int pid, string signal)
    {
        using var kill = Process.Start("kill", [$"-{signal}", pid.ToString()])!;
        kill.WaitForExit();
        return kill.ExitCode;
    }

    private static async Task WaitForPortAsync(int port)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port);
                return;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
            }
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
