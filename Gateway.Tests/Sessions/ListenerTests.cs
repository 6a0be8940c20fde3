using System.Net;
using System.Net.Sockets;
using Gateway.Core.Config;
using Gateway.Core.Sessions;

namespace Gateway.Tests.Sessions;

/// <summary>The listener over real loopback sockets: concurrency, caps, handshake deadline, failure isolation.</summary>
public sealed class ListenerTests
{
    private readonly List<Listener> _listeners = [];
    private string _stateDir = "";

    [SetUp]
    public void CreateStateDir() => _stateDir = TestGateway.TempDirectory();

    [TearDown]
    public async Task StopListeners()
    {
        foreach (var listener in _listeners)
            await listener.DisposeAsync();
        _listeners.Clear();
        Directory.Delete(_stateDir, recursive: true);
    }

    [Test]
    public async Task Two_listeners_serve_concurrently()
    {
        var (first, _) = Start(TestGateway.Listener("first"));
        var (second, _) = Start(TestGateway.Listener("second"));
        Assert.That(first.LocalEndPoint!.Port, Is.Not.EqualTo(second.LocalEndPoint!.Port));

        var clients = new List<LineClient>();
        try
        {
            for (var i = 0; i < 4; i++)
            {
                clients.Add(await LineClient.ConnectAsync(first.LocalEndPoint!));
                clients.Add(await LineClient.ConnectAsync(second.LocalEndPoint!));
            }
            var echoes = await Task.WhenAll(clients.Select((client, i) => client.EchoAsync($"hello {i}")));
            Assert.That(echoes, Is.EqualTo(Enumerable.Range(0, clients.Count).Select(i => $"hello {i}")));

            var ids = await Task.WhenAll(clients.Select(client => client.EchoAsync("id")));
            Assert.That(ids.Distinct().Count(), Is.EqualTo(clients.Count), "every session has its own id");
            Assert.That(ids.Select(id => Guid.Parse(id!).Version), Is.All.EqualTo(7), "session ids are UUIDv7");
            Assert.That(first.ActiveSessions, Is.EqualTo(4));
            Assert.That(second.ActiveSessions, Is.EqualTo(4));
        }
        finally
        {
            foreach (var client in clients)
                await client.DisposeAsync();
        }
    }

    [Test]
    public async Task Per_ip_cap_refuses_the_extra_connection_while_existing_ones_keep_working()
    {
        var config = TestGateway.Listener("capped");
        config.MaxConnectionsPerIp = 2;
        var (listener, services) = Start(config);

        await using var one = await LineClient.ConnectAsync(listener.LocalEndPoint!);
        await using var two = await LineClient.ConnectAsync(listener.LocalEndPoint!);
        Assert.That(await one.EchoAsync("1"), Is.EqualTo("1"));
        Assert.That(await two.EchoAsync("2"), Is.EqualTo("2"));

        await using var three = await LineClient.ConnectAsync(listener.LocalEndPoint!);
        Assert.That(await three.WaitForServerCloseAsync(), Is.True, "the third connection from one address is closed");

        // Another address is under its own cap.
        await using var other = await LineClient.ConnectAsync(listener.LocalEndPoint!, IPAddress.Parse("127.0.0.2"));
        Assert.That(await other.EchoAsync("other"), Is.EqualTo("other"));

        Assert.That(await one.EchoAsync("still 1"), Is.EqualTo("still 1"));
        Assert.That(await two.EchoAsync("still 2"), Is.EqualTo("still 2"));
        Assert.That(services.Metrics.For("capped").RefusedCount((int)RefusalReason.MaxConnectionsPerIp), Is.EqualTo(1));
    }

    [Test]
    public async Task Listener_cap_refuses_across_addresses_and_a_released_slot_is_reused()
    {
        var config = TestGateway.Listener("full");
        config.MaxConnections = 2;
        var (listener, services) = Start(config);

        await using var one = await LineClient.ConnectAsync(listener.LocalEndPoint!, IPAddress.Parse("127.0.0.2"));
        var two = await LineClient.ConnectAsync(listener.LocalEndPoint!, IPAddress.Parse("127.0.0.3"));
        Assert.That(await one.EchoAsync("1"), Is.EqualTo("1"));
        Assert.That(await two.EchoAsync("2"), Is.EqualTo("2"));

        await using (var three = await LineClient.ConnectAsync(listener.LocalEndPoint!, IPAddress.Parse("127.0.0.4")))
            Assert.That(await three.WaitForServerCloseAsync(), Is.True, "a third connection exceeds max_connections");
        Assert.That(await one.EchoAsync("still 1"), Is.EqualTo("still 1"));
        Assert.That(services.Metrics.For("full").RefusedCount((int)RefusalReason.MaxConnections), Is.EqualTo(1));

        await two.DisposeAsync();
        await WaitUntilAsync(() => listener.ActiveSessions == 1);
        await using var four = await LineClient.ConnectAsync(listener.LocalEndPoint!, IPAddress.Parse("127.0.0.4"));
        Assert.That(await four.EchoAsync("4"), Is.EqualTo("4"), "the slot of a closed session is free again");
    }

