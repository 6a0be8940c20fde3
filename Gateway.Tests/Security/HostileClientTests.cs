using System.Net;
using Gateway.Core.FrameLog;
using Gateway.Tests.Fixtures;
using Gateway.Tests.Postgres.Protocol;
using Npgsql;

namespace Gateway.Tests.Security;

/// <summary>
/// Hostile clients on raw sockets, before and after authentication. Each vector must end that one connection
/// with a protocol error (or a plain close), leave a gateway log line and a frame-log record (before
/// authentication <c>connection_refused</c>, after it an <c>error</c> record), and leave the gateway serving: a healthy Npgsql session opened before the attacks
/// keeps working through all of them, and new sessions still open.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class HostileClientTests
{
    private PostgresServer _pg = null!;
    private SecurityGateway _gateway = null!;
    private NpgsqlConnection _healthy = null!;
    private int _sources;

    /// <summary>
    /// A loopback address no other connection of this fixture used: a refusal record (which has no identity) is
    /// found by its source address.
    /// </summary>
    private IPAddress NextSource() => new([127, 0, 2, (byte)(1 + Interlocked.Increment(ref _sources))]);

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _pg = await PostgresServer.GetSharedAsync();
        await _pg.ExecuteAsync("DROP TABLE IF EXISTS hostile_copy; CREATE TABLE hostile_copy (line text)");
        _gateway = await SecurityGateway.StartAsync(_pg, """
            handshake_timeout: 2s
            max_message_bytes: 1048576
            """);
        _healthy = await _gateway.OpenAsync();
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        await _healthy.DisposeAsync();
        await _gateway.DisposeAsync();
    }

    // ---- before authentication -------------------------------------------------------------------------------

    private static IEnumerable<TestCaseData> PreAuthVectors()
    {
        foreach (var length in new uint[] { 0, 3, 4, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF })
        {
            yield return new TestCaseData(HostileFrames.StartupDeclaring(length), $"startup packet declares length {unchecked((int)length)}")
                .SetArgDisplayNames($"startup length 0x{length:X}");
        }
        yield return new TestCaseData(new WireBytes().Int32(16).Int32(80877103).Int32(0).Int32(0).ToArray(), "encryption request declares length 16")
            .SetArgDisplayNames("SSLRequest of 16 bytes");
        yield return new TestCaseData(HostileFrames.CancelRequestOfLength(12), "cancel request declares length 12")
            .SetArgDisplayNames("CancelRequest of 12 bytes");
        yield return new TestCaseData(HostileFrames.CancelRequestOfLength(269), "cancel request declares length 269")
            .SetArgDisplayNames("CancelRequest of 269 bytes");
        yield return new TestCaseData(HostileFrames.Query("select 1"), "startup packet declares length")
            .SetArgDisplayNames("Query before startup");
        yield return new TestCaseData(new WireBytes().Int32(8).Int32(2 << 16).ToArray(), "protocol 2.0")
            .SetArgDisplayNames("protocol 2.0 startup");
        yield return new TestCaseData(new WireBytes().Int32(9).Int32(3 << 16).Byte(0xC3).ToArray(), "startup")
            .SetArgDisplayNames("startup with an unterminated parameter");
    }

    [TestCaseSource(nameof(PreAuthVectors))]
    public async Task A_malformed_startup_gets_a_protocol_error_and_a_log_line(byte[] bytes, string logged)
    {
        var source = NextSource();
        await using var client = await RawPgClient.ConnectAsync(_gateway.Port, source);
        await client.WriteAsync(bytes);

        var messages = await client.ReadUntilClosedAsync();

        Assert.That(messages, Has.Count.EqualTo(1), string.Join(", ", messages));
        Assert.That(messages[0].Type, Is.EqualTo('E'));
        Assert.That(messages[0].Severity, Is.EqualTo("FATAL"));
        Assert.That(messages[0].SqlState, Is.EqualTo("08P01"));
        Assert.That(await _gateway.Log.WaitForAsync("ended: protocol violation", logged), Is.Not.Null,
            $"no gateway log line for '{logged}'");
        var refusal = await _gateway.RefusalFromAsync(source);
        Assert.That(refusal, Is.Not.Null, "no connection_refused record");
        Assert.That(refusal!.Payload?["code"]?.GetValue<string>(), Is.EqualTo("08P01"));
        Assert.That(refusal.Payload?["reason"]?.GetValue<string>(), Does.StartWith("protocol violation").And.Contain(logged).IgnoreCase);
        Assert.That(refusal.Payload?["kind"]?.GetValue<string>(), Is.EqualTo("protocol_violation"));
        Assert.That(refusal.Subject, Is.Null);
        await AssertGatewayServesAsync();
    }

    [Test]
    public async Task A_refused_startup_is_recorded_with_its_claims_cleaned_and_cut()
    {
        var source = NextSource();
        await using var client = await RawPgClient.ConnectAsync(_gateway.Port, source);
        // Plain text on a TLS listener: refused after the startup was read, so the claim is in the record. The
        // client chose these strings: a 5,000-character user and a terminal escape must not reach the record whole.
        await client.WriteAsync(HostileFrames.Startup(("user", new string('u', 5000)), ("database", "postgres"), ("application_name", "\u001b]0;pwned\u0007")));

        var refusal = (await client.ReadUntilClosedAsync()).Single();
        var record = await _gateway.RefusalFromAsync(source);

        Assert.That(refusal.SqlState, Is.EqualTo("28000"));
        Assert.That(record?.Payload?["code"]?.GetValue<string>(), Is.EqualTo("28000"));
        Assert.That(record!.Payload!["kind"]!.GetValue<string>(), Is.EqualTo("startup_refused"));
        Assert.That(record.Payload["claimed"]!["user"]!.GetValue<string>(), Is.EqualTo(new string('u', 128) + "…"));
        Assert.That(record.Payload["claimed"]!["application_name"]!.GetValue<string>(), Is.EqualTo("?]0;pwned?"));
        Assert.That(record.Subject, Is.Null);
    }

    [Test]
    public async Task A_TLS_handshake_that_is_not_TLS_is_closed_and_recorded_as_a_protocol_violation()
    {
        var source = NextSource();
        await using var client = await RawPgClient.ConnectAsync(_gateway.Port, source);
        await client.WriteAsync(HostileFrames.SslRequest());
        var answer = new byte[1];
        Assert.That(await client.Socket.ReceiveAsync(answer), Is.EqualTo(1));
        Assert.That((char)answer[0], Is.EqualTo('S'));

        // A plain-text startup where the TLS ClientHello should be.
        await client.WriteAsync(HostileFrames.Startup(("user", "x"), ("database", "postgres")));
        var closed = await client.ReadBytesUntilClosedAsync(TimeSpan.FromSeconds(10));
        var record = await _gateway.RefusalFromAsync(source);

        Assert.That(closed, Is.Empty, "nothing in plain text after the 'S'");
        Assert.That(record?.Payload?["kind"]?.GetValue<string>(), Is.EqualTo("protocol_violation"));
        Assert.That(record!.Payload!["reason"]!.GetValue<string>(), Does.StartWith("protocol violation: TLS handshake failed"));
        Assert.That(record.Payload["code"]!.GetValue<string>(), Is.EqualTo("08P01"));
        await AssertGatewayServesAsync();
    }

    [Test]
    public async Task Bytes_after_an_SSLRequest_in_the_same_write_close_the_connection_CVE_2021_3935()
    {
        var source = NextSource();
        await using var client = await RawPgClient.ConnectAsync(_gateway.Port, source);
        // SSLRequest and a plaintext StartupMessage in one segment: read after the handshake they would pass as encrypted.
        await client.WriteAsync([.. HostileFrames.SslRequest(), .. HostileFrames.Startup(("user", "x"), ("database", "postgres"))]);

        var answer = new byte[1];
        var read = await client.Socket.ReceiveAsync(answer);

        Assert.That(read, Is.Zero, $"the gateway answered '{(char)answer[0]}' instead of closing");
        Assert.That(await _gateway.Log.WaitForAsync("bytes after SSLRequest before the TLS handshake"), Is.Not.Null);
        var refusal = await _gateway.RefusalFromAsync(source);
        Assert.That(refusal?.Payload?["reason"]?.GetValue<string>(), Is.EqualTo("bytes after SSLRequest before the TLS handshake (CVE-2021-3935)"));
        await AssertGatewayServesAsync();
    }

    [Test]
    public async Task A_startup_that_never_finishes_is_closed_at_the_handshake_deadline()
    {
        var (silentSource, drippingSource) = (NextSource(), NextSource());
        await using var silent = await RawPgClient.ConnectAsync(_gateway.Port, silentSource);
        await using var dripping = await RawPgClient.ConnectAsync(_gateway.Port, drippingSource);
        await silent.WriteAsync([0, 0, 0]);
        var startup = HostileFrames.Startup(("user", "slow"), ("database", "postgres"), ("application_name", new string('s', 200)));
        using var stop = new CancellationTokenSource();
        var drip = Task.Run(async () =>
        {
            // Slowloris: one byte every 250 ms, never enough to finish before the deadline.
            foreach (var b in startup)
            {
                await Task.Delay(250, stop.Token);
                await dripping.WriteAsync([b]);
            }
        });

        var silentEnd = await silent.ReadUntilClosedAsync();
        var drippingEnd = await dripping.ReadUntilClosedAsync();
        await stop.CancelAsync();
        try
        {
            await drip;
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or System.Net.Sockets.SocketException)
        {
            // The drip stops when the gateway closes the socket or the test ends it.
        }

        foreach (var messages in new[] { silentEnd, drippingEnd })
        {
            Assert.That(messages, Has.Count.EqualTo(1), string.Join(", ", messages));
            Assert.That(messages[0].SqlState, Is.EqualTo("08006"));
            Assert.That(messages[0].Text, Does.Contain("not authenticated in time"));
        }
        Assert.That(await _gateway.Log.WaitForAsync("ended: handshake timeout"), Is.Not.Null);
        foreach (var source in new[] { silentSource, drippingSource })
        {
            var refusal = await _gateway.RefusalFromAsync(source);
            Assert.That(refusal?.Payload?["reason"]?.GetValue<string>(), Is.EqualTo("handshake timeout"), $"from {source}");
            Assert.That(refusal!.Payload?["code"]?.GetValue<string>(), Is.EqualTo("08006"));
        }
        await AssertGatewayServesAsync();
    }

    [Test]
    public async Task A_session_sent_one_byte_per_write_works()
    {
        // The main listener: a byte per write takes longer than the hostile listener's 2 s handshake deadline.
        await using var client = await RawPgClient.ConnectAsync(_gateway.Gateway.Port);
        await client.WriteAsync(HostileFrames.SslRequest(), pieceLength: 1);
        await client.StartTlsAfterRequestAsync();
        await client.WriteAsync(HostileFrames.Startup(("user", "agent-007"), ("database", "postgres")), pieceLength: 1);
        Assert.That((await client.ReadMessageAsync())?.Type, Is.EqualTo('R'));
        await client.WriteAsync(WireBytes.Frame('p', new WireBytes().CString(_gateway.Token())), pieceLength: 1);
        var startup = await client.ReadUntilReadyAsync();
        Assert.That(startup.Where(m => m.Type == 'E'), Is.Empty, string.Join(", ", startup));

        await client.WriteAsync([.. HostileFrames.Query("select 40 + 2 as answer"), .. HostileFrames.Parse("", "select $1::int + 1"),
            .. BindText("41"), .. DescribePortal(), .. ExecuteUnnamed(), .. HostileFrames.Sync()], pieceLength: 1);
        var simple = await client.ReadUntilReadyAsync();
        var extended = await client.ReadUntilReadyAsync();

        Assert.That(simple.Where(m => m.Type == 'D').Select(DataRowText), Is.EqualTo(new[] { "42" }));
        Assert.That(extended.Where(m => m.Type == 'D').Select(DataRowText), Is.EqualTo(new[] { "42" }), string.Join(", ", extended));
        Assert.That(simple.Concat(extended).Where(m => m.Type == 'E'), Is.Empty);
    }

    // ---- after authentication --------------------------------------------------------------------------------

    private static IEnumerable<TestCaseData> PostAuthVectors()
    {
        foreach (var length in new uint[] { 0, 3, 0x80000000, 0xFFFFFFFF })
            yield return Vector($"Query declaring length 0x{length:X}", HostileFrames.TypedDeclaring('Q', length), "invalid message length");
        yield return Vector("Query declaring length 4 (no text)", HostileFrames.TypedDeclaring('Q', 4), "no terminator");
        yield return Vector("Query declaring length 0x7FFFFFFF", HostileFrames.TypedDeclaring('Q', 0x7FFFFFFF), "message too large");
        yield return Vector("unknown type byte", WireBytes.Frame('z', [1, 2, 3]), "invalid message type");
        yield return Vector("NUL type byte", WireBytes.Frame('\0', []), "unexpected message type 0x00");
        yield return Vector("NUL type byte declaring length 0", HostileFrames.TypedDeclaring('\0', 0), "message 0x00 declares length 0");
        yield return Vector("Parse without terminators", WireBytes.Frame('P', new WireBytes().Text("stmt")), "no terminator");
        yield return Vector("Parse with a negative type count", WireBytes.Frame('P', new WireBytes().CString("").CString("select 1").Int16(-1)), "invalid count");
        yield return Vector("Parse with more types than bytes", WireBytes.Frame('P', new WireBytes().CString("").CString("select 1").Int16(100)), "message truncated");
        yield return Vector("Parse with trailing bytes", WireBytes.Frame('P', new WireBytes().CString("").CString("select 1").Int16(0).Byte(9)), "trailing bytes");
        yield return Vector("Parse with invalid UTF-8", WireBytes.Frame('P', new WireBytes().CString("").Bytes(0xC3, 0x28, 0).Int16(0)), "UTF-8");
        yield return Vector("Bind with 2 formats for 3 parameters",
            WireBytes.Frame('B', new WireBytes().CString("").CString("").Int16(2).Int16(0).Int16(0).Int16(3).Value("1").Value("2").Value("3").Int16(0)),
            "counts in message disagree");
        yield return Vector("Bind with more parameters than values",
            WireBytes.Frame('B', new WireBytes().CString("").CString("").Int16(0).Int16(5).Value("1").Int16(0)), "message truncated");
        yield return Vector("Bind with format code 7",
            WireBytes.Frame('B', new WireBytes().CString("").CString("").Int16(1).Int16(7).Int16(0).Int16(0)), "format code");
        yield return Vector("Bind with value length -5",
            WireBytes.Frame('B', new WireBytes().CString("").CString("").Int16(0).Int16(1).Int32(-5).Int16(0)), "value length");
        yield return Vector("Bind with a value longer than the message",
            WireBytes.Frame('B', new WireBytes().CString("").CString("").Int16(0).Int16(1).Int32(1_000_000).Text("x").Int16(0)), "message truncated");
        yield return Vector("Execute without max rows", WireBytes.Frame('E', new WireBytes().CString("")), "message truncated");
        yield return Vector("Describe of kind X", WireBytes.Frame('D', new WireBytes().Char('X').CString("")), "invalid field value");
        yield return Vector("Describe without a name", WireBytes.Frame('D', new WireBytes().Char('S')), "no terminator");
        yield return Vector("Describe of kind NUL", WireBytes.Frame('D', new WireBytes().Byte(0).CString("")), "target 0x00");
        yield return Vector("Close without a terminator", WireBytes.Frame('C', new WireBytes().Char('S').Text("abc")), "no terminator");
        yield return Vector("CopyData declaring length 2", HostileFrames.TypedDeclaring('d', 2), "invalid message length");
        yield return Vector("CopyData declaring 2 GiB", HostileFrames.TypedDeclaring('d', 0x7FFFFFFF), "message too large");
        yield return Vector("FunctionCall cut short", WireBytes.Frame('F', new WireBytes().Int32(1234)), "message truncated");
        yield return Vector("Sync with a body", WireBytes.Frame('S', [1]), "trailing bytes");
        yield return Vector("Flush with a body", WireBytes.Frame('H', [1, 2]), "trailing bytes");
        yield return Vector("Terminate with a body", WireBytes.Frame('X', [1]), "trailing bytes");
    }

    private static TestCaseData Vector(string name, byte[] bytes, string violation) =>
        new TestCaseData(bytes, violation).SetArgDisplayNames(name);

    [TestCaseSource(nameof(PostAuthVectors))]
    public async Task A_malformed_message_after_authentication_ends_that_session_with_a_protocol_error_on_record(byte[] bytes, string violation)
    {
        var tag = "hostile-" + Guid.NewGuid().ToString("n")[..8];
        await using var client = await _gateway.AuthenticatedRawAsync(tag);
        await client.WriteAsync(bytes);

        var messages = await client.ReadUntilClosedAsync();
        var records = await _gateway.SessionRecordsAsync(tag);

        var fatal = messages.LastOrDefault(m => m.Type == 'E');
        Assert.That(fatal, Is.Not.Null, $"no error before the close: {string.Join(", ", messages)}");
        Assert.That(fatal!.Severity, Is.EqualTo("FATAL"));
        Assert.That(fatal.SqlState, Is.EqualTo("08P01"));
        Assert.That(fatal.Text, Does.Contain(violation));
        var error = records.SingleOrDefault(r => r.Kind == FrameKinds.Error);
        Assert.That(error, Is.Not.Null, "no frame-log error record for the violation");
        Assert.That(error!.Payload!["code"]!.GetValue<string>(), Is.EqualTo("08P01"));
        Assert.That(error.Payload!["message"]!.GetValue<string>(), Does.Contain(violation));
        Assert.That(records.Single(r => r.Kind == FrameKinds.SessionEnd).Payload!["reason"]!.GetValue<string>(), Does.StartWith("protocol violation"));
        await AssertGatewayServesAsync();
    }

    [Test]
    public async Task A_message_cut_off_by_the_client_closing_is_recorded_and_nothing_runs()
    {
        var tag = "cutoff-" + Guid.NewGuid().ToString("n")[..8];
        await using (var client = await _gateway.AuthenticatedRawAsync(tag))
        {
            var query = HostileFrames.Query("insert into hostile_copy values ('half a message')");
            await client.WriteAsync(query[..^10]);
            client.Socket.Shutdown(System.Net.Sockets.SocketShutdown.Send);
            await client.ReadUntilClosedAsync();
        }

        var records = await _gateway.SessionRecordsAsync(tag);

        Assert.That(records.Where(r => r.Kind == FrameKinds.Command), Is.Empty);
        Assert.That(records.Single(r => r.Kind == FrameKinds.SessionEnd).Payload!["reason"]!.GetValue<string>(), Does.Contain("middle of a message"));
        Assert.That(await _pg.ScalarAsync("select count(*) from hostile_copy where line = 'half a message'"), Is.Zero);
        await AssertGatewayServesAsync();
    }

    [Test]
    public async Task A_lying_CopyData_length_during_COPY_FROM_STDIN_ends_the_session_and_rolls_the_copy_back()
    {
        var tag = "copy-" + Guid.NewGuid().ToString("n")[..8];
        await using var client = await _gateway.AuthenticatedRawAsync(tag);
        await client.WriteAsync(HostileFrames.Query("copy hostile_copy from stdin"));
        Assert.That((await client.ReadMessageAsync())?.Type, Is.EqualTo('G'), "CopyInResponse");
        await client.WriteAsync([.. WireBytes.Frame('d', new WireBytes().Text("copied line\n")), .. HostileFrames.TypedDeclaring('d', 0x7FFFFFFF)]);

        var messages = await client.ReadUntilClosedAsync();

        Assert.That(messages.Last(m => m.Type == 'E').SqlState, Is.EqualTo("08P01"));
        Assert.That((await _gateway.SessionRecordsAsync(tag)).Any(r => r.Kind == FrameKinds.Error), Is.True);
        await AssertGatewayServesAsync();
        Assert.That(await _pg.ScalarAsync("select count(*) from hostile_copy where line = 'copied line'"), Is.Zero,
            "the server aborted the COPY when the gateway dropped its connection");
    }

    /// <summary>The healthy session opened before the attacks still answers, and a new one opens.</summary>
    private async Task AssertGatewayServesAsync()
    {
        await using (var command = new NpgsqlCommand("select 42", _healthy))
            Assert.That(await command.ExecuteScalarAsync(), Is.EqualTo(42), "the concurrent healthy session broke");
        await using var fresh = await _gateway.OpenAsync();
        await using var again = new NpgsqlCommand("select 43", fresh);
        Assert.That(await again.ExecuteScalarAsync(), Is.EqualTo(43), "a new session could not open");
    }

    private static byte[] BindText(string value) =>
        WireBytes.Frame('B', new WireBytes().CString("").CString("").Int16(0).Int16(1).Value(value).Int16(0));

    // Without a Describe the gateway cannot name the result's columns and masks every value (fail closed).
    private static byte[] DescribePortal() => WireBytes.Frame('D', new WireBytes().Char('P').CString(""));

    private static byte[] ExecuteUnnamed() => WireBytes.Frame('E', new WireBytes().CString("").Int32(0));

    private static string DataRowText(BackendMessage row)
    {
        // int16 column count, then int32 length and the bytes of the first column.
        var length = System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(row.Body.AsSpan(2));
        return System.Text.Encoding.UTF8.GetString(row.Body, 6, length);
    }
}
