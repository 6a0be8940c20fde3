using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Gateway.Core.Config;
using Npgsql;

namespace Gateway.Tests.Fixtures;

/// <summary>
/// A throwaway PostgreSQL 15 server for integration tests (real server, real auth, real TLS).
///
/// Use:
/// <code>
/// var pg = await PostgresServer.GetSharedAsync();          // one per test run, started on first use
/// await pg.ExecuteAsync("CREATE TABLE t (id int)");        // as the superuser, via Npgsql
/// var n = await pg.ScalarAsync("SELECT count(*) FROM t");
/// var target = pg.Target(TargetTlsMode.Require);            // a Gateway TargetConfig pointing at it
/// await using var mine = await PostgresServer.StartPrivateAsync(); // own server for destructive tests (restart, kill)
/// await mine.RestartAsync();
/// </code>
/// What it provides:
/// <list type="bullet">
/// <item><see cref="Host"/> 127.0.0.1 (listens on loopback only) and a free <see cref="Port"/>; unix socket in the temp dir.</item>
/// <item>Superuser <c>postgres</c> with a random <see cref="SuperuserPassword"/> (stored as SCRAM); <see cref="ConnectionString"/>
/// is for Npgsql (SSL off, pooling off so a restart never leaves stale pooled connections).</item>
/// <item>Roles for each auth method, all LOGIN and able to connect to database <c>postgres</c>:
/// <see cref="ScramUser"/> (scram-sha-256, <see cref="ScramPassword"/>), <see cref="Md5User"/> (md5-stored password and an
/// md5 pg_hba line, <see cref="Md5Password"/>), <see cref="PasswordUser"/> (cleartext <c>password</c> method,
/// <see cref="CleartextPassword"/>) and <see cref="TrustUser"/> (trust, no password). Everyone else: scram-sha-256.</item>
/// <item><c>ssl = on</c> with a generated self-signed certificate for CN/SAN <c>localhost</c> and IP 127.0.0.1;
/// <see cref="CaCertificatePath"/> is the PEM to trust for verify-full.</item>
/// <item>fsync off: fast, and nothing survives the run. Logs in <see cref="LogPath"/> (quoted in start failures).</item>
/// </list>
/// The shared server is stopped and its directory deleted by <see cref="PostgresServerSetUp"/> at the end of the run
/// (and on process exit as a fallback). Private servers are stopped and deleted by <see cref="DisposeAsync"/>.
/// Servers run as the <c>postgres</c> OS user via <c>runuser</c> when the tests run as root (PostgreSQL refuses root).
/// </summary>
public sealed class PostgresServer : IAsyncDisposable
{
    public const string BinDirectory = "/usr/lib/postgresql/15/bin";
    public const string Superuser = "postgres";
    public const string ScramUser = "scram_user";
    public const string Md5User = "md5_user";
    public const string PasswordUser = "password_user";
    public const string TrustUser = "trust_user";
    public const string Database = "postgres";

    private const string OsUser = "postgres";
    private const string DirectoryPrefix = "gateway-pg-";
    private const string OwnerFile = "owner.pid";
    private static readonly SemaphoreSlim SharedLock = new(1, 1);
    private static PostgresServer? _shared;

    private readonly string _root;
    private int _stopped;

    private PostgresServer(string root)
    {
        _root = root;
        DataDirectory = Path.Combine(root, "data");
        SocketDirectory = root;
        LogPath = Path.Combine(root, "postgres.log");
        CaCertificatePath = Path.Combine(root, "server.crt");
        SuperuserPassword = NewPassword();
        ScramPassword = NewPassword();
        Md5Password = NewPassword();
        CleartextPassword = NewPassword();
    }

    public string Host => "127.0.0.1";

    public int Port { get; private set; }

    public string DataDirectory { get; }

    public string SocketDirectory { get; }

    public string LogPath { get; }

    /// <summary>The server's self-signed certificate (PEM): the CA to trust for verify-full.</summary>
    public string CaCertificatePath { get; }

    public string SuperuserPassword { get; }

    public string ScramPassword { get; }

    public string Md5Password { get; }

    public string CleartextPassword { get; }

    /// <summary>Npgsql connection string for the superuser over TCP without TLS.</summary>
    public string ConnectionString => ConnectionStringFor(Superuser, SuperuserPassword);

    public string ConnectionStringFor(string user, string? password, string database = Database, SslMode sslMode = SslMode.Disable) =>
        new NpgsqlConnectionStringBuilder
        {
            Host = Host,
            Port = Port,
            Username = user,
            Password = password,
            Database = database,
            SslMode = sslMode,
            Pooling = false,
            Timeout = 15,
        }.ConnectionString;

