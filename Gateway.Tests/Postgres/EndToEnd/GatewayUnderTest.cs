using System.Diagnostics;
using Gateway.Core.Config;
using Gateway.Core.FrameLog;
using Gateway.Core.Identity;
using Gateway.Core.Sessions;
using Gateway.Host.Hosting;
using Gateway.Protocols.Postgres.Session;
using Gateway.Tests.Fixtures;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Gateway.Tests.Postgres.EndToEnd;

/// <summary>
/// The real gateway, in process, in front of a real PostgreSQL: configured from YAML text like an operator's file,
/// composed by <see cref="GatewayRuntime"/> exactly as <c>gateway run</c> does, listening on a free loopback port.
/// Tokens come from the dev issuer. Clients are real: psql, pgbench (processes) and Npgsql.
/// </summary>
internal sealed class GatewayUnderTest : IAsyncDisposable
{
    private readonly string _root;
    private readonly GatewayRuntime _runtime;
    private readonly GatewayHost _host;
    private readonly DevIssuer _issuer;

    private GatewayUnderTest(string root, GatewayConfig config, GatewayRuntime runtime, GatewayHost host, PostgresServer server)
    {
        _root = root;
        Config = config;
        _runtime = runtime;
        _host = host;
        Server = server;
        _issuer = new DevIssuer(config.Identity, config.StateDirectory);
        Port = host.Listeners[0].LocalEndPoint!.Port;
    }

    public GatewayConfig Config { get; }
    public PostgresServer Server { get; }
    public int Port { get; }
    public string StateDirectory => Config.StateDirectory;

    /// <summary>The port of a listener added with <c>extraListenerYaml</c>.</summary>
    public int PortOf(string listenerName) =>
        _host.Listeners.Single(l => l.Config.Name == listenerName).LocalEndPoint!.Port;

    /// <summary>Sessions a listener currently runs (admitted, not yet closed).</summary>
    public int ActiveSessions(string listenerName) =>
        _host.Listeners.Single(l => l.Config.Name == listenerName).ActiveSessions;

    public static async Task<GatewayUnderTest> StartAsync(PostgresServer server, string? rulesFile = null,
        string tls = "auto", string extraListenerYaml = "", string extraYaml = "", Func<IFrameLog, IFrameLog>? wrapFrameLog = null,
        ILoggerFactory? loggers = null, string? stateDirectory = null, string targetYaml = "")
    {
        var root = Path.Combine(Path.GetTempPath(), "gw-e2e-" + Guid.NewGuid().ToString("n")[..10]);
        Directory.CreateDirectory(root);
        var passwordFile = Path.Combine(root, "upstream.password");
        await File.WriteAllTextAsync(passwordFile, server.SuperuserPassword);
        rulesFile ??= Path.Combine(RepoPaths.Root, "examples", "rules", "agents.yaml");
        var yaml = $"""
            node: e2e
            state_dir: {stateDirectory ?? root + "/state"}
            identity:
              dev_issuer: true
              max_token_lifetime: 1h
            audit:
              durability: buffered
            {extraYaml}
            listeners:
              - name: pg
                protocol: postgres
                bind: 127.0.0.1:0
                tls: {tls}
                target:
                  host: {server.Host}
                  port: {server.Port}
                  tls: prefer
                  username: postgres
                  password_file: {passwordFile}
                  {targetYaml}
                rules: [{rulesFile}]
            {extraListenerYaml}
            """;
        var configPath = Path.Combine(root, "gateway.yaml");
        await File.WriteAllTextAsync(configPath, yaml);
        var config = ConfigLoader.Load(configPath);

        // GATEWAY_TEST_LOGS=1 shows the gateway's own log while debugging a test.
        loggers ??= Environment.GetEnvironmentVariable("GATEWAY_TEST_LOGS") == "1"
            ? LoggerFactory.Create(b => b.AddProvider(new FileLoggerProvider(Path.Combine(Path.GetTempPath(), "gateway-test.log"))).SetMinimumLevel(LogLevel.Trace))
            : NullLoggerFactory.Instance;
        var runtime = await GatewayRuntime.StartAsync(config, loggers);
        var services = runtime.Services;
        if (wrapFrameLog is not null)
        {
            services = new GatewayServices
            {
                Config = services.Config,
                Tokens = services.Tokens,
                FrameLog = wrapFrameLog(services.FrameLog),
                Loggers = services.Loggers,
                Policies = services.Policies,
            };
        }
        var host = new GatewayHost(config, services, runtime.Handlers, runtime.Health);
        await host.StartAsync();
        return new GatewayUnderTest(root, config, runtime, host, server);
    }

