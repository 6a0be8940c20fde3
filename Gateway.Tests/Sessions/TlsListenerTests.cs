using System.Buffers;
using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Gateway.Core.Config;
using Gateway.Core.Sessions;
using Gateway.Core.Tls;
using Pipelines.Sockets.Unofficial;

namespace Gateway.Tests.Sessions;

/// <summary>TLS end to end over real sockets: a listener with <c>tls: auto</c> and clients on both APIs.</summary>
#pragma warning disable CA1001 // the listener is disposed by [TearDown]
public sealed class TlsListenerTests
#pragma warning restore CA1001
{
    private string _stateDir = "";
    private Listener _listener = null!;
    private GatewayServices _services = null!;

    [SetUp]
    public void StartTlsListener()
    {
        _stateDir = TestGateway.TempDirectory();
        var config = TestGateway.Listener("secure", ListenerTlsConfig.Auto);
        _services = TestGateway.Services(TestGateway.Config(_stateDir, config));
        _listener = new Listener(config, new EchoHandler(), _services);
        _listener.Start();
    }

    [TearDown]
    public async Task Stop()
    {
        await _listener.DisposeAsync();
        Directory.Delete(_stateDir, recursive: true);
    }

    private string CertificatePath => TlsCertificates.AutoPaths(_stateDir, "secure").Certificate;

    [Test]
    public async Task A_client_completes_a_handshake_with_the_generated_certificate_and_echoes_through_it()
    {
        using var stored = X509CertificateLoader.LoadCertificateFromFile(CertificatePath);
        X509Certificate? presented = null;

        await using var client = await LineClient.ConnectAsync(_listener.LocalEndPoint!);
        await client.StartTlsAsync((_, certificate, _, _) =>
        {
            presented = certificate;
            return certificate is not null && certificate.GetCertHash().AsSpan().SequenceEqual(stored.GetCertHash());
        });

        Assert.That(client.Tls!.SslProtocol, Is.EqualTo(SslProtocols.Tls13).Or.EqualTo(SslProtocols.Tls12));
        Assert.That(await client.EchoAsync("over tls"), Is.EqualTo("over tls"));
        Assert.That(await client.EchoAsync(new string('x', 100_000)), Has.Length.EqualTo(100_000), "a message larger than a TLS record");
        Assert.That(presented, Is.Not.Null);
    }

    [Test]
    public async Task Upstream_verify_full_trusts_the_ca_file_and_checks_the_host_name()
    {
        Assert.That(await EchoThroughClientTlsAsync("localhost", TargetTlsMode.VerifyFull, CertificatePath), Is.EqualTo("verified"));
        Assert.ThrowsAsync<AuthenticationException>(() =>
            EchoThroughClientTlsAsync("db.example.com", TargetTlsMode.VerifyFull, CertificatePath));
    }

    [Test]
    public void Upstream_verify_full_without_a_ca_file_rejects_a_self_signed_server()
    {
        Assert.ThrowsAsync<AuthenticationException>(() =>
            EchoThroughClientTlsAsync("localhost", TargetTlsMode.VerifyFull, caFile: null));
    }

    [Test]
    public async Task Upstream_require_encrypts_without_verifying()
    {
        Assert.That(await EchoThroughClientTlsAsync("db.example.com", TargetTlsMode.Require, caFile: null), Is.EqualTo("verified"));
    }

    [Test]
    public async Task Plaintext_to_a_tls_listener_fails_the_handshake_and_is_counted_as_a_client_error()
    {
        await using (var client = await LineClient.ConnectAsync(_listener.LocalEndPoint!))
        {
            await client.SendAsync("GET / HTTP/1.0\r\n");
            Assert.That(await client.WaitForServerCloseAsync(), Is.True);
        }
        await ListenerTests.WaitUntilAsync(() => _listener.ActiveSessions == 0);
        var metrics = _services.Metrics.For("secure");
        Assert.That(metrics.TlsFailures, Is.EqualTo(1));
        Assert.That(metrics.Failed, Is.Zero, "a client's bad handshake is not a handler failure");
    }

    /// <summary>Connects with the gateway's own upstream TLS client (pipes both sides) and echoes one line.</summary>
    private async Task<string> EchoThroughClientTlsAsync(string host, TargetTlsMode mode, string? caFile)
    {
        using var socket = await SocketConnection.ConnectAsync(_listener.LocalEndPoint!);
        using var timeout = new CancellationTokenSource(LineClient.Patience);
        await using var tls = await TlsPipe.AuthenticateAsClientAsync(socket, host, mode, caFile, timeout.Token);
        await tls.Output.WriteAsync(Encoding.UTF8.GetBytes("verified\n"), timeout.Token);
        while (true)
        {
            var result = await tls.Input.ReadAsync(timeout.Token);
            var line = result.Buffer.PositionOf((byte)'\n');
            if (line is not null)
                return Encoding.UTF8.GetString(result.Buffer.Slice(0, line.Value));
            tls.Input.AdvanceTo(result.Buffer.Start, result.Buffer.End);
            if (result.IsCompleted)
                return "";
        }
    }
}
