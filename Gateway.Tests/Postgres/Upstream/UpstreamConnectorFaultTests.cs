using System.Buffers;
using System.Text;
using Gateway.Core.Config;
using Gateway.Protocols.Postgres.Protocol.Messages;
using Gateway.Protocols.Postgres.Upstream;
using Gateway.Tests.Postgres.Protocol;

namespace Gateway.Tests.Postgres.Upstream;

/// <summary>The connector against a scripted fake server: misbehaviour a real PostgreSQL will not show on demand.</summary>
public sealed class UpstreamConnectorFaultTests
{
    private static readonly Dictionary<string, string> NoExtras = [];

    private static byte[] AuthOk => WireBytes.Frame('R', new WireBytes().Int32(0));
    private static byte[] KeyData => WireBytes.Frame('K', new WireBytes().Int32(42).Int32(7));
    private static byte[] Ready => WireBytes.Frame('Z', new WireBytes().Char('I'));

    [Test]
    public async Task Bytes_after_the_S_answer_to_SSLRequest_are_refused_CVE_2021_3935()
    {
        await using var server = ScriptedPgServer.Start(async peer =>
        {
            await peer.ReadStartupAsync();
            // 'S' followed, in the same packet, by a forged plaintext message.
            await peer.WriteAsync([(byte)'S', .. AuthOk]);
            await peer.WaitForCloseAsync();
        });

        var e = Assert.ThrowsAsync<UpstreamConnectException>(() => ConnectAsync(server, TargetTlsMode.Require))!;

        Assert.That(e.Stage, Is.EqualTo(UpstreamConnectStage.Tls));
        Assert.That(e.Message, Does.Contain("unexpected bytes after its SSL response"));
    }

    [Test]
    public async Task Prefer_falls_back_to_plain_when_the_server_says_N()
    {
        await using var server = ScriptedPgServer.Start(async peer =>
        {
            await peer.ReadStartupAsync();
            await peer.WriteAsync([(byte)'N']);
            var (code, _) = await peer.ReadStartupAsync();
            Assert.That(code, Is.EqualTo(196608));
            await peer.WriteAsync(AuthOk, KeyData, Ready);
            await peer.WaitForCloseAsync();
        });

        await using var connection = await ConnectAsync(server, TargetTlsMode.Prefer);

        Assert.That(connection.IsTls, Is.False);
        Assert.That(connection.ProcessId, Is.EqualTo(42));
        Assert.That(connection.SecretKey, Is.EqualTo(7));
    }

    [TestCase(TargetTlsMode.Require)]
    [TestCase(TargetTlsMode.VerifyFull)]
    public async Task Require_and_verify_full_refuse_a_server_without_TLS(TargetTlsMode mode)
    {
        await using var server = ScriptedPgServer.Start(async peer =>
        {
            await peer.ReadStartupAsync();
            await peer.WriteAsync([(byte)'N']);
            await peer.WaitForCloseAsync();
        });

        var e = Assert.ThrowsAsync<UpstreamConnectException>(() => ConnectAsync(server, mode))!;

        Assert.That(e.Stage, Is.EqualTo(UpstreamConnectStage.Tls));
        Assert.That(e.Message, Does.Contain("does not support TLS"));
    }

    [Test]
    public async Task A_server_offering_only_channel_binding_is_refused()
    {
        await using var server = ScriptedPgServer.Start(async peer =>
        {
            await peer.ReadStartupAsync();
            await peer.WriteAsync(WireBytes.Frame('R', new WireBytes().Int32(10).CString("SCRAM-SHA-256-PLUS").Byte(0)));
            await peer.WaitForCloseAsync();
        });

        var e = Assert.ThrowsAsync<UpstreamConnectException>(() => ConnectAsync(server, TargetTlsMode.Disable))!;

        Assert.That(e.Stage, Is.EqualTo(UpstreamConnectStage.Authentication));
        Assert.That(e.Message, Does.Contain("SCRAM-SHA-256-PLUS"));
    }

    [Test]
    public async Task An_unknown_sasl_mechanism_is_refused()
    {
        await using var server = ScriptedPgServer.Start(async peer =>
        {
            await peer.ReadStartupAsync();
            await peer.WriteAsync(WireBytes.Frame('R', new WireBytes().Int32(10).CString("OAUTHBEARER").Byte(0)));
            await peer.WaitForCloseAsync();
        });

        var e = Assert.ThrowsAsync<UpstreamConnectException>(() => ConnectAsync(server, TargetTlsMode.Disable))!;

        Assert.That(e.Message, Does.Contain("OAUTHBEARER"));
    }

    [Test]
    public async Task A_server_that_skips_SASLFinal_is_refused()
    {
        await using var server = ScriptedPgServer.Start(async peer =>
        {
            await RunScramUntilClientFinalAsync(peer);
            await peer.WriteAsync(AuthOk, KeyData, Ready);
            await peer.WaitForCloseAsync();
        });

        var e = Assert.ThrowsAsync<UpstreamConnectException>(() => ConnectAsync(server, TargetTlsMode.Disable))!;

        Assert.That(e.Stage, Is.EqualTo(UpstreamConnectStage.Authentication));
        Assert.That(e.Message, Does.Contain("before completing SCRAM"));
    }

