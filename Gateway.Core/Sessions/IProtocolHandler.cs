namespace Gateway.Core.Sessions;

/// <summary>
/// A protocol's side of a session (PostgreSQL, later MySQL and the Kubernetes API). The listener accepts the
/// socket, enforces connection caps, and hands the connection here; the handler owns it until it returns.
/// A handler must never throw for a client's or target's misbehaviour: it reports through
/// <see cref="ClientConnection"/> and returns, so one session's failure never touches another.
/// </summary>
public interface IProtocolHandler
{
    /// <summary>The listener <c>protocol</c> value this handler serves, e.g. <c>postgres</c>.</summary>
    string Protocol { get; }

    Task RunAsync(ClientConnection connection, CancellationToken cancellationToken);
}
