using System.Diagnostics;
using System.Net;
using Gateway.Core.Audit;
using Gateway.Core.FrameLog;
using Gateway.Tests.Fixtures;
using Gateway.Tests.Postgres.EndToEnd;
using Npgsql;

namespace Gateway.Tests.Security;

/// <summary>
/// Connection exhaustion: 10,000 idle and half-open connections from many source addresses, per-address and
/// per-listener caps, the handshake deadline. A legitimate client keeps connecting and querying throughout, and
/// every attacker connection is closed by the gateway on its own, each with its <c>connection_refused</c> record.
/// </summary>
/// <remarks>
/// The flood runs against the real gateway executable (<see cref="GatewayProcess"/>): in one process with its
/// clients every connection would cost two descriptors there, and 10,000 would not fit the CI box's descriptor
/// limit (ulimit -n 20,000, not raisable there). The figures are in docs/security-testing.md.
/// </remarks>
[TestFixture]
[NonParallelizable]
public sealed class ConnectionFloodTests
{
    private const int Flood = 10_000;
    private const int PerAddress = 200;
    private const int SourceAddresses = Flood / PerAddress;

    private PostgresServer _pg = null!;

    [OneTimeSetUp]
    public async Task StartAsync() => _pg = await PostgresServer.GetSharedAsync();

    [Test]
    public async Task Ten_thousand_idle_and_half_open_connections_do_not_keep_a_legitimate_client_out()
    {
        Assert.That(DescriptorLimit(), Is.GreaterThanOrEqualTo(Flood + 2000),
            $"the flood needs {Flood} descriptors in this process and in the gateway's, plus room for the rest: raise ulimit -n");
        // The deadline leaves time to open all 10,000 and check the caps while every one is still held.
        await using var gateway = await GatewayProcess.StartAsync(_pg, "flood", $"""
            handshake_timeout: 10s
            max_connections: {Flood + 100}
            max_connections_per_ip: {PerAddress}
            """);
        var clock = Stopwatch.StartNew();
        var attackers = await OpenFloodAsync(gateway.Port);
        var connected = clock.Elapsed;
        Assert.That(connected, Is.LessThan(TimeSpan.FromSeconds(5)), "precondition: the flood must be open well inside the 10 s handshake deadline");

        // One more from a flooding address is over its per-address cap: refused at once, with the reason.
        await using (var extra = await RawPgClient.ConnectAsync(gateway.Port, Source(0)))
        {
            var refusal = await extra.ReadUntilClosedAsync();
            Assert.That(refusal.Single().SqlState, Is.EqualTo("53300"));
            Assert.That(refusal.Single().Text, Does.Contain("too many connections from 127.0.0.2 (max_connections_per_ip 200)"));
        }

        // While the flood is held: a real client from another address connects and queries.
        await using (var legitimate = new NpgsqlConnection(gateway.ConnectionString("legitimate")))
        {
            await legitimate.OpenAsync();
            await using var query = new NpgsqlCommand("select count(*) from generate_series(1, 1000)", legitimate);
            Assert.That(await query.ExecuteScalarAsync(), Is.EqualTo(1000L));
        }
        var served = clock.Elapsed;

        // Every attacker is closed by the handshake deadline: told why in plain text, or (TLS pending) just closed.
        var ends = await Task.WhenAll(attackers.Select(a => a.ReadBytesUntilClosedAsync(TimeSpan.FromSeconds(60))));
        var cleared = clock.Elapsed;
        foreach (var attacker in attackers)
            await attacker.DisposeAsync();

        var plain = ends.Where((_, i) => i % 3 != 2).ToList();
        var tlsPending = ends.Where((_, i) => i % 3 == 2).ToList();
        Assert.That(plain.Count(e => e.Length > 0 && e[0] == (byte)'E' && System.Text.Encoding.ASCII.GetString(e).Contains("08006", StringComparison.Ordinal)),
            Is.EqualTo(plain.Count), "every idle or partial startup gets FATAL 08006 at the handshake deadline");
        Assert.That(tlsPending.All(e => e.Length >= 1 && e[0] == (byte)'S'), Is.True, "an SSLRequest got its 'S', then the close");
        // The frame log accounts for every one: recorded up to the refusal-record budget (a burst of 1,000, then
        // 100/s), the rest counted, and the count carried by the next recorded refusal, here a probe sent after the
        // budget has refilled a little.
        await Task.Delay(TimeSpan.FromSeconds(1));
        await using (var probe = await RawPgClient.ConnectAsync(gateway.Port))
        {
            await probe.WriteAsync(HostileFrames.StartupDeclaring(3));
            Assert.That((await probe.ReadUntilClosedAsync()).Single().SqlState, Is.EqualTo("08P01"));
        }
        var (recorded, unrecorded) = await RefusalAccountAsync(gateway);
        Assert.That(recorded, Is.GreaterThanOrEqualTo(RefusalRecordBudget.DefaultBurst), "the first 1,000 are recorded");
        Assert.That(recorded + unrecorded, Is.EqualTo(Flood), "every closed attacker is recorded or counted");
        await using (var after = new NpgsqlConnection(gateway.ConnectionString("legitimate")))
        {
            await after.OpenAsync();
            Assert.That(after.State, Is.EqualTo(System.Data.ConnectionState.Open));
        }
        Assert.That(gateway.HasExited, Is.False);
        TestContext.Progress.WriteLine($"flood: {Flood} connections from {SourceAddresses} addresses held in {connected.TotalSeconds:F1} s, " +
            $"legitimate query served at {served.TotalSeconds:F1} s, all closed by {cleared.TotalSeconds:F1} s; {recorded} refusals recorded, {unrecorded} counted over the budget");
    }

