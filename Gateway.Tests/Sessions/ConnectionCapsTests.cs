using System.Net;
using Gateway.Core.Sessions;

namespace Gateway.Tests.Sessions;

public sealed class ConnectionCapsTests
{
    private static readonly IPAddress A = IPAddress.Parse("10.0.0.1");
    private static readonly IPAddress B = IPAddress.Parse("10.0.0.2");

    [Test]
    public void Per_address_cap_is_counted_per_address()
    {
        var caps = new ConnectionCaps(maxConnections: 10, maxConnectionsPerIp: 2);
        Assert.That(caps.TryAcquire(A, out _), Is.True);
        Assert.That(caps.TryAcquire(A, out _), Is.True);
        Assert.That(caps.TryAcquire(A, out var refusal), Is.False);
        Assert.That(refusal, Is.EqualTo(RefusalReason.MaxConnectionsPerIp));
        Assert.That(caps.TryAcquire(B, out _), Is.True);

        caps.Release(A);
        Assert.That(caps.TryAcquire(A, out _), Is.True);
        Assert.That(caps.Total, Is.EqualTo(3));
    }

    [Test]
    public void Listener_cap_wins_over_the_address_cap()
    {
        var caps = new ConnectionCaps(maxConnections: 2, maxConnectionsPerIp: 5);
        Assert.That(caps.TryAcquire(A, out _), Is.True);
        Assert.That(caps.TryAcquire(B, out _), Is.True);
        Assert.That(caps.TryAcquire(IPAddress.Parse("10.0.0.3"), out var refusal), Is.False);
        Assert.That(refusal, Is.EqualTo(RefusalReason.MaxConnections));

        caps.Release(B);
        caps.Release(A);
        Assert.That(caps.Total, Is.Zero);
    }

    [Test]
    public void An_ipv4_client_on_a_dual_stack_socket_counts_as_its_ipv4_address()
    {
        Assert.That(ConnectionCaps.KeyOf(IPAddress.Parse("::ffff:10.0.0.1")), Is.EqualTo(A));
        Assert.That(ConnectionCaps.KeyOf(IPAddress.IPv6Loopback), Is.EqualTo(IPAddress.IPv6Loopback));
    }
}