    /// <summary>The first listener's counters (<c>/metrics</c>).</summary>
    public Gateway.Core.Diagnostics.ListenerMetrics Metrics => _runtime.Services.Metrics.For(Config.Listeners[0].Name);

    /// <summary>Idle upstream sessions the first listener's target keeps (<c>target.pool</c>).</summary>
    public long IdleUpstreamSessions => _runtime.Handlers.OfType<PostgresProtocolHandler>().Single().IdleUpstreamSessions;

    public string Token(string subject = "agent-007", params string[] groups) =>
        _issuer.Issue(subject, groups.Length == 0 ? ["ai-agents"] : groups, TimeSpan.FromMinutes(10));

    /// <summary>A libpq connection string through the gateway (for psql and pgbench), TLS required.</summary>
    public string LibpqConnection(string user = "agent-007", string sslmode = "require") =>
        $"host=127.0.0.1 port={Port} dbname=postgres user={user} sslmode={sslmode}";

    public string NpgsqlConnectionString(string token, string user = "agent-007") => new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1",
        Port = Port,
        Database = "postgres",
        Username = user,
        Password = token,
        SslMode = SslMode.Require,
        Pooling = false,
        Timeout = 15,
        CommandTimeout = 30,
    }.ConnectionString;

    public async Task<NpgsqlConnection> OpenAsync(string? token = null)
    {
        var connection = new NpgsqlConnection(NpgsqlConnectionString(token ?? Token()));
        await connection.OpenAsync();
        return connection;
    }

    /// <summary>Runs psql through the gateway with the token as password.</summary>
    public Task<ProcessResult> PsqlAsync(string token, params string[] arguments) =>
        ProcessRunner.RunAsync("psql", [LibpqConnection(), "-X", "-v", "VERBOSITY=verbose", .. arguments],
            new Dictionary<string, string> { ["PGPASSWORD"] = token, ["PGCONNECT_TIMEOUT"] = "10" });

    /// <summary>Every frame-log record so far (the writer flushes each append to the OS before it completes).</summary>
    public async Task<List<FrameRecord>> RecordsAsync()
    {
        var records = new List<FrameRecord>();
        await foreach (var entry in new FrameLogReader(Path.Combine(StateDirectory, "log")).ReadRecordsAsync())
            records.Add(entry.Record);
        return records;
    }

    /// <summary>Polls the log until a record matches: session ends are written after the client has gone.</summary>
    public async Task<List<FrameRecord>> WaitForRecordsAsync(Func<FrameRecord, bool> until)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (true)
        {
            var records = await RecordsAsync();
            if (records.Any(until) || DateTime.UtcNow > deadline)
                return records;
            await Task.Delay(50);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _host.DisposeAsync();
        await _runtime.DisposeAsync();
        _issuer.Dispose();
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
            // A file still open by a finishing process; the OS temp cleaner takes it.
        }
    }
}

internal sealed record ProcessResult(int ExitCode, string Stdout, string Stderr)
{
    public string Output => Stdout + Stderr;
}

internal static class ProcessRunner
{
    public static async Task<ProcessResult> RunAsync(string file, IEnumerable<string> arguments,
        IReadOnlyDictionary<string, string>? environment = null, TimeSpan? timeout = null, string? stdin = null,
        string? workingDirectory = null)
    {
        var info = new ProcessStartInfo(file)
        {
            WorkingDirectory = workingDirectory ?? "",
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = stdin is not null,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
            info.ArgumentList.Add(argument);
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
            info.Environment[name] = value;

        using var process = Process.Start(info)!;
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin);
            process.StandardInput.Close();
        }
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', info.ArgumentList)} did not finish in time");
        }
        return new ProcessResult(process.ExitCode, await stdout, await stderr);
    }
}

/// <summary>Debug aid: the gateway's log lines appended to a file (GATEWAY_TEST_LOGS=1).</summary>
internal sealed class FileLoggerProvider(string path) : ILoggerProvider
{
    private static readonly Lock Gate = new();

    public ILogger CreateLogger(string categoryName) => new FileLogger(path, categoryName);

    public void Dispose()
    {
    }

    private sealed class FileLogger(string path, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (Gate)
                File.AppendAllText(path, $"{DateTime.UtcNow:HH:mm:ss.fff} {logLevel} {category}: {formatter(state, exception)} {exception}\n");
        }
    }
}
