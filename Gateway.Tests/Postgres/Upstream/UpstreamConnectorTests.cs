using System.Net;
using System.Net.Sockets;
using Gateway.Core.Config;
using Gateway.Protocols.Postgres.Protocol;
using Gateway.Protocols.Postgres.Upstream;
using Gateway.Tests.Fixtures;

namespace Gateway.Tests.Postgres.Upstream;

/// <summary>The connector against a real PostgreSQL 15 (the shared fixture): every auth method and TLS mode.</summary>
public sealed class UpstreamConnectorTests
{
    private static readonly Dictionary<string, string> NoExtras = [];
    private PostgresServer _pg = null!;

    [OneTimeSetUp]
    public async Task StartServerAsync() => _pg = await PostgresServer.GetSharedAsync();

    [Test]
    public async Task Scram_connects_and_reports_the_session()
    {
        await using var connection = await ConnectAsync(TargetTlsMode.Disable, PostgresServer.ScramUser, _pg.ScramPassword);

        Assert.That(await _pg.ScalarAsync($"SELECT left(rolpassword, 13) FROM pg_authid WHERE rolname = '{PostgresServer.ScramUser}'"),
            Is.EqualTo("SCRAM-SHA-256"));
        Assert.That(connection.ProcessId, Is.Positive);
        Assert.That(connection.ParameterStatus["server_version"], Does.StartWith("15"));
        Assert.That(connection.ParameterStatus["standard_conforming_strings"], Is.EqualTo("on"));
        Assert.That(connection.ParameterStatus["client_encoding"], Is.EqualTo("UTF8"));
        Assert.That(connection.TransactionStatus, Is.EqualTo(TransactionStatus.Idle));
        Assert.That(connection.IsTls, Is.False);
        Assert.That(await UpstreamQuery.ScalarAsync(connection, "SELECT current_user"), Is.EqualTo(PostgresServer.ScramUser));
        Assert.That(await UpstreamQuery.ScalarAsync(connection, "SELECT pg_backend_pid()::text"), Is.EqualTo(connection.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Test]
    public async Task Md5_connects()
    {
        await using var connection = await ConnectAsync(TargetTlsMode.Disable, PostgresServer.Md5User, _pg.Md5Password);

        Assert.That(await UpstreamQuery.ScalarAsync(connection, "SELECT current_user"), Is.EqualTo(PostgresServer.Md5User));
        Assert.That(await _pg.ScalarAsync($"SELECT left(rolpassword, 3) FROM pg_authid WHERE rolname = '{PostgresServer.Md5User}'"),
            Is.EqualTo("md5"), "the server must have run the md5 exchange, not SCRAM");
    }

    [Test]
    public async Task Cleartext_password_connects()
    {
        await using var connection = await ConnectAsync(TargetTlsMode.Require, PostgresServer.PasswordUser, _pg.CleartextPassword);

        Assert.That(await UpstreamQuery.ScalarAsync(connection, "SELECT current_user"), Is.EqualTo(PostgresServer.PasswordUser));
    }

    [Test]
    public async Task Trust_connects_without_a_password()
    {
        await using var connection = await ConnectAsync(TargetTlsMode.Disable, PostgresServer.TrustUser, password: null);

        Assert.That(await UpstreamQuery.ScalarAsync(connection, "SELECT current_user"), Is.EqualTo(PostgresServer.TrustUser));
    }

    [TestCase(TargetTlsMode.Require, "t")]
    [TestCase(TargetTlsMode.Prefer, "t")]
    [TestCase(TargetTlsMode.Disable, "f")]
    public async Task Tls_mode_decides_whether_the_session_is_encrypted(TargetTlsMode mode, string ssl)
    {
        await using var connection = await ConnectAsync(mode, PostgresServer.Superuser, _pg.SuperuserPassword);

        Assert.That(connection.IsTls, Is.EqualTo(ssl == "t"));
        Assert.That(await UpstreamQuery.ScalarAsync(connection, "SELECT ssl::text FROM pg_stat_ssl WHERE pid = pg_backend_pid()"), Is.EqualTo(ssl == "t" ? "true" : "false"));
    }

    [Test]
    public async Task Verify_full_accepts_the_server_certificate_signed_by_the_configured_ca()
    {
        await using var connection = await ConnectAsync(TargetTlsMode.VerifyFull, PostgresServer.ScramUser, _pg.ScramPassword);

        Assert.That(connection.IsTls, Is.True);
        Assert.That(connection.Tls!.RemoteCertificate!.Subject, Is.EqualTo("CN=localhost"));
        Assert.That(await UpstreamQuery.ScalarAsync(connection, "SELECT 1"), Is.EqualTo("1"));
    }

    [Test]
    public async Task Verify_full_with_a_host_name_checks_the_name()
    {
        var target = _pg.Target(TargetTlsMode.VerifyFull);
        target.Host = "localhost";

        await using var connection = await UpstreamConnector.ConnectAsync(target, PostgresServer.ScramUser, PostgresServer.Database, NoExtras, _pg.ScramPassword, CancellationToken.None);

        Assert.That(connection.IsTls, Is.True);
    }

    [Test]
    public void Verify_full_without_a_trusted_ca_refuses_the_self_signed_certificate()
    {
        var target = _pg.Target(TargetTlsMode.VerifyFull);
        target.CaFile = null;

        var e = Assert.ThrowsAsync<UpstreamConnectException>(() =>
            UpstreamConnector.ConnectAsync(target, PostgresServer.ScramUser, PostgresServer.Database, NoExtras, _pg.ScramPassword, CancellationToken.None))!;

        Assert.That(e.Stage, Is.EqualTo(UpstreamConnectStage.Tls));
        Assert.That(e.SqlState, Is.EqualTo("08001"));
    }

    [Test]
    public void Wrong_password_carries_the_servers_28P01()
    {
        var e = Assert.ThrowsAsync<UpstreamConnectException>(() => ConnectAsync(TargetTlsMode.Disable, PostgresServer.ScramUser, "not-the-password"))!;

        Assert.That(e.Stage, Is.EqualTo(UpstreamConnectStage.Server));
        Assert.That(e.SqlState, Is.EqualTo("28P01"));
        Assert.That(e.ServerSeverity, Is.EqualTo("FATAL"));
        Assert.That(e.ServerMessage, Does.Contain("password authentication failed"));
        Assert.That(e.Message, Does.Not.Contain("not-the-password"));
    }

    [Test]
    public void Wrong_md5_password_carries_the_servers_28P01()
    {
        var e = Assert.ThrowsAsync<UpstreamConnectException>(() => ConnectAsync(TargetTlsMode.Disable, PostgresServer.Md5User, "wrong"))!;

        Assert.That(e.SqlState, Is.EqualTo("28P01"));
    }

    [Test]
    public void Unknown_database_carries_the_servers_3D000()
    {
        var e = Assert.ThrowsAsync<UpstreamConnectException>(() =>
            UpstreamConnector.ConnectAsync(_pg.Target(), PostgresServer.Superuser, "no_such_db", NoExtras, _pg.SuperuserPassword, CancellationToken.None))!;

        Assert.That(e.SqlState, Is.EqualTo("3D000"));
    }

    [Test]
    public void Scram_without_a_configured_password_fails_on_our_side()
    {
        var e = Assert.ThrowsAsync<UpstreamConnectException>(() => ConnectAsync(TargetTlsMode.Disable, PostgresServer.ScramUser, password: null))!;

        Assert.That(e.Stage, Is.EqualTo(UpstreamConnectStage.Authentication));
        Assert.That(e.Message, Does.Contain("no password configured"));
    }

    [Test]
    public async Task Extra_startup_parameters_reach_the_server()
    {
        var extras = new Dictionary<string, string> { ["application_name"] = "gateway-test", ["search_path"] = "pg_catalog" };

        await using var connection = await UpstreamConnector.ConnectAsync(_pg.Target(), PostgresServer.ScramUser, PostgresServer.Database,
            extras, _pg.ScramPassword, CancellationToken.None);

        Assert.That(connection.ParameterStatus["application_name"], Is.EqualTo("gateway-test"));
        Assert.That(await UpstreamQuery.ScalarAsync(connection, "SHOW search_path"), Is.EqualTo("pg_catalog"));
    }

    [Test]
    public void Extra_parameters_cannot_override_user_or_database()
    {
        var extras = new Dictionary<string, string> { ["user"] = "postgres" };

        Assert.ThrowsAsync<ArgumentException>(() => UpstreamConnector.ConnectAsync(_pg.Target(), PostgresServer.ScramUser, PostgresServer.Database,
            extras, _pg.ScramPassword, CancellationToken.None));
    }

    [Test]
    public void Connection_refused_is_an_UpstreamConnectException()
    {
        var target = new TargetConfig { Host = "127.0.0.1", Port = UnusedPort(), Tls = TargetTlsMode.Disable };

        var e = Assert.ThrowsAsync<UpstreamConnectException>(() =>
            UpstreamConnector.ConnectAsync(target, "u", "d", NoExtras, "p", CancellationToken.None))!;

        Assert.That(e.Stage, Is.EqualTo(UpstreamConnectStage.Connect));
        Assert.That(e.SqlState, Is.EqualTo("08001"));
        Assert.That(e.Message, Does.Contain("connection refused"));
    }

    [Test]
    public void Unresolvable_host_is_an_UpstreamConnectException()
    {
        var target = new TargetConfig { Host = "no-such-host.invalid", Port = 5432, Tls = TargetTlsMode.Disable };

        var e = Assert.ThrowsAsync<UpstreamConnectException>(() =>
            UpstreamConnector.ConnectAsync(target, "u", "d", NoExtras, "p", CancellationToken.None))!;

        Assert.That(e.Stage, Is.EqualTo(UpstreamConnectStage.Resolve));
    }

    [Test]
    public async Task A_silent_server_hits_the_connect_timeout()
    {
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var target = new TargetConfig
        {
            Host = "127.0.0.1",
            Port = ((IPEndPoint)silent.LocalEndpoint).Port,
            Tls = TargetTlsMode.Prefer,
            ConnectTimeout = TimeSpan.FromMilliseconds(300),
        };

        var e = Assert.ThrowsAsync<UpstreamConnectException>(() =>
            UpstreamConnector.ConnectAsync(target, "u", "d", NoExtras, "p", CancellationToken.None))!;

        Assert.That(e.Stage, Is.EqualTo(UpstreamConnectStage.Timeout));
        using var accepted = await silent.AcceptTcpClientAsync();
    }

    [Test]
    public void Caller_cancellation_is_not_reported_as_a_timeout()
    {
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();

        Assert.CatchAsync<OperationCanceledException>(() =>
            UpstreamConnector.ConnectAsync(_pg.Target(), PostgresServer.ScramUser, PostgresServer.Database, NoExtras, _pg.ScramPassword, cancelled.Token));
    }

    [Test]
    public async Task Cancel_request_interrupts_a_running_query()
    {
        await using var connection = await ConnectAsync(TargetTlsMode.Require, PostgresServer.ScramUser, _pg.ScramPassword);
        var running = UpstreamQuery.RunAsync(connection, "SELECT pg_sleep(60)");
        await WaitUntilActiveAsync(connection.ProcessId);

        await UpstreamCanceller.SendCancelAsync(_pg.Target(TargetTlsMode.Require), connection.ProcessId, connection.SecretKey);

        var result = await running;
        Assert.That(result.Error?.SqlState, Is.EqualTo("57014"));
        Assert.That(result.Status, Is.EqualTo(TransactionStatus.Idle));
    }

    [Test]
    public async Task Cancel_request_with_a_wrong_key_is_ignored_by_the_server()
    {
        await using var connection = await ConnectAsync(TargetTlsMode.Disable, PostgresServer.ScramUser, _pg.ScramPassword);

        await UpstreamCanceller.SendCancelAsync(_pg.Target(), connection.ProcessId, connection.SecretKey ^ 1);

        Assert.That(await UpstreamQuery.ScalarAsync(connection, "SELECT 'still here'"), Is.EqualTo("still here"));
    }

    private async Task WaitUntilActiveAsync(int processId)
    {
        for (var attempt = 0; attempt < 200; attempt++)
        {
            var state = await _pg.ScalarAsync($"SELECT wait_event FROM pg_stat_activity WHERE pid = {processId}");
            if (state as string == "PgSleep")
                return;
            await Task.Delay(50);
        }
        Assert.Fail("the query never started sleeping");
    }

    private Task<UpstreamConnection> ConnectAsync(TargetTlsMode tls, string user, string? password) =>
        UpstreamConnector.ConnectAsync(_pg.Target(tls), user, PostgresServer.Database, NoExtras, password, CancellationToken.None);

    private static int UnusedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
