using System.Net;
using Gateway.Core.Diagnostics;
using Gateway.Core.Policy;
using Gateway.Core.Sessions;
using Gateway.Host.Hosting;
using Gateway.Tests.Sessions;

namespace Gateway.Tests.Hosting;

/// <summary><c>/healthz</c> and <c>/metrics</c> over real HTTP from a started gateway.</summary>
#pragma warning disable CA1001 // disposed by [TearDown]
public sealed class AdminEndpointTests
#pragma warning restore CA1001
{
    private string _stateDir = "";
    private GatewayHost _host = null!;
    private GatewayServices _services = null!;
    private StubPolicySource _rules = null!;
    private Contributor _frameLog = null!;
    private HttpClient _http = null!;

    [SetUp]
    public async Task StartGateway()
    {
        _stateDir = TestGateway.TempDirectory();
        var config = TestGateway.Config(_stateDir, TestGateway.Listener("pg"));
        config.Admin.Bind = "127.0.0.1:0";
        _rules = new StubPolicySource();
        _frameLog = new Contributor("frame_log");
        _services = TestGateway.Services(config, rules: _rules);
        _host = new GatewayHost(config, _services, [new EchoHandler()], [_frameLog]);
        await _host.StartAsync();
        _http = new HttpClient { BaseAddress = new Uri($"http://{_host.AdminEndPoint}"), Timeout = LineClient.Patience };
    }

    [TearDown]
    public async Task StopGateway()
    {
        _http.Dispose();
        await _host.DisposeAsync();
        Directory.Delete(_stateDir, recursive: true);
    }

    [Test]
    public async Task Healthz_is_ok_while_everything_is_healthy()
    {
        Assert.That(_host.AdminEndPoint!.Port, Is.Not.Zero);
        using var response = await _http.GetAsync("/healthz");
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await response.Content.ReadAsStringAsync(), Is.EqualTo("ok\n"));
    }

    [Test]
    public async Task Healthz_answers_503_with_every_reason()
    {
        _frameLog.Healthy = false;
        _frameLog.Detail = "disk full: /var/lib/gateway";
        _rules.IsHealthy = false;
        _rules.LastError = "rules.yaml:3: unknown key 'alow'";

        using var response = await _http.GetAsync("/healthz");
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
        var lines = (await response.Content.ReadAsStringAsync()).TrimEnd('\n').Split('\n');
        Assert.That(lines, Is.EquivalentTo(new[]
        {
            "frame_log: disk full: /var/lib/gateway",
            "rules:pg: rule reload failed, previous rules still in force: rules.yaml:3: unknown key 'alow'",
        }));

        _frameLog.Healthy = true;
        _rules.IsHealthy = true;
        using var recovered = await _http.GetAsync("/healthz");
        Assert.That(recovered.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task Metrics_expose_connections_sessions_and_commands_in_prometheus_text()
    {
        await using (var client = await LineClient.ConnectAsync(_host.Listeners[0].LocalEndPoint!))
        {
            Assert.That(await client.EchoAsync("hi"), Is.EqualTo("hi"));
        }
        // What a protocol handler and the frame log report.
        var pg = _services.Metrics.For("pg");
        pg.CommandDecided(DecisionAction.Deny);
        pg.CommandDecided(DecisionAction.Deny);
        pg.CommandDecided(DecisionAction.Allow);
        pg.UpstreamSessionStarted(reused: false);
        pg.UpstreamSessionStarted(reused: true);
        pg.UpstreamSessionStarted(reused: true);
        _services.Metrics.FrameLogRecordWritten();
        await ListenerTests.WaitUntilAsync(() => _host.Listeners[0].ActiveSessions == 0);

        using var response = await _http.GetAsync("/metrics");
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(response.Content.Headers.ContentType!.ToString(), Does.StartWith("text/plain; version=0.0.4"));
        var text = await response.Content.ReadAsStringAsync();
        Assert.That(text, Does.Contain("# TYPE gateway_connections_accepted_total counter\n"));
        Assert.That(text, Does.Contain("gateway_connections_accepted_total{listener=\"pg\"} 1\n"));
        Assert.That(text, Does.Contain("# TYPE gateway_sessions_active gauge\n"));
        Assert.That(text, Does.Contain("gateway_sessions_active{listener=\"pg\"} 0\n"));
        Assert.That(text, Does.Contain("gateway_commands_total{decision=\"allow\",listener=\"pg\"} 1\n"));
        Assert.That(text, Does.Contain("gateway_commands_total{decision=\"deny\",listener=\"pg\"} 2\n"));
        Assert.That(text, Does.Contain("gateway_frame_log_records_total 1\n"));
        Assert.That(text, Does.Contain("gateway_upstream_sessions_total{listener=\"pg\",origin=\"opened\"} 1\n"));
        Assert.That(text, Does.Contain("gateway_upstream_sessions_total{listener=\"pg\",origin=\"reused\"} 2\n"));
        Assert.That(text, Does.Contain("# HELP gateway_connections_refused_total Client connections closed at accept, by reason\n"));
    }

    private sealed class Contributor(string name) : IHealthContributor
    {
        public string Name => name;
        public bool Healthy { get; set; } = true;
        public string? Detail { get; set; }
    }
}
