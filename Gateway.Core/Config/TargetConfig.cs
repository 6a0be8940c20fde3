namespace Gateway.Core.Config;

public enum TargetTlsMode
{
    Disable,
    Prefer,
    Require,
    VerifyFull,
}

/// <summary>The upstream a listener forwards to, and the credential the gateway injects.</summary>
public sealed class TargetConfig
{
    public string Host { get; set; } = "";
    public int Port { get; set; }
    public TargetTlsMode Tls { get; set; } = TargetTlsMode.Prefer;
    public string? CaFile { get; set; }
    public string? Username { get; set; }

    /// <summary>Environment variable holding the upstream password (never inline).</summary>
    public string? PasswordEnv { get; set; }

    /// <summary>File holding the upstream password.</summary>
    public string? PasswordFile { get; set; }

    /// <summary>Database to connect to when the client names none; otherwise the client's choice is kept.</summary>
    public string? Database { get; set; }

    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Reuse of upstream sessions between clients; off by default.</summary>
    public TargetPoolConfig Pool { get; set; } = new();
}
