namespace Gateway.Protocols.Postgres.Protocol;

/// <summary>
/// The untyped packets of the startup phase, told apart by their int32 request code.
/// Spec: https://www.postgresql.org/docs/15/protocol-message-formats.html
/// </summary>
public enum StartupRequestKind
{
    /// <summary>StartupMessage, code = protocol version (major &lt;&lt; 16 | minor), 3.0 = 196608.</summary>
    Startup,

    /// <summary>SSLRequest, code 80877103, length 8.</summary>
    SslRequest,

    /// <summary>GSSENCRequest, code 80877104, length 8.</summary>
    GssEncRequest,

    /// <summary>CancelRequest, code 80877102, length 16.</summary>
    CancelRequest,
}

/// <summary>Request codes of the startup phase.</summary>
public static class StartupRequestCodes
{
    /// <summary>Protocol 3.0: 3 &lt;&lt; 16.</summary>
    public const int ProtocolVersion30 = 196608;

    /// <summary>1234 &lt;&lt; 16 | 5678.</summary>
    public const int CancelRequest = 80877102;

    /// <summary>1234 &lt;&lt; 16 | 5679.</summary>
    public const int SslRequest = 80877103;

    /// <summary>1234 &lt;&lt; 16 | 5680.</summary>
    public const int GssEncRequest = 80877104;

    public const int ProtocolMajorVersion3 = 3;
}
