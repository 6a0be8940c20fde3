using Gateway.Core.FrameLog;
using Gateway.Tests.Fixtures;
using Gateway.Tests.Postgres.EndToEnd;
using Npgsql;

namespace Gateway.Tests.Security;

/// <summary>
/// A real full disk under the frame log: the log directory is a 512 KiB tmpfs (the tests run as root, as CI does).
/// Once a command's record cannot be written, the command is refused with a native error and does not run; every
/// row that did reach PostgreSQL has its record. (AuditUnavailableTests covers the refusal with a simulated failure.)
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class FrameLogDiskFullTests
{
    [Test]
    public async Task When_the_log_disk_fills_up_commands_are_refused_and_nothing_runs_unaudited()
    {
        var pg = await PostgresServer.GetSharedAsync();
        await pg.ExecuteAsync("DROP TABLE IF EXISTS diskfull; CREATE TABLE diskfull (seq int)");
        var root = Directory.CreateTempSubdirectory("gw-diskfull-").FullName;
        var state = Path.Combine(root, "state");
        var mount = FrameLogPaths.LogDirectory(state);
        Directory.CreateDirectory(mount);
        await RunAsync("mount", "-t", "tmpfs", "-o", "size=512k", "tmpfs", mount);
        try
        {
            await using (var gateway = await SecurityGateway.StartAsync(pg, stateDirectory: state))
            {
                await using var connection = await gateway.OpenAsync(applicationName: "disk-full");
                var acknowledged = 0;
                PostgresException? refusal = null;
                for (var seq = 1; seq <= 20_000 && refusal is null; seq++)
                {
                    await using var insert = new NpgsqlCommand($"insert into diskfull values ({seq}) /* {new string('p', 400)} */", connection);
                    try
                    {
                        await insert.ExecuteNonQueryAsync();
                        acknowledged++;
                    }
                    catch (PostgresException e)
                    {
                        refusal = e;
                    }
                }

                var rows = (long)(await pg.ScalarAsync("select count(*) from diskfull"))!;
                var recorded = await RecordedInsertsAsync(mount);

                Assert.That(refusal, Is.Not.Null, "the disk filled up");
                Assert.That(refusal!.SqlState, Is.EqualTo("55000"), refusal.MessageText);
                Assert.That(refusal.MessageText, Does.Contain("audit log cannot record this command"));
                Assert.That(rows, Is.EqualTo(acknowledged), "the refused insert did not run");
                var unaudited = Enumerable.Range(1, (int)rows).Where(seq => !recorded.Contains(seq)).ToList();
                Assert.That(unaudited, Is.Empty, "every row in PostgreSQL has its command record");
                TestContext.Progress.WriteLine($"disk full: {acknowledged} inserts recorded and run on 512 KiB, the next refused with 55000");
            }
        }
        finally
        {
            await RunAsync("umount", "-l", mount);
            Directory.Delete(root, recursive: true);
        }
    }

    private static async Task<HashSet<int>> RecordedInsertsAsync(string logDirectory)
    {
        var recorded = new HashSet<int>();
        await foreach (var entry in new FrameLogReader(logDirectory).ReadRecordsAsync())
        {
            if (entry.Record is { Kind: FrameKinds.Command, Command: { } text } && text.StartsWith("insert into diskfull values (", StringComparison.Ordinal))
                recorded.Add(int.Parse(text["insert into diskfull values (".Length..text.IndexOf(')', StringComparison.Ordinal)], System.Globalization.CultureInfo.InvariantCulture));
        }
        return recorded;
    }

    private static async Task RunAsync(string program, params string[] arguments)
    {
        var result = await ProcessRunner.RunAsync(program, arguments, timeout: TimeSpan.FromSeconds(30));
        if (result.ExitCode != 0)
            throw new InvalidOperationException($"{program} {string.Join(' ', arguments)}: {result.Output}");
    }
}
