using System.Net;
using Gateway.Core.FrameLog;
using Gateway.Tests.Fixtures;
using Gateway.Tests.Postgres.EndToEnd;
using Npgsql;

namespace Gateway.Tests.Security;

/// <summary>
/// The real gateway (<see cref="GatewayUnderTest"/>) with one extra listener, <c>hostile</c>, whose limits a
/// security test sets (short handshake timeout, small caps) and whose target may be a fake server.
/// </summary>
internal sealed class SecurityGateway : IAsyncDisposable
{
    public const string ListenerName = "hostile";

    private readonly string _root;

    private SecurityGateway(string root, GatewayUnderTest gateway, LogCapture log)
    {
        _root = root;
        Gateway = gateway;
        Log = log;
        Port = gateway.PortOf(ListenerName);
    }

    public GatewayUnderTest Gateway { get; }
    public LogCapture Log { get; }

    /// <summary>The port of the <c>hostile</c> listener.</summary>
    public int Port { get; }

    /// <param name="listenerSettings">Extra keys of the hostile listener, one per line (e.g. <c>handshake_timeout: 2s</c>).</param>
    /// <param name="target">Host, port and password of the hostile listener's target; the shared server when null.</param>
    public static async Task<SecurityGateway> StartAsync(PostgresServer server, string listenerSettings = "",
        (string Host, int Port, string Password, string Tls)? target = null, string? rulesFile = null, string extraYaml = "",
        string? stateDirectory = null)
    {
        var root = Directory.CreateTempSubdirectory("gw-sec-").FullName;
        var passwordFile = Path.Combine(root, "hostile.password");
        var (host, port, password, tls) = target ?? (server.Host, server.Port, server.SuperuserPassword, "prefer");
        await File.WriteAllTextAsync(passwordFile, password);
        rulesFile ??= Path.Combine(RepoPaths.Root, "examples", "rules", "agents.yaml");
        var settings = string.Join('\n', listenerSettings.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(line => "    " + line));
        var yaml = $"""
              - name: {ListenerName}
                protocol: postgres
                bind: 127.0.0.1:0
                tls: auto
            {settings}
                target:
                  host: {host}
                  port: {port}
                  tls: {tls}
                  username: postgres
                  password_file: {passwordFile}
                  connect_timeout: 5s
                rules: [{rulesFile}]
            """;
        var log = new LogCapture();
        var gateway = await GatewayUnderTest.StartAsync(server, rulesFile, extraListenerYaml: yaml, extraYaml: extraYaml, loggers: log.Factory(),
            stateDirectory: stateDirectory);
        return new SecurityGateway(root, gateway, log);
    }

    public string Token(string subject = "agent-007") => Gateway.Token(subject);

    public string ConnectionString(string? token = null, string applicationName = "healthy") => new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1",
        Port = Port,
        Database = "postgres",
        Username = "agent-007",
        Password = token ?? Token(),
        SslMode = SslMode.Require,
        Pooling = false,
        Timeout = 15,
        CommandTimeout = 30,
        ApplicationName = applicationName,
    }.ConnectionString;

    public async Task<NpgsqlConnection> OpenAsync(string? token = null, string applicationName = "healthy")
    {
        var connection = new NpgsqlConnection(ConnectionString(token, applicationName));
        await connection.OpenAsync();
        return connection;
    }

    /// <summary>A raw client authenticated on the hostile listener, tagged with an application_name for the log.</summary>
    public async Task<RawPgClient> AuthenticatedRawAsync(string tag)
    {
        var client = await RawPgClient.ConnectAsync(Port);
        try
        {
            await client.AuthenticateAsync(Token(), applicationName: tag);
            return client;
        }
        catch
        {
            await client.DisposeAsync();
            throw;
        }
    }

    /// <summary>The records of the session whose startup named <paramref name="applicationName"/>, once it has ended.</summary>
    public async Task<List<FrameRecord>> SessionRecordsAsync(string applicationName)
    {
        string? sessionId = null;
        var records = await Gateway.WaitForRecordsAsync(r =>
        {
            if (r.Kind == FrameKinds.SessionStart && r.Payload?["client"]?["application_name"]?.GetValue<string>() == applicationName)
                sessionId = r.SessionId;
            return sessionId is not null && r.SessionId == sessionId && r.Kind == FrameKinds.SessionEnd;
        });
        return sessionId is null ? [] : records.Where(r => r.SessionId == sessionId).ToList();
    }

    /// <summary>The <c>connection_refused</c> record of the one connection made from <paramref name="source"/>, once written.</summary>
    public async Task<FrameRecord?> RefusalFromAsync(IPAddress source)
    {
        var address = source.ToString();
        var records = await Gateway.WaitForRecordsAsync(r => r.Kind == FrameKinds.ConnectionRefused && r.SourceIp == address);
        return records.SingleOrDefault(r => r.Kind == FrameKinds.ConnectionRefused && r.SourceIp == address);
    }

    public async ValueTask DisposeAsync()
    {
        await Gateway.DisposeAsync();
        Log.Dispose();
        Directory.Delete(_root, recursive: true);
    }
}
