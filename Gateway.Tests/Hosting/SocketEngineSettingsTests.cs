using Gateway.Host.Hosting;
using Gateway.Tests.Fixtures;
using Gateway.Tests.Postgres.EndToEnd;

namespace Gateway.Tests.Hosting;

/// <summary>
/// The <c>gateway</c> executable sizes the runtime's socket engine itself (one epoll thread per two cores, see
/// <see cref="SocketEngineSettings"/>) unless the operator set the runtime's variable: counted on the real
/// process, by the names of its threads, after a session has run.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class SocketEngineSettingsTests
{
    [Test]
    public async Task The_gateway_runs_one_socket_thread_per_two_cores()
    {
        // Whatever the test run's own environment says, the gateway's default is measured.
        var threads = await SocketThreadsAfterAQueryAsync("socket-threads",
            new Dictionary<string, string?> { [SocketEngineSettings.ThreadCountVariable] = null });

        Assert.That(threads, Is.EqualTo(SocketEngineSettings.DefaultThreadCount(Environment.ProcessorCount)));
        Assert.That(SocketEngineSettings.DefaultThreadCount(2), Is.EqualTo(1));
        Assert.That(SocketEngineSettings.DefaultThreadCount(1), Is.EqualTo(1));
        Assert.That(SocketEngineSettings.DefaultThreadCount(16), Is.EqualTo(8));
    }

    [Test]
    public async Task The_operators_setting_wins()
    {
        var threads = await SocketThreadsAfterAQueryAsync("socket-threads-set",
            new Dictionary<string, string?> { [SocketEngineSettings.ThreadCountVariable] = "3" });

        Assert.That(threads, Is.EqualTo(3));
    }

    private static async Task<int> SocketThreadsAfterAQueryAsync(string name, IReadOnlyDictionary<string, string?> environment)
    {
        var pg = await PostgresServer.GetSharedAsync();
        await using var gateway = await GatewayProcess.StartAsync(pg, name, tls: "off", environment: environment);
        var query = await ProcessRunner.RunAsync("psql",
            [$"host=127.0.0.1 port={gateway.Port} dbname=postgres user=socket-threads sslmode=disable", "-X", "-tA", "-c", "SELECT 1"],
            new Dictionary<string, string> { ["PGPASSWORD"] = gateway.Token("socket-threads") });
        Assert.That(query.ExitCode, Is.Zero, query.Output);

        return Directory.EnumerateDirectories($"/proc/{gateway.ProcessId}/task").Count(task => ThreadName(task) == ".NET Sockets");
    }

    /// <summary>Null for a thread that ended meanwhile (an idle thread-pool worker retires, say).</summary>
    private static string? ThreadName(string taskDirectory)
    {
        try
        {
            return File.ReadAllText(Path.Combine(taskDirectory, "comm")).TrimEnd('\n');
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
