using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Gateway.Core.Config;
using Gateway.Core.Identity;
using Gateway.Tests.Postgres.EndToEnd;
using Npgsql;

namespace Gateway.Tests.Fixtures;

/// <summary>
/// The real <c>gateway run</c> executable (the apphost built next to the tests) in its own process, with one
/// PostgreSQL listener <c>pg</c> in front of a <see cref="PostgresServer"/>, the dev issuer and
/// <c>examples/rules/agents.yaml</c>. For what only a separate process can show: signals, <c>kill -9</c>, and
/// descriptor-heavy floods that would not fit in one process together with their clients.
/// </summary>
internal sealed class GatewayProcess : IAsyncDisposable
{
    public const string ListenerName = "pg";

    private readonly Process _process;
    // Created once the gateway listens: the gateway creates the dev issuer's key, the tests only read it.
    private readonly Lazy<DevIssuer> _issuer;

    private GatewayProcess(string root, string configPath, int port, Process process, Task<string> stdout, Task<string> stderr)
    {
        Root = root;
        ConfigPath = configPath;
        Port = port;
        _process = process;
        Stdout = stdout;
        Stderr = stderr;
        var config = ConfigLoader.Load(configPath);
        StateDirectory = config.StateDirectory;
        _issuer = new Lazy<DevIssuer>(() => new DevIssuer(config.Identity, config.StateDirectory));
    }

    /// <summary>The executable: <c>gateway</c>, next to the test assembly.</summary>
    public static string Executable => Path.Combine(AppContext.BaseDirectory, "gateway");

    public string Root { get; }
    public string ConfigPath { get; }
    public string StateDirectory { get; }
    public int Port { get; }
    public int ProcessId => _process.Id;
    public bool HasExited => _process.HasExited;
    public int ExitCode => _process.ExitCode;

    /// <summary>Everything the process wrote, once it has exited.</summary>
    public Task<string> Stdout { get; }
    public Task<string> Stderr { get; }

    /// <param name="listenerSettings">Extra keys of the <c>pg</c> listener, one per line (e.g. <c>handshake_timeout: 4s</c>).</param>
    /// <param name="tls">The listener's client-side TLS mode.</param>
    /// <param name="environment">Variables set in the process's environment; a null value removes one the test run has.</param>
    public static async Task<GatewayProcess> StartAsync(PostgresServer pg, string name, string listenerSettings = "", string tls = "auto",
        IReadOnlyDictionary<string, string?>? environment = null)
    {
        var root = Directory.CreateTempSubdirectory($"gw-{name}-").FullName;
        var passwordFile = Path.Combine(root, "upstream.password");
        await File.WriteAllTextAsync(passwordFile, pg.SuperuserPassword);
        var port = FreePort();
        var settings = string.Join('\n', listenerSettings.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(line => "    " + line));
        var configPath = Path.Combine(root, "gateway.yaml");
        await File.WriteAllTextAsync(configPath, $"""
            node: {name}
            state_dir: {root}/state
            identity:
              dev_issuer: true
            audit:
              durability: buffered
            listeners:
              - name: {ListenerName}
                protocol: postgres
                bind: 127.0.0.1:{port}
                tls: {tls}
            {settings}
                target:
                  host: {pg.Host}
                  port: {pg.Port}
                  tls: prefer
                  username: postgres
                  password_file: {passwordFile}
                rules: [{Path.Combine(RepoPaths.Root, "examples", "rules", "agents.yaml")}]
            """);

        var start = new ProcessStartInfo(Executable, ["run", "--config", configPath])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var (variable, value) in environment ?? new Dictionary<string, string?>())
        {
            if (value is null)
                start.Environment.Remove(variable);
            else
                start.Environment[variable] = value;
        }
        var process = Process.Start(start)!;
        // Drain its output so a chatty gateway never blocks on a full pipe.
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        var gateway = new GatewayProcess(root, configPath, port, process, stdout, stderr);
        try
        {
            await gateway.WaitForPortAsync();
            return gateway;
        }
        catch
        {
            await gateway.DisposeAsync();
            throw;
        }
    }

    /// <summary>A dev-issuer token for <paramref name="subject"/> in the <c>ai-agents</c> group.</summary>
    public string Token(string subject = "agent-007") => _issuer.Value.Issue(subject, ["ai-agents"], TimeSpan.FromMinutes(10));

    /// <summary>An Npgsql connection string to the <c>pg</c> listener over TLS, with a fresh token for <paramref name="subject"/>.</summary>
    public string ConnectionString(string applicationName, string subject = "agent-007") => new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1",
        Port = Port,
        Database = "postgres",
        Username = subject,
        Password = Token(subject),
        SslMode = SslMode.Require,
        Pooling = false,
        Timeout = 15,
        CommandTimeout = 15,
        ApplicationName = applicationName,
    }.ConnectionString;

    /// <summary>Another command of the same executable against this gateway's configuration (verify, replay ...).</summary>
    public Task<ProcessResult> RunCliAsync(params string[] arguments) =>
        ProcessRunner.RunAsync(Executable, [.. arguments, "--config", ConfigPath], timeout: TimeSpan.FromSeconds(60));

    /// <summary>Sends a signal (<c>TERM</c>, <c>KILL</c> ...) the way an operator or an orchestrator would.</summary>
    public async Task SignalAsync(string signal)
    {
        var kill = await ProcessRunner.RunAsync("kill", [$"-{signal}", ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        Assert.That(kill.ExitCode, Is.Zero, kill.Output);
    }

    public async Task WaitForExitAsync(TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(deadline.Token);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
        if (_issuer.IsValueCreated)
            _issuer.Value.Dispose();
        Directory.Delete(Root, recursive: true);
    }

    private async Task WaitForPortAsync()
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            if (_process.HasExited)
                Assert.Fail($"the gateway exited with {_process.ExitCode} before listening: {await Stderr}");
            using var probe = new TcpClient();
            try
            {
                await probe.ConnectAsync(IPAddress.Loopback, Port);
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
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }
}
