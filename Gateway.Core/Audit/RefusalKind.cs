namespace Gateway.Core.Audit;

/// <summary>Why a connection was refused before identification: the <c>kind</c> of a <c>connection_refused</c> record.</summary>
public enum RefusalKind
{
    /// <summary>The token (the client's only credential) was refused.</summary>
    TokenRefused,

    /// <summary>The client broke the wire protocol, or its TLS handshake failed.</summary>
    ProtocolViolation,

    /// <summary>The client did not authenticate within the listener's <c>handshake_timeout</c>.</summary>
    HandshakeTimeout,

    /// <summary>The startup asked for something the gateway does not allow (plain text on a TLS listener, an old protocol, startup options).</summary>
    StartupRefused,
}
