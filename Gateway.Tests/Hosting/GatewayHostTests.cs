using System.Net;
using System.Net.Sockets;
using Gateway.Core.Config;
using Gateway.Core.Diagnostics;
using Gateway.Core.Sessions;
using Gateway.Host.Hosting;
using Gateway.Tests.Sessions;

namespace Gateway.Tests.Hosting;

/// <summary>Starting, draining and stopping the whole gateway over real sockets.</summary>
public sealed class GatewayHostTests
{
    private string _stateDir = "";

    [SetUp]
    public void CreateStateDir() => _stateDir = TestGateway.TempDirectory();

    [TearDown]
    public void DeleteStateDir() => Directory.Delete(_stateDir, recursive: true);

    [Test]
    public async Task Shutdown_lets_an_in_flight_session_finish_refuses_new_connections_and_stops()
    {
        var listener = TestGateway.Listener("drain");
        listener.ShutdownTimeout = TimeSpan.FromMinutes(1);
        var config = TestGateway.Config(_stateDir, listener);
        var handler = new WorkHandler();
        var host = new GatewayHost(config, TestGateway.Services(config), [handler], []);
        var steps = new List<string>();
        host.OnStopped(() => { steps.Add("flush frame log"); return Task.CompletedTask; });
        await host.StartAsync();
        var endPoint = host.Listeners[0].LocalEndPoint!;

        await using var client = await LineClient.ConnectAsync(endPoint);
        await client.SendAsync("work");
        await handler.WorkStarted.Task.WaitAsync(LineClient.Patience);

        var stopping = host.StopAsync();
        Assert.That(host.IsDraining, Is.True);
        var refused = Assert.ThrowsAsync<SocketException>(() => LineClient.ConnectAsync(endPoint));
        Assert.That(refused!.SocketErrorCode, Is.EqualTo(SocketError.ConnectionRefused), "new connections are refused while draining");
        Assert.That(stopping.IsCompleted, Is.False, "the host waits for the session's command");
        Assert.That(steps, Is.Empty, "shutdown steps run after sessions end");

        handler.ReleaseWork.SetResult();
        Assert.That(await client.ReadLineAsync(), Is.EqualTo("done"), "the in-flight command completes after shutdown started");
        Assert.That(await client.WaitForServerCloseAsync(), Is.True);

        Assert.That(await stopping.WaitAsync(LineClient.Patience), Is.True);
        Assert.That(handler.SawDraining, Is.True);
        Assert.That(handler.WasAborted, Is.False, "a session that finished within shutdown_timeout is not aborted");
        Assert.That(steps, Is.EqualTo(new[] { "flush frame log" }));
        Assert.That(host.StopAsync(), Is.SameAs(stopping), "stopping is idempotent");
    }

    [Test]
    public async Task Sessions_still_running_at_shutdown_timeout_are_aborted()
    {
        var listener = TestGateway.Listener("stubborn");
        listener.ShutdownTimeout = TimeSpan.FromMilliseconds(200);
        var config = TestGateway.Config(_stateDir, listener);
        var handler = new WorkHandler { IgnoresDraining = true };
        var host = new GatewayHost(config, TestGateway.Services(config), [handler], []);
        var stepRan = false;
        host.OnStopped(() => { stepRan = true; return Task.CompletedTask; });
        await host.StartAsync();

        await using var client = await LineClient.ConnectAsync(host.Listeners[0].LocalEndPoint!);
        await client.SendAsync("work");
        await handler.WorkStarted.Task.WaitAsync(LineClient.Patience);
        handler.ReleaseWork.SetResult();
        Assert.That(await client.ReadLineAsync(), Is.EqualTo("done"));

        Assert.That(await host.StopAsync().WaitAsync(LineClient.Patience), Is.True);
        Assert.That(handler.WasAborted, Is.True);
        Assert.That(await client.WaitForServerCloseAsync(), Is.True);
        Assert.That(stepRan, Is.True);
    }

    [Test]
    public void A_bind_failure_stops_the_listeners_already_started_and_names_the_listener()
    {
        using var occupant = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        occupant.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        occupant.Listen();
        var good = TestGateway.Listener("good");
        var clash = TestGateway.Listener("clash");
        clash.Bind = $"127.0.0.1:{((IPEndPoint)occupant.LocalEndPoint!).Port}";
        var config = TestGateway.Config(_stateDir, good, clash);
        var host = new GatewayHost(config, TestGateway.Services(config), [new EchoHandler()], []);

        var error = Assert.ThrowsAsync<GatewayStartException>(() => host.StartAsync());
        Assert.That(error!.Message, Does.StartWith("listener clash: cannot bind 127.0.0.1:"));
        Assert.That(host.Listeners, Is.Empty, "the listener that did start was stopped again");
    }

    [Test]
    public async Task A_listener_without_a_handler_for_its_protocol_fails_start()
    {
        var listener = TestGateway.Listener("orphan");
        listener.Protocol = "mysql";
        var config = TestGateway.Config(_stateDir, listener);
        await using var host = new GatewayHost(config, TestGateway.Services(config), [new EchoHandler()], []);

        var error = Assert.ThrowsAsync<GatewayStartException>(() => host.StartAsync());
        Assert.That(error!.Message, Is.EqualTo("listener orphan: no handler for protocol mysql"));
    }

    [Test]
    public async Task RunAsync_serves_until_cancelled_then_drains_and_runs_the_stop_step()
    {
        var listener = TestGateway.Listener("run");
        listener.Bind = $"127.0.0.1:{FreePort()}";
        var config = TestGateway.Config(_stateDir, listener);
        using var stop = new CancellationTokenSource();
        var stepRan = false;

        var run = GatewayHost.RunAsync(config, TestGateway.Services(config), [new EchoHandler()], [],
            () => { stepRan = true; return Task.CompletedTask; }, stop.Token);
        await using (var client = await ConnectWhenListeningAsync(listener.Bind))
            Assert.That(await client.EchoAsync("running"), Is.EqualTo("running"));
        await stop.CancelAsync();

        Assert.That(await run.WaitAsync(LineClient.Patience), Is.EqualTo(0));
        Assert.That(stepRan, Is.True);
    }

    [Test]
    public async Task RunAsync_returns_the_runtime_error_code_when_a_listener_cannot_bind()
    {
        using var occupant = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        occupant.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        occupant.Listen();
        var listener = TestGateway.Listener("clash");
        listener.Bind = $"127.0.0.1:{((IPEndPoint)occupant.LocalEndPoint!).Port}";
        var config = TestGateway.Config(_stateDir, listener);
        var stepRan = false;

        var code = await GatewayHost.RunAsync(config, TestGateway.Services(config), [new EchoHandler()], [],
            () => { stepRan = true; return Task.CompletedTask; });

        Assert.That(code, Is.EqualTo(3));
        Assert.That(stepRan, Is.True, "the stop step (frame-log flush) runs even when start failed");
    }

    internal static int FreePort()
    {
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)probe.LocalEndPoint!).Port;
    }

    /// <summary>RunAsync does not say when it is listening: retry connecting until it is (bounded).</summary>
    private static async Task<LineClient> ConnectWhenListeningAsync(string bind)
    {
        var endPoint = IPEndPoint.Parse(bind);
        var deadline = DateTime.UtcNow + LineClient.Patience;
        while (true)
        {
            try
            {
                return await LineClient.ConnectAsync(endPoint);
            }
            catch (SocketException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(20);
            }
        }
    }
}
