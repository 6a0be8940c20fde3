using Gateway.Core.FrameLog;
using Gateway.Tests.AzureMonitor;
using Gateway.Tests.Fixtures;
using Npgsql;

namespace Gateway.Tests.Security;

/// <summary>
/// An Azure Monitor outage under live traffic, end to end through the gateway (the in-repo Logs Ingestion fixture
/// speaks the documented REST API): the local log keeps taking records up to <c>max_spool</c>, then commands are
/// refused (never run unaudited); when the endpoint returns, every record arrives and commands run again.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class AzureSinkOutageTests
{
    private const int MaxSpoolBytes = 256 * 1024;
    /// <summary>
    /// The spool gauge the writer consults is up to 100 ms old (SpoolScanner), so what a busy session writes within
    /// that lands past the bound: 60-100 KiB here at ~150 commands/s. The bound that matters is that it stops.
    /// </summary>
    private const int SpoolSlackBytes = 256 * 1024;

    [Test]
    public async Task During_an_outage_the_local_log_grows_to_its_bound_and_nothing_is_lost_when_the_endpoint_returns()
    {
        var root = Directory.CreateTempSubdirectory("gw-outage-").FullName;
        await using var fixture = await LogsIngestionFixture.StartAsync(root);
        var tokenFile = Path.Combine(root, "token");
        await File.WriteAllTextAsync(tokenFile, fixture.Token + "\n");
        // Lines of the audit section (GatewayUnderTest writes `audit:` just before them).
        var audit = $"""
              max_spool: {MaxSpoolBytes}
              sinks:
                - type: azure_monitor
                  endpoint: {fixture.Endpoint}
                  rule_id: {fixture.RuleId}
                  stream: {fixture.Stream}
                  ca_file: {fixture.CaFile}
                  flush_interval: 100ms
                  credential:
                    type: token_file
                    path: {tokenFile}
            """;
        try
        {
            await using var gateway = await SecurityGateway.StartAsync(await PostgresServer.GetSharedAsync(), extraYaml: audit);
            await using var connection = await gateway.OpenAsync(applicationName: "outage");
            await WaitUntilAsync(async () => Delivered(fixture).Count > 0 && Delivered(fixture).Max() >= await LastSeqAsync(gateway), "the first records to arrive");

            fixture.FailWith(503);
            var deliveredBefore = Delivered(fixture).Count;
            var logBefore = LogBytes(gateway);
            var (ran, refusal) = await RunUntilRefusedAsync(connection, limit: 5000);
            // The result record of the last command that ran is posted, not awaited: let it land before measuring.
            await Task.Delay(FrameLogWriter.PostedFlushPeriod * 3);
            var unshipped = LogBytes(gateway) - logBefore;
            var (ranAfterFull, _) = await RunUntilRefusedAsync(connection, limit: 1);
            await Task.Delay(300);
            var (ranLater, _) = await RunUntilRefusedAsync(connection, limit: 1);
            var grownAfterFull = LogBytes(gateway) - logBefore - unshipped;
            var deliveredDuring = Delivered(fixture).Count;
            var lastSeq = await LastSeqAsync(gateway);

            fixture.FailWith(null);
            await WaitUntilAsync(async () => Delivered(fixture).Count >= await LastSeqAsync(gateway), "every record to arrive after the outage");
            await using var after = new NpgsqlCommand("select 'after the outage'", connection);
            var resumed = await after.ExecuteScalarAsync();
            var delivered = Delivered(fixture);

            Assert.That(ran, Is.GreaterThan(50), "the local log kept taking commands during the outage");
            Assert.That(refusal, Is.Not.Null, "past max_spool the gateway refuses commands instead of running them unaudited");
            Assert.That(refusal!.SqlState, Is.EqualTo("55000"));
            Assert.That(deliveredDuring, Is.EqualTo(deliveredBefore), "nothing was delivered during the outage");
            Assert.That(unshipped, Is.LessThan(MaxSpoolBytes + SpoolSlackBytes), "the unshipped log stayed within its bound");
            Assert.That((ranAfterFull, ranLater, grownAfterFull), Is.EqualTo((0, 0, 0L)), "once full, the log takes nothing more and every command is refused");
            Assert.That(resumed, Is.EqualTo("after the outage"));
            Assert.That(delivered, Is.EquivalentTo(Enumerable.Range(1, (int)delivered.Max()).Select(i => (long)i)), "no Seq is missing");
            Assert.That(delivered.Max(), Is.GreaterThanOrEqualTo(lastSeq));
            TestContext.Progress.WriteLine($"outage: {ran} commands recorded locally ({unshipped / 1024} KiB unshipped, max_spool {MaxSpoolBytes / 1024} KiB), " +
                $"then refused with 55000; {delivered.Count} records delivered after the outage, none missing");
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static long LogBytes(SecurityGateway gateway) =>
        Directory.EnumerateFiles(FrameLogPaths.LogDirectory(gateway.Gateway.StateDirectory)).Sum(f => new FileInfo(f).Length);

    private static SortedSet<long> Delivered(LogsIngestionFixture fixture) => [.. fixture.Records.Select(r => r["Seq"]!.GetValue<long>())];

    private static async Task<long> LastSeqAsync(SecurityGateway gateway) => (await gateway.Gateway.RecordsAsync()).Max(r => r.Seq);

    private static async Task<(int Ran, PostgresException? Refusal)> RunUntilRefusedAsync(NpgsqlConnection connection, int limit)
    {
        for (var i = 0; i < limit; i++)
        {
            await using var command = new NpgsqlCommand($"select {i} as n, repeat('z', 200) as filler", connection);
            try
            {
                await command.ExecuteScalarAsync();
            }
            catch (PostgresException e)
            {
                return (i, e);
            }
        }
        return (limit, null);
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
                Assert.Fail($"timed out waiting for {what}");
            await Task.Delay(100);
        }
    }
}
