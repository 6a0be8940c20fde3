namespace Gateway.Core.Config;

public sealed class ListenerConfig
{
    public string Name { get; set; } = "";

    /// <summary><c>postgres</c> (later <c>mysql</c>, <c>kubernetes</c>).</summary>
    public string Protocol { get; set; } = "";

    /// <summary><c>host:port</c>.</summary>
    public string Bind { get; set; } = "";

    public ListenerTlsConfig Tls { get; set; } = ListenerTlsConfig.Auto;
    public TargetConfig Target { get; set; } = new();

    /// <summary>Rule files, evaluated in order (first match wins across the concatenation).</summary>
    public List<string> Rules { get; set; } = [];

    public int MaxConnections { get; set; } = 4096;
    public int MaxConnectionsPerIp { get; set; } = 256;

    /// <summary>Time from accept to an authenticated session; slower clients are closed.</summary>
    public TimeSpan HandshakeTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Largest single protocol message accepted from either side.</summary>
    public int MaxMessageBytes { get; set; } = 64 * 1024 * 1024;

    /// <summary>How long a draining shutdown waits for sessions to finish.</summary>
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(15);
}

public enum ListenerTlsMode
{
    /// <summary>A self-signed certificate generated into <c>state_dir</c>.</summary>
    Auto,
    /// <summary>No TLS: accepted on loopback binds only.</summary>
    Off,
    /// <summary>A configured certificate and key (PEM).</summary>
    Files,
}

/// <summary><c>tls: auto</c>, <c>tls: off</c> or <c>tls: { certificate, key }</c>.</summary>
public sealed class ListenerTlsConfig
{
    public static ListenerTlsConfig Auto => new() { Mode = ListenerTlsMode.Auto };
    public static ListenerTlsConfig Off => new() { Mode = ListenerTlsMode.Off };

    public ListenerTlsMode Mode { get; set; }
    public string? Certificate { get; set; }
    public string? Key { get; set; }
}
