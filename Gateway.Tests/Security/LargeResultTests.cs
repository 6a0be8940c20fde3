using Gateway.Core.FrameLog;
using Gateway.Tests.Fixtures;
using Npgsql;

namespace Gateway.Tests.Security;

/// <summary>
/// Memory under large results (invariant 6): a client that stops reading throttles the server instead of filling
/// the gateway, and a 1,000,000-row result streams at constant memory. Memory is the live managed heap of this
/// process (the gateway runs in it), measured after a full collection, so garbage does not count.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class LargeResultTests
{
    /// <summary>Live-heap growth allowed while results far larger than this pass through.</summary>
    private const long MaxGrowthBytes = 48L * 1024 * 1024;

    private PostgresServer _pg = null!;
    private SecurityGateway _gateway = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _pg = await PostgresServer.GetSharedAsync();
        _gateway = await SecurityGateway.StartAsync(_pg);
    }

    [OneTimeTearDown]
    public async Task StopAsync() => await _gateway.DisposeAsync();

    [Test]
    public async Task A_client_that_stops_reading_throttles_the_server_and_the_gateway_stays_bounded()
    {
        var baseline = LiveBytes();
        const string sql = "select g, repeat('x', 1000) from generate_series(1, 5000000) g";
        await using var client = await _gateway.AuthenticatedRawAsync("stops-reading");
        await client.WriteAsync(HostileFrames.Query(sql));

        // The server fills the socket buffers and the gateway's small pipes, then blocks writing to its client.
        var throttled = await WaitForServerAsync($"select wait_event from pg_stat_activity where query = '{sql.Replace("'", "''", StringComparison.Ordinal)}'", "ClientWrite");
        var first = LiveBytes();
        await Task.Delay(TimeSpan.FromSeconds(2));
        var second = LiveBytes();
        var stillThrottled = await _pg.ScalarAsync($"select wait_event from pg_stat_activity where query = '{sql.Replace("'", "''", StringComparison.Ordinal)}'");

        Assert.That(throttled, Is.True, "the server never blocked on its client");
        Assert.That(stillThrottled, Is.EqualTo("ClientWrite"), "the server is held back, not the result buffered");
        Assert.That(first - baseline, Is.LessThan(MaxGrowthBytes), $"live heap grew by {(first - baseline) / 1024 / 1024} MiB");
        Assert.That(second - baseline, Is.LessThan(MaxGrowthBytes), $"live heap grew by {(second - baseline) / 1024 / 1024} MiB");
        TestContext.Progress.WriteLine($"stopped reader: server in ClientWrite, live heap +{(second - baseline) / 1024} KiB over a 5 GB result");
    }

    [Test]
    public async Task A_million_rows_stream_through_at_constant_memory()
    {
        await using var connection = await _gateway.OpenAsync(applicationName: "million-rows");
        await using var command = new NpgsqlCommand("select g, repeat('y', 100) as filler from generate_series(1, 1000000) g", connection);
        var baseline = LiveBytes();
        var peak = 0L;
        long rows = 0, bytes = 0;
        var clock = System.Diagnostics.Stopwatch.StartNew();

        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                rows++;
                bytes += reader.GetString(1).Length + 8;
                if (rows % 100_000 == 0)
                    peak = Math.Max(peak, LiveBytes() - baseline);
            }
        }
        var elapsed = clock.Elapsed;

        Assert.That(rows, Is.EqualTo(1_000_000));
        Assert.That(peak, Is.LessThan(MaxGrowthBytes), $"live heap grew by {peak / 1024 / 1024} MiB while streaming {bytes / 1024 / 1024} MiB");
        var records = await _gateway.Gateway.WaitForRecordsAsync(r => r.Kind == FrameKinds.Result && r.Rows == 1_000_000);
        Assert.That(records.Any(r => r.Kind == FrameKinds.Result && r.Rows == 1_000_000), Is.True, "the result record counts every row");
        TestContext.Progress.WriteLine($"1,000,000 rows ({bytes / 1024 / 1024} MiB) in {elapsed.TotalSeconds:F1} s, live heap peak +{peak / 1024} KiB");
    }

    private static long LiveBytes() => GC.GetTotalMemory(forceFullCollection: true);

    private async Task<bool> WaitForServerAsync(string sql, string expected)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            if (Equals(await _pg.ScalarAsync(sql), expected))
                return true;
            await Task.Delay(100);
        }
        return false;
    }
}
