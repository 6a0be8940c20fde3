using Gateway.Core.FrameLog;
using Gateway.Tests.Fixtures;
using Gateway.Tests.Postgres.EndToEnd;
using Gateway.Tests.Postgres.Protocol;

namespace Gateway.Tests.Security;

/// <summary>
/// A hostile or broken target behind the gateway (<see cref="FakePgServer"/>): the client always gets a clear
/// error, never a hang; the gateway never crashes and keeps serving the next session. The fake shows each byte the
/// gateway sends, so how a session ends toward its target is tested here too.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class HostileUpstreamTests
{
    private FakePgServer _fake = null!;
    private SecurityGateway _gateway = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _fake = FakePgServer.Start();
        _gateway = await SecurityGateway.StartAsync(await PostgresServer.GetSharedAsync(), "handshake_timeout: 5s",
            target: ("127.0.0.1", _fake.Port, "fake-secret", "prefer"));
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        await _gateway.DisposeAsync();
        await _fake.DisposeAsync();
    }

    [SetUp]
    public void ResetScript()
    {
        _fake.Script = Healthy;
        _fake.OnCancel = () => Task.CompletedTask;
    }

    /// <summary>What every test ends with: a normal session through the same gateway still works.</summary>
    private static async Task Healthy(FakePgServer.Peer peer)
    {
        if (!await peer.HandshakeAsync())
            return;
        while (true)
        {
            await peer.ReadQueryAsync();
            await peer.AnswerRowAsync("fine");
        }
    }

    private async Task AssertGatewayServesAsync()
    {
        _fake.Script = Healthy;
        await using var client = await _gateway.AuthenticatedRawAsync("after");
        await client.WriteAsync(HostileFrames.Query("select 'fine'"));
        var messages = await client.ReadUntilReadyAsync();
        Assert.That(messages.Select(m => m.Type), Is.EqualTo(new[] { 'T', 'D', 'C', 'Z' }), "the next session did not work");
    }

    [Test]
    public async Task An_ErrorResponse_without_SQLSTATE_reaches_the_client_and_the_session_goes_on()
    {
        _fake.Script = async peer =>
        {
            await peer.HandshakeAsync();
            await peer.ReadQueryAsync();
            await peer.WriteAsync(FakePgServer.Error(('S', "ERROR"), ('M', "something broke without a code")), FakePgServer.Peer.Ready);
            await peer.ReadQueryAsync();
            await peer.AnswerRowAsync("still here");
            await peer.WaitForCloseAsync();
        };
        var tag = "nosqlstate-" + Guid.NewGuid().ToString("n")[..6];
        await using (var client = await _gateway.AuthenticatedRawAsync(tag))
        {
            await client.WriteAsync(HostileFrames.Query("select 1"));
            var first = await client.ReadUntilReadyAsync();
            await client.WriteAsync(HostileFrames.Query("select 2"));
            var second = await client.ReadUntilReadyAsync();
            await client.WriteAsync(HostileFrames.Terminate());

            Assert.That(first.Select(m => m.Type), Is.EqualTo(new[] { 'E', 'Z' }));
            Assert.That(first[0].Text, Is.EqualTo("something broke without a code"));
            Assert.That(first[0].SqlState, Is.Null, "forwarded as the server sent it");
            Assert.That(second.Select(m => m.Type), Is.EqualTo(new[] { 'T', 'D', 'C', 'Z' }));
        }
        var error = (await _gateway.SessionRecordsAsync(tag)).Single(r => r.Kind == FrameKinds.Error);
        Assert.That(error.Payload!["code"]!.GetValue<string>(), Is.EqualTo("XX000"), "recorded as internal_error");
        Assert.That(error.Payload!["message"]!.GetValue<string>(), Is.EqualTo("something broke without a code"));
    }

    [Test]
    public async Task A_startup_refusal_without_SQLSTATE_gives_the_client_a_FATAL_with_a_code()
    {
        _fake.Script = async peer =>
        {
            await peer.ReadStartupAsync();
            await peer.WriteAsync(FakePgServer.Error(('S', "FATAL"), ('M', "no entry")));
            await peer.WaitForCloseAsync();
        };

        var result = await PsqlAsync("select 1");
        var raw = await RefusalSeenByRawClientAsync();

        Assert.That(result.ExitCode, Is.Not.Zero);
        Assert.That(result.Stderr, Does.Contain("FATAL:  the gateway could not connect to the target: no entry"), result.Output);
        Assert.That(raw.SqlState, Is.EqualTo("08001"), "a code the server did not give is filled in");
        await AssertGatewayServesAsync();
    }

    [Test]
    public async Task An_oversized_SCRAM_server_nonce_is_refused()
    {
        _fake.Script = async peer =>
        {
            await peer.ReadStartupAsync();
            await peer.WriteAsync(WireBytes.Frame('R', new WireBytes().Int32(10).CString("SCRAM-SHA-256").Byte(0)));
            var (_, initial) = await peer.ReadMessageAsync();
            // SASLInitialResponse: mechanism\0, int32 length, "n,,n=,r=<client nonce>"
            var clientFirst = System.Text.Encoding.ASCII.GetString(initial, "SCRAM-SHA-256".Length + 5, initial.Length - "SCRAM-SHA-256".Length - 5);
            var clientNonce = clientFirst[(clientFirst.IndexOf("r=", StringComparison.Ordinal) + 2)..];
            var serverFirst = $"r={clientNonce}{new string('A', 100_000)},s=c2FsdA==,i=4096";
            await peer.WriteAsync(WireBytes.Frame('R', new WireBytes().Int32(11).Text(serverFirst)));
            await peer.WaitForCloseAsync();
        };

        var result = await PsqlAsync("select 1");

        Assert.That(result.ExitCode, Is.Not.Zero);
        Assert.That(result.Stderr, Does.Contain("FATAL:  the gateway could not connect to the target"), result.Output);
        Assert.That(result.Stderr, Does.Contain("SCRAM: server-first of 100044 bytes, limit is 4096"), result.Output);
        await AssertGatewayServesAsync();
    }

    [Test]
    public async Task S_and_data_in_one_segment_after_the_SSLRequest_is_refused_CVE_2021_3935()
    {
        _fake.Script = async peer =>
        {
            // Read the SSLRequest by hand: answer 'S' and, in the same segment, a forged AuthenticationOk.
            await peer.ReadSslRequestAsync();
            await peer.WriteAsync([(byte)'S'], FakePgServer.Peer.AuthOk, FakePgServer.Peer.Ready);
            await peer.WaitForCloseAsync();
        };

        var result = await PsqlAsync("select 1");

        Assert.That(result.ExitCode, Is.Not.Zero);
        Assert.That(result.Stderr, Does.Contain("unexpected bytes after its SSL response"), result.Output);
        await AssertGatewayServesAsync();
    }

    [Test]
    public async Task A_DataRow_that_disagrees_with_its_RowDescription_ends_the_session_with_a_protocol_error()
    {
        _fake.Script = async peer =>
        {
            await peer.HandshakeAsync();
            await peer.ReadQueryAsync();
            await peer.WriteAsync(FakePgServer.RowDescription("a", "b"), FakePgServer.DataRow("1", "2", "3"),
                FakePgServer.CommandComplete("SELECT 1"), FakePgServer.Peer.Ready);
            await peer.WaitForCloseAsync();
        };
        var tag = "columns-" + Guid.NewGuid().ToString("n")[..6];
        await using (var client = await _gateway.AuthenticatedRawAsync(tag))
        {
            await client.WriteAsync(HostileFrames.Query("select a, b from t"));
            var messages = await client.ReadUntilClosedAsync();

            Assert.That(messages.Where(m => m.Type == 'D'), Is.Empty, "the bad row was not forwarded");
            var fatal = messages.Single(m => m.Type == 'E');
            Assert.That(fatal.SqlState, Is.EqualTo("08P01"));
            Assert.That(fatal.Text, Does.Contain("a row of 3 columns for a result of 2"));
        }
        var records = await _gateway.SessionRecordsAsync(tag);
        Assert.That(records.Single(r => r.Kind == FrameKinds.Error).Payload!["code"]!.GetValue<string>(), Is.EqualTo("08P01"));
        await AssertGatewayServesAsync();
    }

    [Test]
    public async Task A_target_that_closes_mid_message_gives_the_client_a_FATAL_and_a_record()
    {
        _fake.Script = async peer =>
        {
            await peer.HandshakeAsync();
            await peer.ReadQueryAsync();
            var row = FakePgServer.DataRow("first half", "second half");
            await peer.WriteAsync(FakePgServer.RowDescription("a", "b"), row[..(row.Length / 2)]);
            // Returning closes the socket in the middle of the DataRow.
        };
        var tag = "cut-" + Guid.NewGuid().ToString("n")[..6];
        await using (var client = await _gateway.AuthenticatedRawAsync(tag))
        {
            await client.WriteAsync(HostileFrames.Query("select a, b from t"));
            var messages = await client.ReadUntilClosedAsync();

            var fatal = messages.Single(m => m.Type == 'E');
            Assert.That(fatal.Severity, Is.EqualTo("FATAL"));
            Assert.That(fatal.SqlState, Is.EqualTo("08006"));
            Assert.That(fatal.Text, Does.Contain("closed the connection"));
        }
        var records = await _gateway.SessionRecordsAsync(tag);
        Assert.That(records.Any(r => r.Kind == FrameKinds.Error && r.Payload!["code"]!.GetValue<string>() == "08006"), Is.True);
        await AssertGatewayServesAsync();
    }

    [Test]
    public async Task A_target_that_stalls_mid_result_can_be_cancelled_by_the_client()
    {
        var cancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _fake.OnCancel = () =>
        {
            cancelled.TrySetResult();
            return Task.CompletedTask;
        };
        _fake.Script = async peer =>
        {
            await peer.HandshakeAsync();
            await peer.ReadQueryAsync();
            await peer.WriteAsync(FakePgServer.RowDescription("a"), FakePgServer.DataRow("row 1"));
            // Stalled until the cancel key arrives on its own connection, then fail the query as a server does.
            await cancelled.Task;
            await peer.WriteAsync(FakePgServer.Error(('S', "ERROR"), ('V', "ERROR"), ('C', "57014"), ('M', "canceling statement due to user request")),
                FakePgServer.Peer.Ready);
            await peer.ReadQueryAsync();
            await peer.AnswerRowAsync("after cancel");
            await peer.WaitForCloseAsync();
        };
        await using var client = await _gateway.AuthenticatedRawAsync("stall-cancel");
        await client.WriteAsync(HostileFrames.Query("select a from t"));
        Assert.That((await client.ReadMessageAsync())?.Type, Is.EqualTo('T'));
        Assert.That((await client.ReadMessageAsync())?.Type, Is.EqualTo('D'));

        await RawPgClient.CancelAsync(_gateway.Port, client.KeyData!);
        var rest = await client.ReadUntilReadyAsync();
        await client.WriteAsync(HostileFrames.Query("select 'after cancel'"));
        var after = await client.ReadUntilReadyAsync();

        Assert.That(_fake.CancelRequests, Is.GreaterThanOrEqualTo(1), "the gateway forwarded the cancel to the target");
        Assert.That(rest.Single(m => m.Type == 'E').SqlState, Is.EqualTo("57014"));
        Assert.That(after.Select(m => m.Type), Is.EqualTo(new[] { 'T', 'D', 'C', 'Z' }), "the session is usable after the cancel");
    }

    [Test]
    public async Task A_client_that_gives_up_on_a_stalled_target_ends_its_session_without_a_hang()
    {
        _fake.Script = async peer =>
        {
            await peer.HandshakeAsync();
            await peer.ReadQueryAsync();
            await peer.WriteAsync(FakePgServer.RowDescription("a"), FakePgServer.DataRow("row 1"));
            await peer.StallAsync();
        };
        var tag = "stall-leave-" + Guid.NewGuid().ToString("n")[..6];
        await using (var client = await _gateway.AuthenticatedRawAsync(tag))
        {
            await client.WriteAsync(HostileFrames.Query("select a from t"));
            Assert.That((await client.ReadMessageAsync())?.Type, Is.EqualTo('T'));
        }

        var records = await _gateway.SessionRecordsAsync(tag);

        Assert.That(records.Any(r => r.Kind == FrameKinds.SessionEnd), Is.True, "the session ended although the target never answered");
        await AssertGatewayServesAsync();
    }

    [Test]
    public async Task A_stalled_target_does_not_hang_gateway_shutdown()
    {
        await using var fake = FakePgServer.Start();
        fake.Script = async peer =>
        {
            await peer.HandshakeAsync();
            await peer.ReadQueryAsync();
            await peer.WriteAsync(FakePgServer.RowDescription("a"), FakePgServer.DataRow("row 1"));
            await peer.StallAsync();
        };
        var gateway = await SecurityGateway.StartAsync(await PostgresServer.GetSharedAsync(), "shutdown_timeout: 1s",
            target: ("127.0.0.1", fake.Port, "fake-secret", "prefer"));
        await using var client = await gateway.AuthenticatedRawAsync("stall-shutdown");
        await client.WriteAsync(HostileFrames.Query("select a from t"));
        Assert.That((await client.ReadMessageAsync())?.Type, Is.EqualTo('T'));

        // Bounded: a hang fails the test instead of the run.
        await gateway.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30));
        var messages = await client.ReadUntilClosedAsync();

        Assert.That(messages.Where(m => m.Type == 'E').Select(m => m.SqlState), Is.Empty.Or.EqualTo(new[] { "57P01" }),
            "the client is told the gateway is shutting down, or simply disconnected");
    }

    [Test]
    public async Task A_target_that_sends_authentication_after_startup_is_cut_off()
    {
        _fake.Script = async peer =>
        {
            await peer.HandshakeAsync();
            await peer.ReadQueryAsync();
            await peer.WriteAsync(WireBytes.Frame('R', new WireBytes().Int32(3)));
            await peer.WaitForCloseAsync();
        };
        await using var client = await _gateway.AuthenticatedRawAsync("late-auth");
        await client.WriteAsync(HostileFrames.Query("select 1"));

        var messages = await client.ReadUntilClosedAsync();

        Assert.That(messages.Select(m => m.Type), Does.Not.Contain('R'), "the target's password request never reaches the client");
        Assert.That(messages.Single(m => m.Type == 'E').SqlState, Is.EqualTo("08P01"));
        await AssertGatewayServesAsync();
    }

    // How a session ends toward its target: one Terminate, then the gateway waits for the server to close, as
    // PostgreSQL does after Terminate; and a clean end throws nothing inside the gateway (exceptions on every
    // disconnect cost connect-per-command agents CPU).

    [Test]
    public async Task The_target_gets_one_Terminate_and_closes_first()
    {
        var seen = new TaskCompletionSource<(char Last, string? Next)>(TaskCreationOptions.RunContinuationsAsynchronously);
        _fake.Script = async peer =>
        {
            await peer.HandshakeAsync();
            await peer.ReadQueryAsync();
            await peer.AnswerRowAsync("1");
            var (type, _) = await peer.ReadMessageAsync();
            // After Terminate PostgreSQL exits: a second Terminate would sit unread and make its kernel reset, and a
            // gateway that closed first would not have waited for the server.
            seen.SetResult((type, await peer.NextWithinAsync(TimeSpan.FromMilliseconds(250))));
        };
        var tag = "terminate-" + Guid.NewGuid().ToString("n")[..6];
        await using (var client = await _gateway.AuthenticatedRawAsync(tag))
        {
            await client.WriteAsync(HostileFrames.Query("select 1"));
            await client.ReadUntilReadyAsync();
            await client.WriteAsync(HostileFrames.Terminate());
        }

        var (last, next) = await seen.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.That(last, Is.EqualTo('X'));
        Assert.That(next, Is.Null, "after its one Terminate the gateway stays connected and silent until the server closes");
        var end = (await _gateway.SessionRecordsAsync(tag)).Single(r => r.Kind == FrameKinds.SessionEnd);
        Assert.That(end.Payload!["reason"]!.GetValue<string>(), Is.EqualTo("client sent Terminate"));
    }

    [Test]
    public async Task A_clean_session_end_throws_nothing_inside_the_gateway()
    {
        _fake.Script = async peer =>
        {
            await peer.HandshakeAsync();
            await peer.ReadQueryAsync();
            await peer.AnswerRowAsync("1");
            await peer.ReadMessageAsync();   // Terminate; the connection closes when the script returns
        };
        var thrown = new List<string>();
        void Record(object? sender, System.Runtime.ExceptionServices.FirstChanceExceptionEventArgs e)
        {
            var stack = Environment.StackTrace;
            if (stack.Contains("Gateway.Protocols.Postgres", StringComparison.Ordinal) || stack.Contains("Gateway.Core", StringComparison.Ordinal)
                || stack.Contains("Pipelines.Sockets.Unofficial", StringComparison.Ordinal))
            {
                lock (thrown)
                    thrown.Add($"{e.Exception.GetType().Name}: {e.Exception.Message}\n{stack}");
            }
        }

        // The hook sees the whole process: start when the earlier tests' sessions are gone, stop when this one's
        // listener has closed the client connection too.
        await WaitForNoSessionsAsync();
        var tag = "clean-end-" + Guid.NewGuid().ToString("n")[..6];
        AppDomain.CurrentDomain.FirstChanceException += Record;
        try
        {
            await using (var client = await _gateway.AuthenticatedRawAsync(tag))
            {
                await client.WriteAsync(HostileFrames.Query("select 1"));
                await client.ReadUntilReadyAsync();
                await client.WriteAsync(HostileFrames.Terminate());
            }
            await _gateway.SessionRecordsAsync(tag);
            await WaitForNoSessionsAsync();
        }
        finally
        {
            AppDomain.CurrentDomain.FirstChanceException -= Record;
        }

        lock (thrown)
            Assert.That(thrown, Is.Empty);
    }

    private async Task WaitForNoSessionsAsync()
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (_gateway.Gateway.ActiveSessions(SecurityGateway.ListenerName) > 0)
        {
            Assert.That(DateTime.UtcNow, Is.LessThan(deadline), "the gateway's sessions did not end");
            await Task.Delay(20);
        }
    }

    /// <summary>The FATAL a client gets when the gateway cannot open its upstream session.</summary>
    private async Task<BackendMessage> RefusalSeenByRawClientAsync()
    {
        await using var client = await RawPgClient.ConnectAsync(_gateway.Port);
        await client.StartTlsAsync();
        await client.WriteAsync(HostileFrames.Startup(("user", "agent-007"), ("database", "postgres")));
        Assert.That((await client.ReadMessageAsync())?.Type, Is.EqualTo('R'));
        await client.WriteAsync(WireBytes.Frame('p', new WireBytes().CString(_gateway.Token())));
        var messages = await client.ReadUntilClosedAsync();
        Assert.That(messages, Has.Count.EqualTo(1), string.Join(", ", messages));
        Assert.That(messages[0].Severity, Is.EqualTo("FATAL"));
        return messages[0];
    }

    private Task<ProcessResult> PsqlAsync(string sql) =>
        ProcessRunner.RunAsync("psql", [$"host=127.0.0.1 port={_gateway.Port} dbname=postgres user=agent-007 sslmode=require", "-X", "-v", "VERBOSITY=verbose", "-c", sql],
            new Dictionary<string, string> { ["PGPASSWORD"] = _gateway.Token(), ["PGCONNECT_TIMEOUT"] = "10" }, TimeSpan.FromSeconds(30));
}