    [Test]
    public async Task A_server_with_a_forged_signature_is_refused()
    {
        await using var server = ScriptedPgServer.Start(async peer =>
        {
            await RunScramUntilClientFinalAsync(peer);
            var forged = "v=" + Convert.ToBase64String(new byte[32]);
            await peer.WriteAsync(WireBytes.Frame('R', new WireBytes().Int32(12).Text(forged)), AuthOk, KeyData, Ready);
            await peer.WaitForCloseAsync();
        });

        var e = Assert.ThrowsAsync<UpstreamConnectException>(() => ConnectAsync(server, TargetTlsMode.Disable))!;

        Assert.That(e.Stage, Is.EqualTo(UpstreamConnectStage.Authentication));
        Assert.That(e.Message, Does.Contain("server signature does not match"));
    }

    [Test]
    public async Task Gss_authentication_is_refused_as_unsupported()
    {
        await using var server = ScriptedPgServer.Start(async peer =>
        {
            await peer.ReadStartupAsync();
            await peer.WriteAsync(WireBytes.Frame('R', new WireBytes().Int32(7)));
            await peer.WaitForCloseAsync();
        });

        var e = Assert.ThrowsAsync<UpstreamConnectException>(() => ConnectAsync(server, TargetTlsMode.Disable))!;

        Assert.That(e.Stage, Is.EqualTo(UpstreamConnectStage.Authentication));
        Assert.That(e.Message, Does.Contain("Gss"));
    }

    [Test]
    public async Task Parameters_before_authentication_are_a_protocol_error()
    {
        await using var server = ScriptedPgServer.Start(async peer =>
        {
            await peer.ReadStartupAsync();
            await peer.WriteAsync(WireBytes.Frame('S', new WireBytes().CString("a").CString("b")));
            await peer.WaitForCloseAsync();
        });

        var e = Assert.ThrowsAsync<UpstreamConnectException>(() => ConnectAsync(server, TargetTlsMode.Disable))!;

        Assert.That(e.Stage, Is.EqualTo(UpstreamConnectStage.Protocol));
    }

    [Test]
    public async Task An_oversized_message_during_startup_is_a_protocol_error()
    {
        await using var server = ScriptedPgServer.Start(async peer =>
        {
            await peer.ReadStartupAsync();
            await peer.WriteAsync(new WireBytes().Char('E').Int32(0x7FFFFFFF).ToArray());
            await peer.WaitForCloseAsync();
        });

        var e = Assert.ThrowsAsync<UpstreamConnectException>(() => ConnectAsync(server, TargetTlsMode.Disable))!;

        Assert.That(e.Stage, Is.EqualTo(UpstreamConnectStage.Protocol));
        Assert.That(e.Message, Does.Contain("message too large"));
    }

    [Test]
    public async Task A_server_closing_during_startup_is_a_protocol_error()
    {
        await using var server = ScriptedPgServer.Start(async peer =>
        {
            await peer.ReadStartupAsync();
            await peer.WriteAsync(AuthOk);
        });

        var e = Assert.ThrowsAsync<UpstreamConnectException>(() => ConnectAsync(server, TargetTlsMode.Disable))!;

        Assert.That(e.Stage, Is.EqualTo(UpstreamConnectStage.Protocol));
    }

    [Test]
    public async Task Missing_BackendKeyData_is_a_protocol_error()
    {
        await using var server = ScriptedPgServer.Start(async peer =>
        {
            await peer.ReadStartupAsync();
            await peer.WriteAsync(AuthOk, Ready);
            await peer.WaitForCloseAsync();
        });

        var e = Assert.ThrowsAsync<UpstreamConnectException>(() => ConnectAsync(server, TargetTlsMode.Disable))!;

        Assert.That(e.Message, Does.Contain("BackendKeyData"));
    }

    [Test]
    public async Task Bytes_after_ReadyForQuery_stay_in_the_pipe_for_the_session()
    {
        var notice = WireBytes.Frame('N', new WireBytes().Char('M').CString("after ready").Byte(0));
        await using var server = ScriptedPgServer.Start(async peer =>
        {
            await peer.ReadStartupAsync();
            await peer.WriteAsync([.. AuthOk, .. KeyData, .. Ready, .. notice]);
            await peer.WaitForCloseAsync();
        });

        await using var connection = await ConnectAsync(server, TargetTlsMode.Disable);
        var read = await connection.Transport.Input.ReadAsync();
        var pending = read.Buffer.ToArray();
        connection.Transport.Input.AdvanceTo(read.Buffer.End);

        Assert.That(pending, Is.EqualTo(notice));
    }

    private static async Task RunScramUntilClientFinalAsync(ScriptedPgServer.Peer peer)
    {
        await peer.ReadStartupAsync();
        await peer.WriteAsync(WireBytes.Frame('R', new WireBytes().Int32(10).CString("SCRAM-SHA-256").Byte(0)));
        var (_, initialBody) = await peer.ReadMessageAsync();
        var initial = SaslInitialResponse.Decode(new ReadOnlySequence<byte>(initialBody));
        var clientFirst = Encoding.ASCII.GetString(initial.Data.Bytes.ToArray());
        var nonce = clientFirst[(clientFirst.IndexOf("r=", StringComparison.Ordinal) + 2)..];
        await peer.WriteAsync(WireBytes.Frame('R', new WireBytes().Int32(11).Text($"r={nonce}server,s={Convert.ToBase64String(new byte[16])},i=4096")));
        await peer.ReadMessageAsync();
    }

    private static Task<UpstreamConnection> ConnectAsync(ScriptedPgServer server, TargetTlsMode tls) =>
        UpstreamConnector.ConnectAsync(
            new TargetConfig { Host = "127.0.0.1", Port = server.Port, Tls = tls, ConnectTimeout = TimeSpan.FromSeconds(15) },
            "user", "db", NoExtras, "password", CancellationToken.None);
}
