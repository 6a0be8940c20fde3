using System.IO.Pipelines;

namespace Gateway.Core.Sessions;

/// <summary>
/// Optionally implemented by an <see cref="IProtocolHandler"/> that can tell a refused client why, in its own
/// protocol (PostgreSQL: <c>53300 too_many_connections</c>). Best effort: the listener gives it a short
/// timeout (<see cref="ListenerOptions.RefusalTimeout"/>) and closes the socket whatever happens. The pipe is
/// plain text even on TLS listeners: a refused client gets no TLS handshake.
/// </summary>
public interface IConnectionRefusal
{
    /// <param name="pipe">The refused client's socket.</param>
    /// <param name="reason">A sentence for the client, e.g. <c>too many connections from 10.0.0.7 (max_connections_per_ip 256)</c>.</param>
    ValueTask RefuseAsync(IDuplexPipe pipe, string reason);
}
