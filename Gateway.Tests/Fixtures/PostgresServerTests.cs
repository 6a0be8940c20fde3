using Gateway.Core.Config;
using Gateway.Protocols.Postgres.Upstream;
using Npgsql;

namespace Gateway.Tests.Fixtures;

public sealed class PostgresServerTests
{
    [Test]
    public async Task Shared_server_is_one_instance_and_accepts_each_role_through_Npgsql()
    {
        var pg = await PostgresServer.GetSharedAsync();

        Assert.That(await PostgresServer.GetSharedAsync(), Is.SameAs(pg));
        foreach (var (user, password) in new[]
        {
            (PostgresServer.Superuser, pg.SuperuserPassword),
            (PostgresServer.ScramUser, pg.ScramPassword),
            (PostgresServer.Md5User, pg.Md5Password),
            (PostgresServer.PasswordUser, pg.CleartextPassword),
            (PostgresServer.TrustUser, (string?)null),
        })
        {
            await using var connection = new NpgsqlConnection(pg.ConnectionStringFor(user, password, sslMode: SslMode.Require));
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("SELECT current_user || ' ' || ssl::text FROM pg_stat_ssl WHERE pid = pg_backend_pid()", connection);
            Assert.That(await command.ExecuteScalarAsync(), Is.EqualTo($"{user} true"));
        }
    }

    [Test]
    public async Task Private_server_restarts_on_the_same_port_and_is_removed_on_dispose()
    {
        string root;
        await using (var pg = await PostgresServer.StartPrivateAsync())
        {
            root = Path.GetDirectoryName(pg.DataDirectory)!;
            await pg.ExecuteAsync("CREATE TABLE survives (id int); INSERT INTO survives VALUES (7)");
            var port = pg.Port;
            var upstream = await UpstreamConnector.ConnectAsync(pg.Target(TargetTlsMode.Disable), PostgresServer.Superuser,
                PostgresServer.Database, new Dictionary<string, string>(), pg.SuperuserPassword, CancellationToken.None);

            await pg.RestartAsync();

            Assert.That(pg.Port, Is.EqualTo(port));
            Assert.That(await pg.ScalarAsync("SELECT id FROM survives"), Is.EqualTo(7));
            // The restart ended the old backend: its connection reads to the end (after the server's FATAL notice).
            while (true)
            {
                var read = await upstream.Transport.Input.ReadAsync();
                upstream.Transport.Input.AdvanceTo(read.Buffer.End);
                if (read.IsCompleted)
                    break;
            }
            await upstream.DisposeAsync();
        }

        Assert.That(Directory.Exists(root), Is.False);
    }
}
