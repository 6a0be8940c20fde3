using System.Net;

namespace Gateway.Core.Sessions;

/// <summary>
/// Counts a listener's sessions, in total and per source address, and refuses a new one over either cap.
/// A lock rather than lock-free counters: both counts must move together or a burst could pass both caps.
/// </summary>
internal sealed class ConnectionCaps(int maxConnections, int maxConnectionsPerIp)
{
    private readonly Dictionary<IPAddress, int> _perAddress = [];
    private readonly Lock _lock = new();
    private int _total;

    public int Total
    {
        get
        {
            lock (_lock)
                return _total;
        }
    }

    public bool TryAcquire(IPAddress address, out RefusalReason refusal)
    {
        lock (_lock)
        {
            if (_total >= maxConnections)
            {
                refusal = RefusalReason.MaxConnections;
                return false;
            }
            _perAddress.TryGetValue(address, out var fromAddress);
            if (fromAddress >= maxConnectionsPerIp)
            {
                refusal = RefusalReason.MaxConnectionsPerIp;
                return false;
            }
            _perAddress[address] = fromAddress + 1;
            _total++;
            refusal = default;
            return true;
        }
    }

    public void Release(IPAddress address)
    {
        lock (_lock)
        {
            _total--;
            if (_perAddress.TryGetValue(address, out var fromAddress) && fromAddress > 1)
                _perAddress[address] = fromAddress - 1;
            else
                _perAddress.Remove(address);
        }
    }

    /// <summary>The address caps are counted by: an IPv4 client on a dual-stack socket counts as its IPv4 address.</summary>
    public static IPAddress KeyOf(IPAddress address) =>
        address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
}