    [Test]
    public async Task A_refused_client_is_told_why_by_the_protocol_handler()
    {
        var config = TestGateway.Listener("polite");
        config.MaxConnectionsPerIp = 1;
        var (listener, _) = Start(config, new RefusingEchoHandler());

        await using var one = await LineClient.ConnectAsync(listener.LocalEndPoint!);
        Assert.That(await one.EchoAsync("1"), Is.EqualTo("1"));

        await using var two = await LineClient.ConnectAsync(listener.LocalEndPoint!);
        Assert.That(await two.ReadLineAsync(),
            Is.EqualTo("refused: too many connections from 127.0.0.1 (max_connections_per_ip 1)"));
        Assert.That(await two.WaitForServerCloseAsync(), Is.True);
        Assert.That(await one.EchoAsync("still 1"), Is.EqualTo("still 1"));
    }

    [Test]
    public async Task Handshake_timeout_closes_a_silent_client_but_not_an_authenticated_one()
    {
        var config = TestGateway.Listener("impatient");
        config.HandshakeTimeout = TimeSpan.FromMilliseconds(300);
        var (listener, services) = Start(config, options: new ListenerOptions { HandshakeGrace = TimeSpan.FromMilliseconds(100) });

        await using var talker = await LineClient.ConnectAsync(listener.LocalEndPoint!);
        Assert.That(await talker.EchoAsync("authenticate me"), Is.EqualTo("authenticate me"));

        // Accepted after the talker, so by the time it is closed the talker's deadline has passed too.
        await using var silent = await LineClient.ConnectAsync(listener.LocalEndPoint!);
        Assert.That(await silent.WaitForServerCloseAsync(), Is.True, "a client that never authenticates is closed");

        Assert.That(await talker.EchoAsync("still here"), Is.EqualTo("still here"));
        Assert.That(services.Metrics.For("impatient").HandshakeTimeouts, Is.EqualTo(1));
        await WaitUntilAsync(() => listener.ActiveSessions == 1);
    }

    [Test]
    public async Task A_client_that_never_starts_tls_is_closed_at_the_deadline_without_a_handler_failure()
    {
        var config = TestGateway.Listener("tls-impatient", ListenerTlsConfig.Auto);
        config.HandshakeTimeout = TimeSpan.FromMilliseconds(200);
        var (listener, services) = Start(config, options: new ListenerOptions { HandshakeGrace = TimeSpan.FromSeconds(30) });

        await using var silent = await LineClient.ConnectAsync(listener.LocalEndPoint!);
        // The grace is long, so only the handler honouring the deadline (through UpgradeToTlsAsync) can close this early.
        Assert.That(await silent.WaitForServerCloseAsync(), Is.True);
        await WaitUntilAsync(() => listener.ActiveSessions == 0);
        var metrics = services.Metrics.For("tls-impatient");
        Assert.That(metrics.HandshakeTimeouts, Is.EqualTo(1));
        Assert.That(metrics.Failed, Is.Zero);
    }

    [Test]
    public async Task A_handler_that_throws_does_not_affect_a_concurrent_session()
    {
        var (listener, services) = Start(TestGateway.Listener("isolated"));

        await using var healthy = await LineClient.ConnectAsync(listener.LocalEndPoint!);
        await using var doomed = await LineClient.ConnectAsync(listener.LocalEndPoint!);
        Assert.That(await healthy.EchoAsync("before"), Is.EqualTo("before"));
        Assert.That(await doomed.EchoAsync("before"), Is.EqualTo("before"));

        await doomed.SendAsync("boom");
        Assert.That(await doomed.WaitForServerCloseAsync(), Is.True, "the failed session's socket is closed");

        Assert.That(await healthy.EchoAsync("after"), Is.EqualTo("after"));
        await using var newcomer = await LineClient.ConnectAsync(listener.LocalEndPoint!);
        Assert.That(await newcomer.EchoAsync("new"), Is.EqualTo("new"), "the listener still accepts");

        await WaitUntilAsync(() => listener.ActiveSessions == 2);
        Assert.That(services.Metrics.For("isolated").Failed, Is.EqualTo(1));
    }

    [Test]
    public void A_bind_failure_names_the_listener()
    {
        using var occupant = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        occupant.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        occupant.Listen();
        var config = TestGateway.Listener("clash");
        config.Bind = $"127.0.0.1:{((IPEndPoint)occupant.LocalEndPoint!).Port}";
        var services = TestGateway.Services(TestGateway.Config(_stateDir, config));
        var listener = new Listener(config, new EchoHandler(), services);

        var error = Assert.Throws<ListenerStartException>(listener.Start);
        Assert.That(error!.Message, Does.StartWith("listener clash: cannot bind 127.0.0.1:"));
        Assert.That(error.Listener, Is.EqualTo("clash"));
    }

    private (Listener Listener, GatewayServices Services) Start(
        ListenerConfig config, IProtocolHandler? handler = null, ListenerOptions? options = null)
    {
        var services = TestGateway.Services(TestGateway.Config(_stateDir, config));
        var listener = new Listener(config, handler ?? new EchoHandler(), services, options);
        listener.Start();
        _listeners.Add(listener);
        return (listener, services);
    }

    /// <summary>Waits for server-side bookkeeping that follows a client-visible event (e.g. a session's cleanup after its socket closed).</summary>
    internal static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + LineClient.Patience;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
                Assert.Fail("condition not reached");
            await Task.Delay(10);
        }
    }
}