    [Test]
    public async Task A_full_listener_refuses_with_53300_until_the_handshake_deadline_frees_it()
    {
        const int cap = 40;
        await using var gateway = await SecurityGateway.StartAsync(_pg, $"""
            handshake_timeout: 2s
            max_connections: {cap}
            max_connections_per_ip: 1000
            """);
        var attackers = new List<RawPgClient>();
        for (var i = 0; i < cap; i++)
            attackers.Add(await RawPgClient.ConnectAsync(gateway.Port, Source(i % SourceAddresses)));
        await WaitForSessionsAsync(gateway, cap);

        var refused = await PsqlAsync(gateway);
        await using (var raw = await RawPgClient.ConnectAsync(gateway.Port))
        {
            var refusal = await raw.ReadUntilClosedAsync();
            Assert.That(refusal.Single().SqlState, Is.EqualTo("53300"));
            Assert.That(refusal.Single().Text, Is.EqualTo($"sorry, too many connections to listener {SecurityGateway.ListenerName} (max_connections {cap})"));
        }
        var ends = await Task.WhenAll(attackers.Select(a => a.ReadUntilClosedAsync()));
        foreach (var attacker in attackers)
            await attacker.DisposeAsync();
        var admitted = await PsqlAsync(gateway);

        Assert.That(refused.ExitCode, Is.Not.Zero);
        // libpq 15 reports an ErrorResponse to its SSLRequest without the text; a plain-text client sees the text (above).
        Assert.That(refused.Stderr, Does.Contain("server sent an error response during SSL exchange"), refused.Output);
        Assert.That(ends.All(e => e.Single().SqlState == "08006"), Is.True);
        Assert.That(admitted.ExitCode, Is.Zero, admitted.Output);
        Assert.That(admitted.Stdout, Does.Contain("admitted"));
    }

    /// <summary>A third of the flood sends nothing, a third three bytes of a length, a third an SSLRequest and no handshake.</summary>
    private static async Task<List<RawPgClient>> OpenFloodAsync(int port)
    {
        var attackers = new RawPgClient[Flood];
        using var gate = new SemaphoreSlim(64);
        await Task.WhenAll(Enumerable.Range(0, Flood).Select(async i =>
        {
            await gate.WaitAsync();
            try
            {
                var attacker = await RawPgClient.ConnectAsync(port, Source(i % SourceAddresses));
                attackers[i] = attacker;
                switch (i % 3)
                {
                    case 1:
                        await attacker.WriteAsync([0, 0, 0]);
                        break;
                    case 2:
                        await attacker.WriteAsync(HostileFrames.SslRequest());
                        break;
                }
            }
            finally
            {
                gate.Release();
            }
        }));
        return [.. attackers];
    }

    private static async Task WaitForSessionsAsync(SecurityGateway gateway, int count)
    {
        // The listener admits asynchronously; its sessions are counted once their handler runs.
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (gateway.Gateway.ActiveSessions(SecurityGateway.ListenerName) < count && DateTime.UtcNow < deadline)
            await Task.Delay(20);
    }

    /// <summary>
    /// Reads the gateway's frame log until the probe's protocol-violation refusal is in it (or 20 s pass): the
    /// handshake-timeout refusals recorded, and the refusals counted over the budget (the records'
    /// <c>unrecorded_before</c>, the probe's included).
    /// </summary>
    private static async Task<(int Recorded, long Unrecorded)> RefusalAccountAsync(GatewayProcess gateway)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            var (recorded, unrecorded, probed) = (0, 0L, false);
            await foreach (var entry in new FrameLogReader(FrameLogPaths.LogDirectory(gateway.StateDirectory)).ReadRecordsAsync())
            {
                if (entry.Record is not { Kind: FrameKinds.ConnectionRefused, Payload: { } payload })
                    continue;
                unrecorded += payload["unrecorded_before"]?.GetValue<long>() ?? 0;
                switch (payload["kind"]!.GetValue<string>())
                {
                    case "handshake_timeout":
                        recorded++;
                        break;
                    case "protocol_violation":
                        probed = true;
                        break;
                }
            }
            if (probed || DateTime.UtcNow > deadline)
                return (recorded, unrecorded);
            await Task.Delay(200);
        }
    }

    private static int DescriptorLimit()
    {
        var limit = File.ReadLines("/proc/self/limits").First(l => l.StartsWith("Max open files", StringComparison.Ordinal))
            .Split(' ', StringSplitOptions.RemoveEmptyEntries)[3];
        return limit == "unlimited" ? int.MaxValue : int.Parse(limit, System.Globalization.CultureInfo.InvariantCulture);
    }

    private static IPAddress Source(int index) => new([127, 0, 0, (byte)(2 + index)]);

    private static Task<ProcessResult> PsqlAsync(SecurityGateway gateway) =>
        ProcessRunner.RunAsync("psql", [$"host=127.0.0.1 port={gateway.Port} dbname=postgres user=agent-007 sslmode=require", "-X", "-tA", "-c", "select 'admitted'"],
            new Dictionary<string, string> { ["PGPASSWORD"] = gateway.Token(), ["PGCONNECT_TIMEOUT"] = "10" }, TimeSpan.FromSeconds(30));
}
