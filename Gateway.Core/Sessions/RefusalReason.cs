namespace Gateway.Core.Sessions;

/// <summary>Why the listener closed a connection at accept, before any protocol handler owned it.</summary>
public enum RefusalReason
{
    /// <summary>The listener already holds <c>max_connections</c> sessions.</summary>
    MaxConnections = 0,

    /// <summary>The source address already holds <c>max_connections_per_ip</c> sessions.</summary>
    MaxConnectionsPerIp = 1,

    /// <summary>The gateway is shutting down.</summary>
    Draining = 2,
}