    /// <summary>A gateway target pointing at this server (no credential set: tests pass passwords explicitly).</summary>
    public TargetConfig Target(TargetTlsMode tls = TargetTlsMode.Disable, TimeSpan? connectTimeout = null) => new()
    {
        Host = Host,
        Port = Port,
        Tls = tls,
        CaFile = tls == TargetTlsMode.VerifyFull ? CaCertificatePath : null,
        ConnectTimeout = connectTimeout ?? TimeSpan.FromSeconds(15),
    };

    /// <summary>The server shared by the whole test run, started on first call.</summary>
    public static async Task<PostgresServer> GetSharedAsync()
    {
        await SharedLock.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_shared is null)
            {
                _shared = await StartPrivateAsync().ConfigureAwait(false);
                AppDomain.CurrentDomain.ProcessExit += (_, _) => _shared?.StopOnExit();
            }
            return _shared;
        }
        finally
        {
            SharedLock.Release();
        }
    }

    internal static async Task StopSharedAsync()
    {
        await SharedLock.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_shared is not null)
                await _shared.DisposeAsync().ConfigureAwait(false);
            _shared = null;
        }
        finally
        {
            SharedLock.Release();
        }
    }

    /// <summary>A server of your own (for tests that restart, stop or otherwise disturb it). Dispose it.</summary>
    public static async Task<PostgresServer> StartPrivateAsync()
    {
        await RemoveOrphansAsync().ConfigureAwait(false);
        var root = Directory.CreateTempSubdirectory(DirectoryPrefix).FullName;
        await File.WriteAllTextAsync(Path.Combine(root, OwnerFile), Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture)).ConfigureAwait(false);
        var server = new PostgresServer(root);
        try
        {
            await server.InitializeAsync().ConfigureAwait(false);
            return server;
        }
        catch
        {
            await server.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public async Task ExecuteAsync(string sql, CancellationToken cancellationToken = default)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<object?> ScalarAsync(string sql, CancellationToken cancellationToken = default)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Fast shutdown and start again on the same port (open connections are closed).</summary>
    public async Task RestartAsync()
    {
        await PgCtlAsync("restart", "-m", "fast", "-l", LogPath).ConfigureAwait(false);
    }

    private async Task InitializeAsync()
    {
        var passwordFile = Path.Combine(_root, "superuser.pw");
        await File.WriteAllTextAsync(passwordFile, SuperuserPassword + "\n").ConfigureAwait(false);
        WriteCertificate();
        await RunAsync("chown", ["-R", $"{OsUser}:{OsUser}", _root]).ConfigureAwait(false);

        await RunAsPostgresAsync(Path.Combine(BinDirectory, "initdb"),
            ["-D", DataDirectory, "-U", Superuser, "--auth=scram-sha-256", $"--pwfile={passwordFile}",
             "--encoding=UTF8", "--locale=C", "--no-sync", "--no-instructions"]).ConfigureAwait(false);
        File.Delete(passwordFile);

        await File.WriteAllTextAsync(Path.Combine(DataDirectory, "pg_hba.conf"), $"""
            # Written by Gateway.Tests PostgresServer: one line per auth method under test.
            local all all scram-sha-256
            host all {TrustUser} 127.0.0.1/32 trust
            host all {Md5User} 127.0.0.1/32 md5
            host all {PasswordUser} 127.0.0.1/32 password
            host all all 127.0.0.1/32 scram-sha-256

            """).ConfigureAwait(false);
        await File.AppendAllTextAsync(Path.Combine(DataDirectory, "postgresql.conf"),
            $"\ninclude '{Path.Combine(_root, "fixture.conf")}'\n").ConfigureAwait(false);

        await StartOnFreePortAsync().ConfigureAwait(false);
        await ExecuteAsync($"""
            CREATE ROLE {ScramUser} LOGIN PASSWORD '{ScramPassword}';
            CREATE ROLE {PasswordUser} LOGIN PASSWORD '{CleartextPassword}';
            CREATE ROLE {TrustUser} LOGIN;
            SET password_encryption = 'md5';
            CREATE ROLE {Md5User} LOGIN PASSWORD '{Md5Password}';
            """).ConfigureAwait(false);
    }

    private async Task StartOnFreePortAsync()
    {
        // A free port can be taken between probing and binding: try a few.
        for (var attempt = 1; ; attempt++)
        {
            Port = FreePort();
            await File.WriteAllTextAsync(Path.Combine(_root, "fixture.conf"), $"""
                listen_addresses = '127.0.0.1'
                port = {Port}
                unix_socket_directories = '{SocketDirectory}'
                ssl = on
                ssl_cert_file = '{CaCertificatePath}'
                ssl_key_file = '{Path.Combine(_root, "server.key")}'
                fsync = off
                synchronous_commit = off
                full_page_writes = off
                shared_buffers = 16MB
                max_connections = 100
                password_encryption = 'scram-sha-256'

                """).ConfigureAwait(false);
            await RunAsync("chown", [$"{OsUser}:{OsUser}", Path.Combine(_root, "fixture.conf")]).ConfigureAwait(false);
            try
            {
                await PgCtlAsync("start", "-l", LogPath).ConfigureAwait(false);
                return;
            }
            catch (InvalidOperationException) when (attempt < 3)
            {
            }
        }
    }

    private void WriteCertificate()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false));
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));

        File.WriteAllText(CaCertificatePath, certificate.ExportCertificatePem());
        var keyPath = Path.Combine(_root, "server.key");
        File.WriteAllText(keyPath, key.ExportPkcs8PrivateKeyPem());
        // PostgreSQL refuses a key file readable by others.
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(keyPath, UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }

    private Task PgCtlAsync(params string[] arguments) =>
        RunAsPostgresAsync(Path.Combine(BinDirectory, "pg_ctl"), ["-D", DataDirectory, "-w", "-t", "60", .. arguments]);

    private async Task RunAsPostgresAsync(string program, string[] arguments)
    {
        if (Environment.UserName == "root")
            await RunAsync("runuser", ["-u", OsUser, "--", program, .. arguments]).ConfigureAwait(false);
        else
            await RunAsync(program, arguments).ConfigureAwait(false);
    }

    private async Task RunAsync(string program, string[] arguments)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {program}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
        if (process.ExitCode != 0)
        {
            var log = File.Exists(LogPath) ? await File.ReadAllTextAsync(LogPath).ConfigureAwait(false) : "";
            throw new InvalidOperationException(
                $"{program} {string.Join(' ', arguments)} exited with {process.ExitCode}:\n{await stdout}\n{await stderr}\n--- server log ---\n{log}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _stopped, 1) != 0)
            return;
        if (File.Exists(Path.Combine(DataDirectory, "postmaster.pid")))
        {
            try
            {
                await PgCtlAsync("stop", "-m", "fast").ConfigureAwait(false);
            }
            catch (InvalidOperationException)
            {
                await PgCtlAsync("stop", "-m", "immediate").ConfigureAwait(false);
            }
        }
        Directory.Delete(_root, recursive: true);
    }

    /// <summary>Last resort when the test host exits without the SetUpFixture's teardown.</summary>
    private void StopOnExit()
    {
        if (Interlocked.Exchange(ref _stopped, 1) != 0)
            return;
        try
        {
            var program = Environment.UserName == "root" ? "runuser" : Path.Combine(BinDirectory, "pg_ctl");
            var start = new ProcessStartInfo(program) { UseShellExecute = false };
            if (Environment.UserName == "root")
            {
                foreach (var argument in new[] { "-u", OsUser, "--", Path.Combine(BinDirectory, "pg_ctl") })
                    start.ArgumentList.Add(argument);
            }
            foreach (var argument in new[] { "-D", DataDirectory, "-m", "immediate", "stop" })
                start.ArgumentList.Add(argument);
            using var process = Process.Start(start);
            process?.WaitForExit(10_000);
            Directory.Delete(_root, recursive: true);
        }
        catch (Exception e) when (e is IOException or InvalidOperationException or System.ComponentModel.Win32Exception or UnauthorizedAccessException)
        {
            // Exiting anyway; the temp directory is all that may be left.
        }
    }

    /// <summary>
    /// Stops servers left behind by a test host that crashed (no teardown, no ProcessExit): each directory
    /// names its owner process, and only directories whose owner is gone are touched.
    /// </summary>
    private static async Task RemoveOrphansAsync()
    {
        foreach (var directory in Directory.EnumerateDirectories(Path.GetTempPath(), DirectoryPrefix + "*"))
        {
            var ownerPath = Path.Combine(directory, OwnerFile);
            if (!File.Exists(ownerPath) || !int.TryParse(await File.ReadAllTextAsync(ownerPath).ConfigureAwait(false), out var owner) || IsAlive(owner))
                continue;
            var orphan = new PostgresServer(directory);
            try
            {
                await orphan.DisposeAsync().ConfigureAwait(false);
            }
            catch (Exception e) when (e is InvalidOperationException or IOException or UnauthorizedAccessException)
            {
                TestContext.Progress.WriteLine($"could not remove orphaned test server {directory}: {e.Message}");
            }
        }
    }

    private static bool IsAlive(int processId)
    {
        try
        {
            using var process = Process.GetProcessById(processId);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string NewPassword() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
}
