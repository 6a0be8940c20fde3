using System.Collections.Concurrent;
using System.Security.Cryptography;
using Gateway.Core.Config;
using Gateway.Protocols.Postgres.Upstream;

namespace Gateway.Protocols.Postgres.Session;

/// <summary>
/// The BackendKeyData the gateway hands each client is its own: a CancelRequest carrying it is mapped to the
/// upstream server's key, so clients never learn (and cannot forge) the upstream's process id and secret.
/// A cancel for an unknown key does nothing, exactly as PostgreSQL does.
/// </summary>
public sealed class CancelKeyRegistry
{
    private readonly ConcurrentDictionary<(int ProcessId, int SecretKey), UpstreamCancelTarget> _keys = new();

    /// <summary>Issues a fresh client-facing key for an upstream session.</summary>
    public (int ProcessId, int SecretKey) Register(UpstreamCancelTarget upstream)
    {
        while (true)
        {
            // Random pid and secret: a client guessing another session's key faces 2^62 possibilities.
            var key = (RandomNumberGenerator.GetInt32(1, int.MaxValue), RandomNumberGenerator.GetInt32(int.MinValue, int.MaxValue));
            if (_keys.TryAdd(key, upstream))
                return key;
        }
    }

    public void Unregister((int ProcessId, int SecretKey) key) => _keys.TryRemove(key, out _);

    public bool TryResolve(int processId, int secretKey, out UpstreamCancelTarget upstream) =>
        _keys.TryGetValue((processId, secretKey), out upstream!);

    public int Count => _keys.Count;
}

/// <summary>
/// Where and how to deliver a mapped cancel: the listener's target and the upstream session, as held by one client
/// session (its <paramref name="Lease"/>; a reused upstream is held by one client after another).
/// </summary>
public sealed record UpstreamCancelTarget(TargetConfig Target, UpstreamConnection Upstream, int Lease, string SessionId)
{
    public int ProcessId => Upstream.ProcessId;

    /// <summary>The upstream's cancel key. A secret for the backend's lifetime: never log it.</summary>
    public int SecretKey => Upstream.SecretKey;
}
